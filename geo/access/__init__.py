"""Who may do what: roles and viewers (:mod:`~geo.access.roles`: ``Role``, ``Viewer``,
``PUBLIC``, ``parse_role``) and API tokens (:mod:`~geo.access.tokens`: ``TokenStore``).

Not re-exported here: ``roles`` is light and imported at CLI start-up, ``tokens`` loads
the database stack.
"""
