"""OGC API – Features, the domain side: the catalogue and pure feature functions.

- :mod:`geo.ogc.catalog`: the published collections (``COLLECTIONS``, ``get_collection``,
  ``visible_collections``, ``register``).
- :mod:`geo.ogc.features`: Part 1 paging and bbox (``parse_bbox``, ``check_paging``,
  ``positions_in``, ``page``, ``find_feature``, ``extent``, ``to_features``).
- :mod:`geo.ogc.crs`: Part 2 CRS (``SUPPORTED``, ``parse_crs``, ``to_output``, ``to_web``,
  ``parse_bbox_in``).
- :mod:`geo.ogc.filters`: Part 3 CQL2 (``parse_filter``, ``evaluate``, ``queryables``).
- :mod:`geo.ogc.geojson_text`: GeoJSON text of pages (``feature_texts``).
- :mod:`geo.ogc.export`: GeoJSON/CSV/table export.
"""
