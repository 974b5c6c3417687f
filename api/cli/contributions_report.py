"""Rendering the round-table report (:mod:`geo.usecases.forum_report`) as HTML or CSV."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime

from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.web.render import TEMPLATE_DIR
from geo.usecases.forum_report import Report
from geo.vocabulary import word

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html"]), trim_blocks=True
)


def _num(value: object, decimals: int = 0, missing: str = "unbekannt") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    text = f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def render_html(rep: Report) -> str:
    """A printable HTML page (German)."""
    rows = rep.rows

    def items_of(topic: str, ags: str) -> list[object]:
        chosen = rows[(rows["topic_label"] == topic) & (rows["ags"] == ags)]
        return [r for _, r in chosen.sort_values("created_at").iterrows()]

    return _ENV.get_template("report_contributions.html").render(
        rep=rep,
        items_of=items_of,
        num=_num,
        status=lambda s: word("forum_status", s, "de"),
        made=datetime.now(UTC).strftime("%d.%m.%Y %H:%M UTC"),
    )


def render_csv(rep: Report) -> str:
    """One row per contribution, with its group's figures."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "topic",
            "ags",
            "municipality",
            "id",
            "title",
            "status",
            "project_ref",
            "created_at",
            "population",
            "rail_min_from_jena",
            "car_min_from_jena",
        ]
    )
    figures = rep.groups.set_index("ags")[["population", "rail_min", "car_min"]]
    figures = figures[~figures.index.duplicated()]
    for _, r in rep.rows.iterrows():
        f = figures.loc[r["ags"]]
        title = str(r["title"])
        if title[:1] in ("=", "+", "-", "@"):
            title = "'" + title
        w.writerow(
            [
                r["topic_label"],
                r["ags"],
                r["municipality"],
                r["id"],
                title,
                r["status"],
                r["project_ref"] or "",
                r["created_at"].isoformat(),
                "" if math.isnan(f["population"]) else int(f["population"]),
                "" if math.isnan(f["rail_min"]) else round(float(f["rail_min"]), 1),
                "" if math.isnan(f["car_min"]) else round(float(f["car_min"]), 1),
            ]
        )
    return out.getvalue()
