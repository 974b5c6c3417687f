"""The land-pool register: plots of land the city may develop, their workflow and publication.

Modules and their public names (imported from the modules, not re-exported here, so that
``import geo.landpool.plots`` does not load the database stack at CLI start-up):

- :mod:`~geo.landpool.plots` – the plot model: ``Plot``, ``Status``, vocabularies,
  ``parse_attributes``, ``check_geometry``, ``check_transition``, ``derive_municipality``.
- :mod:`~geo.landpool.public` – the one projection of what each role sees:
  ``project_feature``, ``project_history``, ``frame_for``, ``plot_level``.
- :mod:`~geo.landpool.store` – ``Store`` (GeoPackage or PostGIS), built from
  ``store_engine`` (engines, migrations), ``store_schema`` (tables), ``store_reads``
  (per-viewer queries), ``store_writes`` (edits, workflow, publication), ``store_updates``
  (many edits by ``plot_id``: ``Store.update_many``), ``store_history``
  (hash-chained history), ``store_profiles`` (saved screening profiles), ``store_checks``.
- :mod:`~geo.landpool.io` – ``open_store``, ``import_plots``, ``read_plots``,
  ``export_plots``, ``seed_demo``; :mod:`~geo.landpool.io_update` – update imports
  (``read_updates``, ``update_from_file``); :mod:`~geo.landpool.import_files` – reading
  an import file (``load_table``, ``parse_field_map``).
- :mod:`~geo.landpool.offers` – public offers; :mod:`~geo.landpool.data_version` – cache keys.

Front ends (routes, CLI, pages) reach the register through :mod:`geo.usecases.landpool`.
"""
