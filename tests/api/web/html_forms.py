"""Reading the forms of a page as a browser would submit them (for page tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class HtmlForm:
    """One ``<form>``: where it posts, the values it would send, the choices it offers."""

    id: str
    action: str
    method: str
    enctype: str
    values: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    labelled: set[str] = field(default_factory=set)
    ids: dict[str, str] = field(default_factory=dict)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, HtmlForm] = {}
        self.labels: set[str] = set()
        self._form: HtmlForm | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = HtmlForm(
                a.get("id", f"form{len(self.forms)}"),
                a.get("action", ""),
                a.get("method", "get").lower(),
                a.get("enctype", ""),
            )
            self.forms[self._form.id] = self._form
        elif tag == "label" and "for" in a:
            self.labels.add(a["for"])
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self._form.values[name] = a.get("value", "on")
            elif kind != "file":
                self._form.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self._form.options[name] = []
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._form.options[self._select].append(value)
            if "selected" in a or self._select not in self._form.values:
                self._form.values[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.values[name] = ""
        if name and "required" in a:
            self._form.required.add(name)
        if name and "id" in a:
            self._form.ids[name] = a["id"]

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            self._form.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> dict[str, HtmlForm]:
    """Every form of ``html`` by id, with the ids of the labelled inputs."""
    parser = _Parser()
    parser.feed(html)
    for form in parser.forms.values():
        form.labelled = {n for n, i in form.ids.items() if i in parser.labels}
    return parser.forms
