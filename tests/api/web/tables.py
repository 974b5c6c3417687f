"""Reading what a page shows: the rows of a table, form tokens, German numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Row:
    """A table row: the ``<tr>`` attributes, its cells' texts and their attributes."""

    attrs: dict[str, str]
    cells: list[str] = field(default_factory=list)
    cell_attrs: list[dict[str, str]] = field(default_factory=list)


class _Table(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.inside = 0
        self.in_body = False
        self.rows: list[Row] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table" and a.get("id") == self.table_id:
            self.inside = 1
        elif tag == "table" and self.inside:
            self.inside += 1
        if not self.inside:
            return
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append(Row(a))
        elif tag in ("td", "th") and self.in_body and self.rows:
            self.cell = []
            self.rows[-1].cell_attrs.append(a)
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].cells.append(re.sub(r"[ \t]+", " ", "".join(self.cell)).strip())
            self.cell = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.inside -= 1

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str) -> list[Row]:
    """The body rows of the table ``id=table_id`` of a page."""
    parser = _Table(table_id)
    parser.feed(html)
    return parser.rows


def csrf_token(html: str) -> str:
    """The CSRF token of a page's form."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "the page has no form with a CSRF token"
    return m.group(1)


def german_number(text: str) -> float | None:
    """``6.822`` → 6822, ``-0,58 %/Jahr`` → -0.58; the word for unknown → ``None``."""
    m = re.search(r"-?[\d.]+(?:,\d+)?", text)
    if m is None or "unbekannt" in text:
        return None
    return float(m.group(0).replace(".", "").replace(",", "."))


def english_number(text: str) -> float | None:
    """``6,822`` → 6822, ``-0.58 %/year`` → -0.58; unknown → ``None``."""
    m = re.search(r"-?[\d,]+(?:\.\d+)?", text)
    if m is None or "unknown" in text:
        return None
    return float(m.group(0).replace(",", ""))


def multipart(data: dict[str, object]) -> tuple[bytes, str]:
    """``data`` as a ``multipart/form-data`` body (lists as repeated fields), as the
    page forms send it (``enctype="multipart/form-data"``), and its content type."""
    boundary = "sr-test-boundary-7c1d"
    parts: list[bytes] = []
    for name, value in data.items():
        for v in value if isinstance(value, list) else [value]:
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            parts.append(f"{head}{v}\r\n".encode())
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
