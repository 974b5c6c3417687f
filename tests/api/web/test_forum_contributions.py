"""The forum's contribution pages over HTTP: submit, moderate, public list, exports, forget."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import Point

from geo.forum.model import Target, check_draft
from geo.settings import Settings
from geo.usecases import forum as forum_uc
from tests.api.landpool_seed import SeededApi
from tests.api.projects_seed import form, post_form
from tests.api.web.forum_helpers import (
    client_at,
    contribution_id,
    csrf,
    forum_site,
    moderate,
    submit,
)

EMAIL = "anna.beispiel@example.org"
#: A point in Jena (EPSG:25832) for contributions written straight into the store.
PLACE = Target("point", Point(681000.0, 5644000.0), "16053000", "Jena")


@pytest.fixture(scope="module")
def lp(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededApi]:
    site = forum_site(
        settings,
        Path(tmp_path_factory.mktemp("forum")),
        contributions_per_client_hour=4,
        contributions_pending_per_client=50,
    )
    yield site


def test_submitted_contribution_is_not_public_until_approved(lp: SeededApi) -> None:
    visitor = client_at(lp, "10.9.0.1")
    r = submit(visitor, title="Ampel am Holzmarkt", email=EMAIL)
    cid = contribution_id(r)
    assert "forget=" in r.headers["location"]
    thanks = visitor.get(r.headers["location"])
    assert "wartet auf die Moderation" in thanks.text
    assert visitor.get(f"/forum/contributions/{cid}").status_code == 404
    assert "Ampel am Holzmarkt" not in visitor.get("/forum/contributions").text
    assert moderate(lp, cid, "approve").status_code == 303
    page = visitor.get(f"/forum/contributions/{cid}")
    assert page.status_code == 200 and "Ampel am Holzmarkt" in page.text
    assert "freigegeben" in page.text
    listing = visitor.get("/forum/contributions")
    assert f"/forum/contributions/{cid}" in listing.text
    geo = visitor.get("/forum/export/contributions.geojson").json()
    assert cid in [f["properties"]["id"] for f in geo["features"]]
    for body in (
        page.text,
        listing.text,
        json.dumps(geo),
        visitor.get("/forum/export/contributions.csv").text,
    ):
        assert EMAIL not in body and "planner-tester" not in body


def test_rejected_shows_reason(lp: SeededApi) -> None:
    cid = contribution_id(submit(client_at(lp, "10.9.0.2"), title="Seilbahn zum Jenzig"))
    r = moderate(lp, cid, "reject")
    assert r.status_code == 422 and "reason" in r.text  # a rejection needs a public reason
    assert moderate(lp, cid, "reject", reason="Liegt außerhalb des Forums").status_code == 303
    page = client_at(lp, "10.9.0.3").get(f"/forum/contributions/{cid}")
    assert "abgelehnt: Liegt außerhalb des Forums" in page.text


def test_hidden_and_pending_never_public(lp: SeededApi) -> None:
    cid = contribution_id(submit(client_at(lp, "10.9.0.4"), title="Billige Uhren kaufen"))
    assert moderate(lp, cid, "hide").status_code == 303
    c = client_at(lp, "10.9.0.5")
    assert c.get(f"/forum/contributions/{cid}").status_code == 404
    assert "Billige Uhren" not in c.get("/forum/export/contributions.csv").text
    assert c.get("/forum/contributions?status=hidden").status_code == 422
    assert c.get("/forum/contributions?status=pending").status_code == 422


def test_flood_from_one_client_is_throttled_another_arrives(lp: SeededApi) -> None:
    flood = client_at(lp, "10.66.0.1")
    codes = [
        submit(flood, title=f"Spam Nummer {i}", text=f"Kaufen Sie jetzt Nummer {i}!!").status_code
        for i in range(7)
    ]
    assert codes[:4] == [303] * 4 and codes[4:] == [429] * 3
    r = submit(flood, title="Noch einer", text="Noch ein Versuch hier")
    assert r.status_code == 429 and r.headers["retry-after"].isdigit()
    other = client_at(lp, "10.66.0.2")
    cid = contribution_id(submit(other, title="Busanbindung Cospeda"))
    queue = lp.client.get("/forum/moderation", headers=lp.headers["planner"]).text
    assert f'id="q-{cid}"' in queue
    # round-robin: the other client's entry comes before the flood's second one
    first_flood = queue.index("Spam Nummer 0")
    assert queue.index(f'id="q-{cid}"') < queue.index("Spam Nummer 1") or first_flood < 0


def test_honeypot_answers_like_success_and_stores_nothing(lp: SeededApi) -> None:
    c = client_at(lp, "10.9.0.7")
    r = submit(c, title="Honigtopf Beitrag", website="http://spam.example")
    assert r.status_code == 303 and "/forum/contribute/thanks?id=" in r.headers["location"]
    queue = lp.client.get("/forum/moderation", headers=lp.headers["admin"]).text
    assert "Honigtopf Beitrag" not in queue


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"title": "ab"}, "title"),
        ({"text": "kurz"}, "text"),
        ({"text": "x" * 4001}, "text"),
        ({"topic": "weather"}, "topic"),
        ({"email": "not-an-address"}, "email"),
        ({"lat": "abc"}, "lat"),
        ({"lat": "10.0", "lon": "10.0"}, "outside"),
        ({"lat": "", "lon": ""}, "exactly one"),
        ({"ags": "16053000"}, "exactly one"),
        ({"lat": "", "lon": "", "ags": "99999999"}, "AGS"),
        ({"lat": "", "lon": "", "plot_id": "NOPE-1"}, "published plot"),
        ({"lat": "nan"}, "finite"),
    ],
)
def test_bad_input_is_a_readable_422(lp: SeededApi, fields: dict[str, str], needle: str) -> None:
    r = submit(client_at(lp, "10.8.0.1"), **fields)
    assert r.status_code == 422, r.text[:300]
    assert needle in r.text
    assert 'id="contribute-error"' in r.text


def test_confidential_plot_is_no_target(lp: SeededApi) -> None:
    secret = lp.secret_ids[0]
    r = submit(client_at(lp, "10.8.0.2"), lat="", lon="", plot_id=secret)
    assert r.status_code == 422 and "published plot" in r.text
    ok = submit(client_at(lp, "10.8.0.2"), lat="", lon="", plot_id=lp.public_ids[0])
    assert ok.status_code == 303


def test_forms_refuse_unknown_fields_missing_csrf_and_big_bodies(lp: SeededApi) -> None:
    c = client_at(lp, "10.8.0.3")
    token = csrf(c)
    assert c.post("/forum/contribute", data={"csrf_token": token, "evil": "1"}).status_code == 400
    assert c.post("/forum/contribute", data={"title": "x"}).status_code == 403
    big = {"csrf_token": token, "text": "x" * 50_000}
    assert c.post("/forum/contribute", data=big).status_code == 413
    r = c.post("/forum/contribute", content=b"\xff\xfe", headers={"content-type": "text/plain"})
    assert 400 <= r.status_code < 500


def test_moderation_needs_planner_or_admin(lp: SeededApi) -> None:
    assert client_at(lp, "10.8.0.4").get("/forum/moderation").status_code in (401, 403)
    assert lp.client.get("/forum/moderation", headers=lp.headers["landpool"]).status_code == 403
    assert lp.client.get("/forum/moderation", headers=lp.headers["admin"]).status_code == 200
    cid = contribution_id(submit(client_at(lp, "10.8.0.5"), title="Parkplatz Ammerbach"))
    assert moderate(lp, cid, "approve", role="landpool").status_code == 403
    assert moderate(lp, cid, "bogus").status_code == 400
    assert moderate(lp, cid, "approve", version="x").status_code == 400
    assert moderate(lp, cid, "approve", version="99").status_code == 409


def test_contact_only_for_moderator_and_gone_after_forget(lp: SeededApi) -> None:
    visitor = client_at(lp, "10.7.0.1")
    r = submit(visitor, title="Lärmschutz B88", email="bernd@example.net")
    cid = contribution_id(r)
    queue = lp.client.get("/forum/moderation", headers=lp.headers["planner"]).text
    assert "bernd@example.net" not in queue  # not shown by default
    shown = moderate(lp, cid, "contact")
    assert shown.status_code == 200 and "bernd@example.net" in shown.text
    forget_url = visitor.get(r.headers["location"]).text.split('id="forget-link" href="')[1]
    forget_url = forget_url.split('"')[0].replace("&amp;", "&").replace("http://testserver", "")
    token = forget_url.split("token=")[1]
    ask = visitor.get(forget_url)
    assert ask.status_code == 200
    form_token = csrf(visitor, forget_url)
    done = visitor.post(
        "/forum/contributions/forget", data={"token": token, "csrf_token": form_token}
    )
    assert done.status_code == 303 and "done=deleted" in done.headers["location"]
    again = moderate(lp, cid, "contact")
    assert "bernd@example.net" not in again.text
    forged = visitor.get("/forum/contributions/forget?token=" + cid + ".0000")
    assert forged.status_code == 422


def test_taken_up_and_edit_are_in_public_history(lp: SeededApi) -> None:
    cid = contribution_id(
        submit(
            client_at(lp, "10.7.0.2"),
            title="Spielplatz Lobeda",
            text="Herr Meier in Nr. 5 sagt, der Spielplatz in Lobeda braucht neue Geräte.",
        )
    )
    r = moderate(lp, cid, "edit", text="Der Spielplatz in Lobeda braucht neue Geräte.")
    assert r.status_code == 303
    assert moderate(lp, cid, "approve").status_code == 303
    # only a project of the register can take a contribution up
    refused = moderate(lp, cid, "take_up", project="kp-gibt-es-nicht")
    assert refused.status_code == 422 and "kp-gibt-es-nicht" in refused.text
    assert "create the project first" in refused.text
    status, _, body = post_form(
        lp.client,
        "/forum/projects",
        form(project_id="spielplaetze", plot_ids=""),
        lp.headers["planner"],
    )
    assert status == 303, body[:500]
    # the approved contribution's row in "recently moderated" offers the register's projects
    queue = lp.client.get("/forum/moderation", headers=lp.headers["planner"]).text
    row = queue[queue.index(f'<tr id="m-{cid}">') :]
    row = row[: row.index("</tr>")]
    assert 'value="take_up"' in row and '<option value="spielplaetze">' in row
    assert moderate(lp, cid, "take_up", project="spielplaetze").status_code == 303
    page = client_at(lp, "10.7.0.3").get(f"/forum/contributions/{cid}").text
    assert "aufgegriffen im Projekt spielplaetze" in page
    # the project lists the contribution it took up
    project = client_at(lp, "10.7.0.3").get("/forum/projects/spielplaetze").text
    assert f'href="/forum/contributions/{cid}"' in project
    assert "personenbezogene Angaben entfernt" in page
    assert "Meier" not in page and "planner-tester" not in page
    store = forum_uc.open_contributions(lp.settings)
    try:
        steps = store.history(cid)
        assert all("Meier" not in (s.changes or "") + (s.reason or "") for s in steps)
        assert store.verify_history().problems == []
    finally:
        store.close()


def test_pages_in_english(lp: SeededApi) -> None:
    c = client_at(lp, "10.7.0.4")
    assert "Contribute to the forum" in c.get("/forum/contribute?lang=en").text
    assert "Forum contributions" in c.get("/forum/contributions?lang=en").text
    assert "/forum/contribute" in c.get("/forum").text
    privacy = c.get("/privacy").text
    assert "Hashwert" in privacy and "stadtregion contributions forget" in privacy


def test_a_title_with_markup_shows_as_text_on_the_forum_map(lp: SeededApi) -> None:
    """Folium writes popup and tooltip values as HTML: a visitor's title is escaped, so a
    moderator who approves it never publishes a script on the public map."""
    evil = "<img src=x onerror=alert(1)> Markt"
    cid = contribution_id(submit(client_at(lp, "10.9.9.9"), title=evil))
    moderate(lp, cid, "approve")
    page = lp.client.get("/maps/forum.html").text
    # the title is HTML-escaped text inside the map's GeoJSON (whose encoder writes & and <
    # as \u0026 and \u003c): the browser shows it, it never becomes an element
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt; Markt" in page
    assert "<img src=x onerror" not in page and "\\u003cimg src=x" not in page


def test_moderation_queue_has_pages_and_a_step_keeps_the_page(lp: SeededApi) -> None:
    """More than a page waits: every pending contribution is on one page of the queue,
    and a step taken on page 2 returns to page 2."""
    store = forum_uc.open_contributions(lp.settings)
    try:
        t0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        for i in range(forum_uc.QUEUE_PAGE_SIZE + 5):
            d = check_draft(
                "housing",
                f"Warteschlange {i:03d}",
                "Ein wartender Beitrag.",
                None,
                store.topic_keys(),
            )
            store.submit(PLACE, d, f"10.50.{i // 10}.{i}", t0 + timedelta(hours=2 * i))
        pending = {c.id for c in store.list(statuses=("pending",), limit=10_000)}
    finally:
        store.close()
    planner = lp.headers["planner"]
    first = lp.client.get("/forum/moderation", headers=planner).text
    pages = -(-len(pending) // forum_uc.QUEUE_PAGE_SIZE)
    assert f"{len(pending)} Beiträge warten · Seite 1 von {pages}" in first
    assert 'rel="next" href="/forum/moderation?page=2"' in first
    seen: list[str] = []
    for n in range(1, pages + 1):
        text = lp.client.get(f"/forum/moderation?page={n}", headers=planner).text
        seen += re.findall(r'<article class="sr-contribution" id="q-([a-z2-7]+)"', text)
    assert sorted(seen) == sorted(pending)
    last = lp.client.get(f"/forum/moderation?page={pages + 9}", headers=planner).text
    assert f"Seite {pages} von {pages}" in last  # a page beyond the end shows the last one
    assert lp.client.get("/forum/moderation?page=0", headers=planner).status_code == 400
    on_two = re.findall(
        r'id="q-([a-z2-7]+)"',
        lp.client.get("/forum/moderation?page=2", headers=planner).text,
    )[0]
    r = moderate(lp, on_two, "approve", page="2")
    assert r.status_code == 303 and r.headers["location"].endswith("page=2")
    assert moderate(lp, on_two, "reject", page="x").status_code == 400
