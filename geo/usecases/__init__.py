"""Use cases: one function per thing a user does, the only layer front ends call.

HTTP routes (``api/routers``), CLI commands (``api/cli``), web pages and map pages parse
their input, call **one** use case and format its answer. A use case takes the settings,
the viewer (who asks: :class:`geo.access.roles.Viewer`) and a parsed query or value
object, strings the domain steps of ``geo``'s subpackages together (loading through their
io modules, computing with their pure functions) and returns data (GeoDataFrames,
dataclasses), never HTML, JSON text or exit codes. Errors are those of
:mod:`geo.errors`; mapping them to HTTP status codes and CLI exit codes happens once in
each front end.

One module per concept:

- :mod:`geo.usecases.region`: the region model and map inputs (load once, cached).
- :mod:`geo.usecases.reachability`: reachable municipalities by car or rail for a query.
- :mod:`geo.usecases.landpool`: list, read, create, edit, publish, import and export plots.
- :mod:`geo.usecases.screening`: screen the plots a viewer may see against a profile.
- :mod:`geo.usecases.ogc`: OGC API collections, queryables, filtered pages in a CRS.
- :mod:`geo.usecases.accounts`: log in and out; admins manage user accounts.
- :mod:`geo.usecases.projects`: the forum's cooperation projects (list, read, create,
  edit) and what the region map says per municipality about building projects.
"""
