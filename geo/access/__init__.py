"""Who may do what: roles and viewers (:mod:`~geo.access.roles`: ``Role``, ``Viewer``,
``PUBLIC``, ``parse_role``), API tokens (:mod:`~geo.access.tokens`: ``TokenStore``), user
accounts of the web app (:mod:`~geo.access.users`: ``UserStore``), their login sessions and
the throttling of failed logins (:mod:`~geo.access.sessions`, together in
:mod:`~geo.access.accounts`: ``Accounts``) and the server secret (:mod:`~geo.access.secret`).

Not re-exported here: ``roles`` is light and imported at CLI start-up, the others load
the database stack.
"""
