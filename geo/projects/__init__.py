"""Cooperation projects of the forum Stadt.Region.Jena: a small public register.

A project (:class:`~geo.projects.model.Project`) has a slug id, title, forum topic
(vocabulary group ``forum_topic``), the municipalities involved (AGS of the region
model), a status (``project_status``: idea, agreed, in progress, done), a description,
links to forum contributions and to published plots, and an optional map geometry
(EPSG:25832 stored, GeoJSON in EPSG:4326 at the edges).

Public functions:

- :func:`geo.projects.model.parse_fields`, :func:`~geo.projects.model.check_id` – check raw
  values (forms, JSON, command line); every problem names field and value.
- :class:`geo.projects.store.ProjectStore` – ``list``, ``get``, ``history``, ``create``,
  ``update`` (optimistic locking on ``version``, one append-only history row per write)
  on the land-pool database (tables ``projects``, ``project_history``, migration
  ``0007_cooperation_projects``); writes need the planner or admin role
  (:func:`~geo.projects.store.require_project_write`).
- :func:`geo.projects.public.project_public`, :func:`~geo.projects.public.public_frame`,
  :func:`~geo.projects.public.project_history` – the one public projection (only
  published plots and public contributions, no editors' names outside staff).
- :func:`geo.projects.io.public_projects`, :func:`~geo.projects.io.public_plot_ids`,
  :func:`~geo.projects.io.forum_links` – read them from an opened land-pool store.

Use cases for every front end: :mod:`geo.usecases.projects`.
"""
