"""Alembic environment of the land-pool store.

Migrations run programmatically (:func:`geo.landpool.store.migrate`): the store hands its open
connection in ``config.attributes["connection"]``. Run by hand with
``alembic -x url=URL upgrade head`` from this folder's parent is not needed.
"""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only programmatic use is supported
    raise RuntimeError("run migrations through geo.landpool.store.migrate(engine)")

context.configure(
    connection=connection,
    target_metadata=None,
    include_object=alembic_helpers.include_object,
    process_revision_directives=alembic_helpers.writer,
    render_item=alembic_helpers.render_item,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
