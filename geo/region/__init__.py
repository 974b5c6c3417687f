"""The region: municipalities, population series and trend, territory, published figures.

Front ends ask :func:`geo.usecases.region.region` for the model. Inside: ``build``
(:func:`~geo.region.build.build`, :func:`~geo.region.build.load_region`), ``model``
(:func:`~geo.region.model.build_region`, trend classes), ``names``
(:func:`~geo.region.names.match_name`), ``select``
(:func:`~geo.region.select.find_municipality`, :func:`~geo.region.select.select`),
``territory``, ``territory_search``, ``population``, ``published``/``published_io`` (INKAR)
and ``validation`` (:func:`~geo.region.validation.validation_table`).
"""
