"""Forum contributions: visitors leave them on the map, moderators decide what is public.

Public functions and classes:

* :class:`geo.forum.store.ContributionStore` (``submit``, ``count_decoy``, ``get``,
  ``list``, ``count``, ``queue``, ``history``, ``verify_history``, ``topics``,
  ``add_topic``; from :mod:`geo.forum.store_moderation`: ``moderate``, ``edit``,
  ``contact``, ``forget_email``, ``forget_contribution``, ``purge``) — the store in the
  land-pool database (migration ``0006_contributions``);
* :func:`geo.forum.store.public_links` – the public contribution ids and which project
  took each up (for the cooperation projects);
* :mod:`geo.forum.model`: :class:`Target`, :class:`Draft`, :class:`Contribution`,
  :class:`HistoryStep`, :func:`check_draft`, :func:`transition`, :data:`MODERATOR_ROLES`,
  :data:`PUBLIC_STATUSES`, the length limits;
* :mod:`geo.forum.public`: the one public projection (``public_record``,
  ``public_steps``, ``public_frame``, ``require_public``);
* :mod:`geo.forum.clients`: keyed, daily rotated client hashes, signed forget links,
  :class:`Limits`.
"""

from __future__ import annotations
