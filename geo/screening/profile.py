"""Screening profiles: hard filters, weights and the unknown policy, validated from YAML/JSON.

A :class:`Profile` has hard filters (:class:`Filters`, each one criterion) and weights
(the score). :func:`parse_profile` validates a mapping and names every bad key with its
path. Reading profile files and the shipped profiles is :mod:`geo.screening.io`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from geo.errors import ProfileError
from geo.landpool.plots import Contamination, OwnerType, PlanningStatus, Status

# -- vocabularies of the register (geo.landpool.plots) ------------------------------------------

OWNER_TYPES = tuple(e.value for e in OwnerType)
CONTAMINATION = tuple(e.value for e in Contamination)
PLANNING_STATUS = tuple(e.value for e in PlanningStatus)
STATUSES = tuple(e.value for e in Status)

_FORBID = ConfigDict(extra="forbid")


class Filters(BaseModel):
    """Hard filters; every one that is set is one criterion. Shares are 0–1."""

    model_config = _FORBID

    min_area_ha: float | None = Field(None, ge=0)
    max_area_ha: float | None = Field(None, gt=0)
    max_mean_slope_pct: float | None = Field(None, ge=0)
    max_slope_pct: float | None = Field(None, ge=0)
    max_steep_share: float | None = Field(None, ge=0, le=1)
    max_flood_share: float | None = Field(None, ge=0, le=1)
    max_reserve_share: float | None = Field(None, ge=0, le=1)
    max_dist_station_m: float | None = Field(None, ge=0)
    max_dist_tram_m: float | None = Field(None, ge=0)
    max_car_minutes_to_centre: float | None = Field(None, ge=0)
    max_car_minutes_to_station: float | None = Field(None, ge=0)
    owner_types: list[OwnerType] | None = Field(None, min_length=1)
    planning_status: list[PlanningStatus] | None = Field(None, min_length=1)
    exclude_contamination: list[Contamination] | None = Field(None, min_length=1)
    statuses: list[Status] | None = Field(None, min_length=1)
    #: Current uses (first word of ``current_use``, e.g. ``industrial``) that rule a plot
    #: out: an industrial estate in use is no housing reserve.
    exclude_current_uses: list[str] | None = Field(None, min_length=1)

    def values(self) -> dict[str, Any]:
        """The filters that are set, enum members as their plain string values."""
        out: dict[str, Any] = {}
        for key, value in self.model_dump(exclude_none=True).items():
            out[key] = (
                [str(getattr(v, "value", v)) for v in value] if isinstance(value, list) else value
            )
        return out

    municipalities: list[str] | None = Field(None, min_length=1)

    @field_validator("municipalities")
    @classmethod
    def _ags(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            bad = [a for a in v if not (len(a) == 8 and a.isdigit())]
            if bad:
                raise ValueError(f"give 8-digit AGS codes, not {', '.join(bad)}")
        return v

    @model_validator(mode="after")
    def _area_range(self) -> Filters:
        if (
            self.min_area_ha is not None
            and self.max_area_ha is not None
            and self.min_area_ha > self.max_area_ha
        ):
            raise ValueError("min_area_ha is larger than max_area_ha")
        return self


NumericCriterion = Literal[
    "area_ha",
    "slope_mean_pct",
    "slope_max_pct",
    "steep_share",
    "elev_mean_m",
    "flood_share",
    "reserve_share",
    "water_proximity_m",
    "dist_station_m",
    "dist_tram_m",
    "car_min_centre",
    "car_min_station",
]
CategoricalCriterion = Literal["owner_type", "planning_status", "contamination", "status"]
WeightCriterion = Literal[NumericCriterion, CategoricalCriterion]

#: Default (best, worst) of numeric score criteria; ``None`` = the profile must say.
DEFAULT_RANGES: dict[str, tuple[float, float] | None] = {
    "area_ha": (5.0, 0.0),
    "slope_mean_pct": (0.0, 15.0),
    "slope_max_pct": (0.0, 30.0),
    "steep_share": (0.0, 0.5),
    "elev_mean_m": None,
    "flood_share": (0.0, 1.0),
    "reserve_share": (0.0, 1.0),
    "water_proximity_m": None,
    "dist_station_m": (0.0, 5000.0),
    "dist_tram_m": (0.0, 3000.0),
    "car_min_centre": (0.0, 30.0),
    "car_min_station": (0.0, 20.0),
}
_CATEGORIES: dict[str, tuple[str, ...]] = {
    "owner_type": OWNER_TYPES,
    "planning_status": PLANNING_STATUS,
    "contamination": CONTAMINATION,
    "status": STATUSES,
}


class NumericWeight(BaseModel):
    """Weight of a numeric criterion, scored 1 at ``best`` and 0 at ``worst`` (linear)."""

    model_config = _FORBID

    weight: float = Field(gt=0)
    best: float | None = None
    worst: float | None = None


class CategoryWeight(BaseModel):
    """Weight of a register attribute, scored by a value 0–1 per category (others 0)."""

    model_config = _FORBID

    weight: float = Field(gt=0)
    values: dict[str, float]

    @field_validator("values")
    @classmethod
    def _unit(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: x for k, x in v.items() if not 0 <= x <= 1}
        if bad:
            raise ValueError(f"category scores must be between 0 and 1, got {bad}")
        return v


def _weight_kind(value: Any) -> str:
    if isinstance(value, CategoryWeight) or (isinstance(value, Mapping) and "values" in value):
        return "category"
    if isinstance(value, (NumericWeight, Mapping)):
        return "numeric"
    return "number"


#: A weight: a bare number, ``{weight, best, worst}`` or ``{weight, values}``.
WeightSpec = Annotated[
    Annotated[float, Tag("number")]
    | Annotated[NumericWeight, Tag("numeric")]
    | Annotated[CategoryWeight, Tag("category")],
    Discriminator(_weight_kind),
]


class Profile(BaseModel):
    """A screening profile: hard filters, weights, current-use penalties, the unknown policy.

    ``on_unknown``: ``open`` (default) makes a plot with an unknown criterion and no
    failed one *open*; ``fail`` counts an unknown criterion as failed; ``pass`` as met
    (the reason still says it is unknown).
    """

    model_config = _FORBID

    name: str = Field(min_length=1)
    description: str = ""
    on_unknown: Literal["open", "fail", "pass"] = "open"
    filters: Filters = Field(default_factory=lambda: Filters.model_validate({}))
    weights: dict[WeightCriterion, WeightSpec] = Field(default_factory=dict)
    #: Score penalty per current use (first word of ``current_use``): the score is
    #: multiplied by ``1 - penalty`` (0–1).
    penalise_current_uses: dict[str, float] = Field(default_factory=dict)

    @field_validator("penalise_current_uses")
    @classmethod
    def _penalties(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: x for k, x in v.items() if not 0 <= x <= 1}
        if bad:
            raise ValueError(f"penalties must be between 0 and 1, got {bad}")
        return {k.strip().lower(): x for k, x in v.items()}

    @model_validator(mode="after")
    def _check_weights(self) -> Profile:
        for key, spec in self.weights.items():
            if key in _CATEGORIES:
                if not isinstance(spec, CategoryWeight):
                    raise ValueError(
                        f"weights.{key}: give {{weight: W, values: {{category: 0..1}}}} "
                        "for a category attribute"
                    )
                unknown = sorted(set(spec.values) - set(_CATEGORIES[key]))
                if unknown:
                    raise ValueError(
                        f"weights.{key}.values: unknown categories {unknown}; "
                        f"allowed: {list(_CATEGORIES[key])}"
                    )
                continue
            if isinstance(spec, CategoryWeight):
                raise ValueError(f"weights.{key}: a numeric criterion takes best/worst, not values")
            if isinstance(spec, (int, float)) and spec <= 0:
                raise ValueError(f"weights.{key}: weight must be > 0, got {spec}")
            best, worst = self._range(key, spec)
            if best == worst:
                raise ValueError(f"weights.{key}: best and worst must differ")
        return self

    @staticmethod
    def _range(key: str, spec: float | NumericWeight) -> tuple[float, float]:
        default = DEFAULT_RANGES.get(key)
        best = spec.best if isinstance(spec, NumericWeight) else None
        worst = spec.worst if isinstance(spec, NumericWeight) else None
        if (best is None or worst is None) and default is None:
            raise ValueError(f"weights.{key}: has no default range; give best and worst")
        if default is not None:
            best = default[0] if best is None else best
            worst = default[1] if worst is None else worst
        assert best is not None and worst is not None
        return float(best), float(worst)

    def score_specs(self) -> list[tuple[str, float, Any]]:
        """(criterion, weight, (best, worst) or category map) for every weight."""
        specs: list[tuple[str, float, Any]] = []
        for key, spec in self.weights.items():
            if isinstance(spec, CategoryWeight):
                specs.append((key, spec.weight, spec.values))
            else:
                w = spec.weight if isinstance(spec, NumericWeight) else float(spec)
                specs.append((key, w, self._range(key, spec)))
        return specs


_UNION_TAGS = {"number", "numeric", "category", "[key]"}


def _is_union_tag(part: str) -> bool:
    return part in _UNION_TAGS or part.startswith(("function-", "literal["))


def parse_profile(data: object, source: str = "profile") -> Profile:
    """Validate a profile given as a mapping (parsed YAML/JSON).

    Raises
    ------
    ProfileError
        Naming every bad key with its path (e.g. ``filters.max_slop_pct``) and why.
    """
    if not isinstance(data, Mapping):
        raise ProfileError(
            f"{source}: a profile must be a mapping of keys, got {type(data).__name__}."
        )
    try:
        return Profile.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"] if not _is_union_tag(str(p)))
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (check the spelling)"
            problems.append(f"{loc}: {msg}" if loc else msg)
        raise ProfileError(f"{source}: " + "; ".join(dict.fromkeys(problems))) from exc
