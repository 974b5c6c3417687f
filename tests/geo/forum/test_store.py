"""The contribution store on GeoPackage and PostGIS: limits, queue, moderation, data protection."""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from shapely.geometry import Point

from geo.errors import ConflictError, InputError, NotFoundError, TooManyAttemptsError
from geo.forum import clients, public
from geo.forum.model import Target, check_draft
from geo.forum.store import ContributionStore

SECRET = b"s" * 32
JENA = Target("point", Point(681000.0, 5644000.0), "16053000", "Jena")
PG_URL = os.environ.get("STADTREGION_TEST_POSTGIS_URL")


def _pg_url() -> str:
    assert PG_URL
    name = "forum_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return str(sa.make_url(PG_URL).set(database=name))


@pytest.fixture(params=["gpkg", "postgis"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "gpkg":
        return f"gpkg:///{tmp_path}/lp.gpkg"
    if not PG_URL:
        pytest.skip("STADTREGION_TEST_POSTGIS_URL not set")
    return _pg_url()


@pytest.fixture
def store(url: str) -> Iterator[ContributionStore]:
    s = ContributionStore(url, SECRET, clients.Limits(per_client_hour=3, pending_per_client=5))
    yield s
    s.close()


def draft(store: ContributionStore, n: int = 0, email: str | None = None):  # type: ignore[no-untyped-def]
    return check_draft(
        "traffic", f"Titel {n:03d}", f"Ein Text Nummer {n:03d}.", email, store.topic_keys()
    )


def test_submit_is_pending_and_not_public(store: ContributionStore) -> None:
    c = store.submit(JENA, draft(store, email="a@example.org"), "1.1.1.1")
    assert c.status == "pending" and len(c.id) == 13 and c.id.isalnum()
    assert not public.is_public(c)
    with pytest.raises(NotFoundError):
        public.require_public(c)
    assert public.public_frame([c]).empty


def test_ids_are_random_not_sequential(store: ContributionStore) -> None:
    ids = [store.submit(JENA, draft(store, i), f"2.2.2.{i}").id for i in range(12)]
    assert len(set(ids)) == 12
    assert all(re.fullmatch(r"[a-z2-7]{13}", i) for i in ids)
    # 12 random ids come out in creation order with probability 1/12! (about 2e-9)
    assert sorted(ids) != ids


def test_double_submission_stores_once(store: ContributionStore) -> None:
    a = store.submit(JENA, draft(store), "1.1.1.1")
    b = store.submit(JENA, draft(store), "1.1.1.1")
    assert a.id == b.id
    assert store.count(statuses=("pending",)) == 1


def test_rate_limit_per_client_and_global(url: str) -> None:
    s = ContributionStore(url, SECRET, clients.Limits(per_client_hour=2, global_hour=3))
    try:
        now = datetime(2026, 3, 1, 23, 50, tzinfo=UTC)
        s.submit(JENA, draft(s, 1), "9.9.9.9", now)
        s.submit(JENA, draft(s, 2), "9.9.9.9", now)
        with pytest.raises(TooManyAttemptsError) as exc:
            s.submit(JENA, draft(s, 3), "9.9.9.9", now + timedelta(minutes=1))
        assert exc.value.retry_after_s > 0
        # across midnight the day key changes, the limit still holds
        with pytest.raises(TooManyAttemptsError):
            s.submit(JENA, draft(s, 4), "9.9.9.9", now + timedelta(minutes=15))
        s.submit(JENA, draft(s, 5), "8.8.8.8", now + timedelta(minutes=2))
        with pytest.raises(TooManyAttemptsError, match="no more"):
            s.submit(JENA, draft(s, 6), "7.7.7.7", now + timedelta(minutes=3))
        later = now + timedelta(hours=1, minutes=5)
        assert s.submit(JENA, draft(s, 7), "9.9.9.9", later).status == "pending"
    finally:
        s.close()


def test_pending_cap_per_client(url: str) -> None:
    s = ContributionStore(url, SECRET, clients.Limits(per_client_hour=100, pending_per_client=2))
    try:
        s.submit(JENA, draft(s, 1), "5.5.5.5")
        s.submit(JENA, draft(s, 2), "5.5.5.5")
        with pytest.raises(TooManyAttemptsError, match="wait for moderation"):
            s.submit(JENA, draft(s, 3), "5.5.5.5")
    finally:
        s.close()


def test_queue_takes_turns_by_client(url: str) -> None:
    s = ContributionStore(url, SECRET, clients.Limits(per_client_hour=100, pending_per_client=100))
    try:
        t0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
        for i in range(20):
            s.submit(JENA, draft(s, i), "6.6.6.6", t0 + timedelta(seconds=i))
        late = s.submit(JENA, draft(s, 99), "6.6.6.7", t0 + timedelta(minutes=5))
        queue = s.queue(limit=3)
        assert [e.contribution.id for e in queue][1] == late.id
        assert queue[0].client_pending == 20 and queue[1].client_pending == 1
        assert "6.6.6.6" not in repr(queue)
        # pages: every pending contribution is on exactly one page, in the same order
        paged = [e.contribution.id for o in range(0, 21, 5) for e in s.queue(5, o)]
        assert paged == [e.contribution.id for e in s.queue(100)] and len(set(paged)) == 21
    finally:
        s.close()


def test_no_address_stored(store: ContributionStore, url: str) -> None:
    store.submit(JENA, draft(store), "203.0.113.77")
    with store.engine.connect() as conn:
        for table in ("contributions", "contribution_submissions", "contribution_history"):
            rows = conn.execute(sa.text(f"SELECT * FROM {table}")).all()
            assert "203.0.113.77" not in repr(rows)


def test_moderation_steps_and_rules(store: ContributionStore) -> None:
    c = store.submit(JENA, draft(store), "1.1.1.1")
    with pytest.raises(InputError, match="reason"):
        store.moderate(c.id, "rejected", "pia")
    with pytest.raises(InputError, match="cannot be"):
        store.moderate(c.id, "reopened", "pia")
    with pytest.raises(ConflictError):
        store.moderate(c.id, "approved", "pia", version=7)
    c = store.moderate(c.id, "approved", "pia", version=1)
    assert c.status == "approved" and c.client_hash is None
    with pytest.raises(InputError, match="project"):
        store.moderate(c.id, "taken_up", "pia", project_ref="bad id!")
    c = store.moderate(c.id, "taken_up", "pia", project_ref="KP-7")
    rec = public.public_record(c)
    assert rec["project_ref"] == "KP-7" and "client_hash" not in rec
    steps = public.public_steps(c, store.history(c.id))
    assert [s["event"] for s in steps] == ["submitted", "approved", "taken_up"]
    assert all("actor" not in s for s in steps)
    c = store.moderate(c.id, "rejected", "pia", reason="Erledigt")
    assert public.public_record(c)["reason"] == "Erledigt"


def test_edit_records_no_removed_words(store: ContributionStore) -> None:
    c = store.submit(
        JENA,
        check_draft(
            "housing",
            "Wohnen Ost",
            "Frau Müller, Tel. 0123 456, sagt: zu wenig Wohnungen.",
            None,
            store.topic_keys(),
        ),
        "1.1.1.1",
    )
    c = store.edit(c.id, "pia", text="Zu wenig Wohnungen im Osten.")
    assert c.text == "Zu wenig Wohnungen im Osten." and c.version == 2
    assert "Müller" not in repr(store.history(c.id))
    with pytest.raises(InputError, match="changes nothing"):
        store.edit(c.id, "pia", text="Zu wenig Wohnungen im Osten.")


def test_contact_forget_and_retention(store: ContributionStore) -> None:
    t0 = datetime.now(UTC) - timedelta(days=100)
    old = store.submit(JENA, draft(store, 1, "Old@Example.org"), "1.1.1.1", t0)
    new = store.submit(JENA, draft(store, 2, "new@example.org"), "1.1.1.2", t0 + timedelta(days=90))
    assert store.contact(old.id, "pia") == "Old@example.org"
    assert store.purge(t0 + timedelta(days=181)) == 1  # the later one is 91 days old then
    assert store.contact(old.id, "pia") is None
    assert store.contact(new.id, "pia") == "new@example.org"
    assert store.forget_email("NEW@example.org", "cli") == 1
    assert store.contact(new.id, "pia") is None and store.contact_count() == 0
    events = [s.event for s in store.history(old.id)]
    assert events == ["submitted", "contact_viewed", "contact_deleted"]
    with store.engine.connect() as conn:
        text = repr(conn.execute(sa.text("SELECT * FROM contribution_history")).all())
    assert "example.org" not in text.lower()


def test_forget_link_is_signed() -> None:
    token = clients.forget_token(SECRET, "abcdefghijklm")
    assert clients.check_forget_token(SECRET, token) == "abcdefghijklm"
    for bad in ("", "abcdefghijklm", token[:-1] + "0", "xyz.123", token.replace("a", "b", 1)):
        with pytest.raises(InputError):
            clients.check_forget_token(SECRET, bad)
    with pytest.raises(InputError):
        clients.check_forget_token(b"t" * 32, token)


def test_topics_extensible(store: ContributionStore) -> None:
    assert [t.key for t in store.topics()][:5] == [
        "traffic",
        "housing",
        "commerce",
        "landscape",
        "other",
    ]
    store.add_topic("energy", "Energie", "Energy")
    assert "energy" in store.topic_keys()
    with pytest.raises(ConflictError):
        store.add_topic("energy", "Energie", "Energy")
    with pytest.raises(InputError):
        store.add_topic("Bad Key", "x", "y")


def test_history_refuses_update_and_delete(store: ContributionStore) -> None:
    store.submit(JENA, draft(store), "1.1.1.1")
    for sql in ("UPDATE contribution_history SET actor = 'x'", "DELETE FROM contribution_history"):
        with pytest.raises(sa.exc.DBAPIError), store.engine.begin() as conn:
            conn.execute(sa.text(sql))
    assert store.verify_history().problems == []


def test_history_detects_a_rewrite_with_sqlite3(tmp_path: Path) -> None:
    path = tmp_path / "lp.gpkg"
    s = ContributionStore(f"gpkg:///{path}", SECRET, clients.Limits())
    c = s.submit(JENA, draft(s), "1.1.1.1")
    s.moderate(c.id, "rejected", "pia", reason="Nicht zuständig")
    s.moderate(c.id, "approved", "pia")
    assert s.verify_history().problems == []
    s.close()
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER contribution_history_no_update")
    db.execute("UPDATE contribution_history SET reason = 'Zuständig' WHERE event = 'rejected'")
    db.commit()
    db.close()
    s = ContributionStore(f"gpkg:///{path}", SECRET, clients.Limits())
    report = s.verify_history()
    s.close()
    assert report.problems and "row 2" in report.problems[0]
