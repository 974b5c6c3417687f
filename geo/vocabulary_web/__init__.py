"""Words of the web pages (headings, labels, buttons, help texts), German and English.

Each page area keeps its words in its own module here; :mod:`geo.vocabulary` adds them
to its one table :data:`geo.vocabulary.WORDS`, so pages look them up with the same
:func:`geo.vocabulary.word` as the CLI, the API and the maps. A group name belongs to
one module only (``tests/geo/test_vocabulary_web.py`` checks it).
"""

from __future__ import annotations

from geo.vocabulary_web import auth, common, forum, projects, reach, screening
from geo.vocabulary_web import register as register_words

#: The modules whose ``WORDS`` make up the page words (one line per page area).
MODULES = (common, auth, reach, screening, register_words, projects, forum)


def page_words() -> dict[str, dict[str, tuple[str, str]]]:
    """Every page-word group of :data:`MODULES` (group -> key -> (German, English))."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for module in MODULES:
        for group, table in module.WORDS.items():
            if group in out:
                raise ValueError(f"page-word group {group!r} is defined twice")
            out[group] = table
    return out
