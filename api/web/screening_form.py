"""The profile form of the screening page: a :class:`~geo.screening.profile.Profile` as
form fields and back.

Field names are the profile's own key paths (``filters.min_area_ha``,
``weights.area_ha.best``, ``weights.owner_type.values.city``), so the problems
:func:`geo.screening.profile.parse_profile` names land on their fields. The form holds
every filter of :class:`~geo.screening.profile.Filters` and every weight criterion; the
profile's validation stays in :mod:`geo.screening.profile` (this module only turns text
into numbers and lists).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, get_args

from api.web.forms import Form
from api.web.problems import FormError, Problem
from geo.errors import ProfileError
from geo.screening.profile import (
    CONTAMINATION,
    DEFAULT_RANGES,
    OWNER_TYPES,
    PLANNING_STATUS,
    STATUSES,
    CategoricalCriterion,
    CategoryWeight,
    Filters,
    NumericCriterion,
    NumericWeight,
    Profile,
    parse_profile,
)
from geo.vocabulary import WORDS, word

#: A filled-in form: field name -> text, or list of ticked values for choices.
FormState = dict[str, Any]

#: Filters chosen from a vocabulary: filter -> (vocabulary group, its values).
CHOICE_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "owner_types": ("owner_type", OWNER_TYPES),
    "planning_status": ("planning_status", PLANNING_STATUS),
    "exclude_contamination": ("contamination", CONTAMINATION),
    "statuses": ("status", STATUSES),
}
#: Filters that are free lists, typed comma-separated.
LIST_FILTERS = ("municipalities", "exclude_current_uses")
#: Filters that are one number (every other filter of :class:`Filters`).
NUMERIC_FILTERS = tuple(
    k for k in Filters.model_fields if k not in CHOICE_FILTERS and k not in LIST_FILTERS
)
#: Weight criteria: numeric (best/worst) and categories (a value per category).
NUMERIC_WEIGHTS: tuple[str, ...] = get_args(NumericCriterion)
CATEGORY_WEIGHTS: dict[str, tuple[str, ...]] = {
    "owner_type": OWNER_TYPES,
    "planning_status": PLANNING_STATUS,
    "contamination": CONTAMINATION,
    "status": STATUSES,
}
assert set(CATEGORY_WEIGHTS) == set(get_args(CategoricalCriterion))
ON_UNKNOWN = get_args(Profile.model_fields["on_unknown"].annotation)

#: Fields that may come more than once (ticked boxes).
REPEATED = tuple(f"filters.{k}" for k in CHOICE_FILTERS)
#: Fields of the profile form.
PROFILE_FIELDS: tuple[str, ...] = (
    "name",
    "description",
    "on_unknown",
    *(f"filters.{k}" for k in (*NUMERIC_FILTERS, *CHOICE_FILTERS, *LIST_FILTERS)),
    *(f"weights.{c}.{p}" for c in NUMERIC_WEIGHTS for p in ("weight", "best", "worst")),
    *(f"weights.{c}.weight" for c in CATEGORY_WEIGHTS),
    *(f"weights.{c}.values.{v}" for c, vs in CATEGORY_WEIGHTS.items() for v in vs),
    "penalise_current_uses",
)
#: What else the page's forms send: the name to save under, the saved profile edited
#: (name and version, for the optimistic lock) and the export button.
EXTRA_FIELDS = ("save_as", "base_name", "base_version", "export")


@dataclass(frozen=True)
class NumericField:
    """A numeric filter as the form shows it: key, unit word key, the step of its input."""

    key: str
    unit: str
    step: str


def unit_of(key: str) -> str:
    """The unit word (group ``screening_page``) of a filter or weight key, from its name."""
    if key.endswith("_ha"):
        return "unit_ha"
    if key.endswith("_pct"):
        return "unit_pct"
    if key.endswith("_share"):
        return "unit_share"
    if "minutes" in key or key.startswith("car_min"):
        return "unit_min"
    return "unit_m"


def numeric_fields() -> list[NumericField]:
    """The numeric filters with units and input steps (shares in hundredths)."""
    return [
        NumericField(k, unit_of(k), "0.01" if k.endswith("_share") else "any")
        for k in NUMERIC_FILTERS
    ]


def _num(value: float) -> str:
    return f"{value:g}"


def state_of(profile: Profile) -> FormState:
    """The form filled in with ``profile``."""
    state: FormState = {
        "name": profile.name,
        "description": profile.description,
        "on_unknown": profile.on_unknown,
    }
    for key, value in profile.filters.values().items():
        if key in CHOICE_FILTERS:
            state[f"filters.{key}"] = list(value)
        elif key in LIST_FILTERS:
            state[f"filters.{key}"] = ", ".join(value)
        else:
            state[f"filters.{key}"] = _num(float(value))
    for key, spec in profile.weights.items():
        if isinstance(spec, CategoryWeight):
            state[f"weights.{key}.weight"] = _num(spec.weight)
            for cat, v in spec.values.items():
                state[f"weights.{key}.values.{cat}"] = _num(v)
        elif isinstance(spec, NumericWeight):
            state[f"weights.{key}.weight"] = _num(spec.weight)
            for part in ("best", "worst"):
                v = getattr(spec, part)
                if v is not None:
                    state[f"weights.{key}.{part}"] = _num(v)
        else:
            state[f"weights.{key}.weight"] = _num(float(spec))
    if profile.penalise_current_uses:
        state["penalise_current_uses"] = ", ".join(
            f"{k}={_num(v)}" for k, v in profile.penalise_current_uses.items()
        )
    return state


def state_from(form: Form) -> FormState:
    """The profile fields of a posted form (ticked boxes as lists)."""
    state: FormState = {}
    for name in PROFILE_FIELDS:
        if name in REPEATED:
            state[name] = form.getlist(name)
        else:
            value = form.get(name)
            if value is not None:
                state[name] = value
    return state


def _number(text: str) -> float:
    value = float(text.replace(",", ".").replace(" ", ""))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def profile_data(state: FormState) -> tuple[dict[str, Any], list[Problem]]:
    """The profile mapping of a filled-in form, and the numbers it could not read."""
    problems: list[Problem] = []

    def number(field: str) -> float | None:
        text = state.get(field)
        if not text:
            return None
        try:
            return _number(str(text))
        except ValueError:
            problems.append(Problem(field, f"{field}: {text!r} is not a number."))
            return None

    filters: dict[str, Any] = {}
    for key in NUMERIC_FILTERS:
        value = number(f"filters.{key}")
        if value is not None:
            filters[key] = value
    for key in CHOICE_FILTERS:
        ticked = state.get(f"filters.{key}") or []
        if ticked:
            filters[key] = list(ticked)
    for key in LIST_FILTERS:
        items = _split(str(state.get(f"filters.{key}") or ""))
        if items:
            filters[key] = items
    weights: dict[str, Any] = {}
    for key in NUMERIC_WEIGHTS:
        weight = number(f"weights.{key}.weight")
        best, worst = number(f"weights.{key}.best"), number(f"weights.{key}.worst")
        if weight is not None:
            spec: dict[str, float] = {"weight": weight}
            spec.update({k: v for k, v in (("best", best), ("worst", worst)) if v is not None})
            weights[key] = spec
    for key, cats in CATEGORY_WEIGHTS.items():
        weight = number(f"weights.{key}.weight")
        values = {c: number(f"weights.{key}.values.{c}") for c in cats}
        if weight is not None:
            weights[key] = {
                "weight": weight,
                "values": {c: v for c, v in values.items() if v is not None},
            }
    penalties: dict[str, float] = {}
    for item in _split(str(state.get("penalise_current_uses") or "")):
        use, sep, amount = item.partition("=")
        try:
            if not sep or not use.strip():
                raise ValueError(item)
            penalties[use.strip()] = _number(amount)
        except ValueError:
            problems.append(
                Problem(
                    "penalise_current_uses",
                    f"penalise_current_uses: {item!r} must look like use=0.5.",
                )
            )
    data: dict[str, Any] = {
        "name": state.get("name", ""),
        "description": state.get("description", ""),
        "on_unknown": state.get("on_unknown") or "open",
        "filters": filters,
        "weights": weights,
        "penalise_current_uses": penalties,
    }
    return data, problems


#: Where one problem of :func:`parse_profile` ends and the next begins ("; <path>:").
_NEXT = re.compile(r"; (?=(?:name|description|on_unknown|filters|weights|penalise_current_uses)\b)")


def field_of(path: str) -> str | None:
    """The form field a profile key path is about (``None``: the profile as a whole)."""
    if path in PROFILE_FIELDS:
        return path
    for candidate in (f"{path}.weight", f"filters.{path}"):
        if candidate in PROFILE_FIELDS:
            return candidate
    under = [f for f in PROFILE_FIELDS if f.startswith(path + ".")]
    return under[0] if under and path != "filters" else None


def profile_problems(exc: ProfileError, source: str) -> list[Problem]:
    """The problems of a refused profile, each with its field."""
    text = str(exc).removeprefix(f"{source}: ")
    out = []
    for part in _NEXT.split(text):
        path, sep, _ = part.partition(":")
        out.append(Problem(field_of(path.strip()) if sep else None, part))
    return out


def parse_state(state: FormState) -> Profile:
    """The profile of a filled-in form; :class:`~api.web.problems.FormError` names
    every problem (numbers it cannot read, and every key the profile refuses)."""
    data, problems = profile_data(state)
    try:
        profile = parse_profile(data, source="form")
    except ProfileError as exc:
        raise FormError([*problems, *profile_problems(exc, "form")], [exc]) from exc
    if problems:
        raise FormError(problems, [ProfileError(problems[0].message)])
    return profile


def column_label(key: str, lang: str) -> str:
    """The words of a weight criterion (an attribute column)."""
    if key in WORDS["column"]:
        return word("column", key, lang)
    return word("screening_page", f"col_{key}", lang)


def field_label(name: str, lang: str) -> str:
    """The words of a form field, for problem lists (``filters.min_area_ha`` → Mindestfläche)."""
    parts = name.split(".")
    if parts[0] == "filters" and len(parts) == 2:
        return word("criterion", parts[1], lang)
    if parts[0] == "weights" and len(parts) >= 3:
        crit = column_label(parts[1], lang)
        if parts[2] == "values" and len(parts) == 4:
            group = {"status": "status"}.get(parts[1], parts[1])
            return f"{crit}: {word(group, parts[3], lang)}"
        return f"{crit}: {word('screening_page', parts[2], lang)}"
    key = {"penalise_current_uses": "penalties"}.get(name, name)
    return word("screening_page", key, lang)


def default_range(key: str) -> tuple[str, str]:
    """The default (best, worst) of a numeric weight as placeholders ("" when none)."""
    rng = DEFAULT_RANGES.get(key)
    return ("", "") if rng is None else (_num(rng[0]), _num(rng[1]))
