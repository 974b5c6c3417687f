"""Place names: forgiving comparison and look-up of what a user typed among official names.

Pure functions on strings and Series (no I/O).
"""

from __future__ import annotations

import difflib
import re
import unicodedata

import pandas as pd

from geo.errors import AmbiguousNameError, InputError, UnknownMunicipalityError


def normalize_name(name: str) -> str:
    """Fold a place name for forgiving comparison.

    Case is folded, umlauts are spelt out (``ü`` → ``ue``, so "Thüringen" and
    "Thueringen" agree), ``ß`` → ``ss``, other accents dropped, punctuation turned
    into single spaces, and administrative prefixes ("Stadt", "Gemeinde") removed.
    """
    s = name.strip().casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        s = s.replace(a, b)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[^0-9a-z]+", " ", s).strip()
    s = re.sub(r"^(stadt|gemeinde|landgemeinde|kreisstadt)\s+", "", s)
    s = re.sub(r"\s+(stadt)$", "", s)
    return s


def base_name(name: str) -> str:
    """Return the normalised name without suffixes after ``/``, ``,`` or ``(``.

    "Saalfeld/Saale" → "saalfeld", "Neustadt (Orla)" → "neustadt".
    """
    head = re.split(r"[/,(]", name, maxsplit=1)[0]
    return normalize_name(head)


def match_name(query: str, names: pd.Series, what: str = "municipality") -> object:
    """Find the index label of ``query`` among ``names``, forgivingly.

    Tries, in order: exact name, normalised name (case, umlauts, prefixes),
    normalised base name (without ``/Saale``-style suffixes).

    Parameters
    ----------
    query
        What the user typed.
    names
        Official names, indexed by the label to return.
    what
        Word used in messages.

    Returns
    -------
    object
        The index label of the match.

    Raises
    ------
    UnknownMunicipalityError
        Nothing matched; carries the closest names.
    AmbiguousNameError
        Several names matched equally well.
    """
    q = query.strip()
    if not q:
        raise InputError(f"{what} name is empty; give a name or a code.")
    for key in (
        lambda s: s,
        normalize_name,
        base_name,
    ):
        qk = key(q)
        keyed = names.map(key)
        hits = names.index[keyed == qk]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise AmbiguousNameError(query, [str(names[h]) for h in hits], labels=list(hits))
    normalised = {normalize_name(n): n for n in names}
    close = difflib.get_close_matches(normalize_name(q), list(normalised), n=5, cutoff=0.6)
    raise UnknownMunicipalityError(query, [normalised[c] for c in close])
