"""Property-based tests over the OpenAPI spec: no server error, every answer fits its schema.

Schemathesis generates requests for every operation of ``/openapi.json`` and runs them
against the ASGI app in-process (no network). The example count is bounded so the run
stays well under a minute. (Schemathesis' own ``from_fixture`` does not work with
pytest 9, so each operation is a parametrized test that draws cases with Hypothesis.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from api.app import create_app
from geo.settings import Settings
from tests.api.landpool_seed import SeededApi, seed

#: Generated requests per operation.
MAX_EXAMPLES = 20
#: Fewer for operations that compute a whole map per request (about 1 s each).
MAX_EXAMPLES_BY_OPERATION = {("GET", "/maps/reachable.html"): 5}


def _operations() -> list[tuple[str, str, GenerationMode, str]]:
    """(method, path, mode, role) to test: every operation with valid data, and with invalid
    data where its parameters constrain anything (a bare string accepts every value); as
    ``public``, and land-pool operations also as ``landpool`` (so writes get past 403)."""
    spec = create_app(Settings()).openapi()
    out = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            roles = ["public", "landpool"] if path.startswith("/plots") else ["public"]
            modes = [GenerationMode.POSITIVE]
            constrained = [
                p
                for p in op.get("parameters", [])
                if {k: v for k, v in p["schema"].items() if k != "title"} != {"type": "string"}
            ]
            if constrained or "requestBody" in op:
                modes.append(GenerationMode.NEGATIVE)
            out += [(method.upper(), path, m, r) for m in modes for r in roles]
    return out


@pytest.fixture(scope="module")
def seeded(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededApi]:
    """The app with a land pool of public and confidential plots and a token per role."""
    lp = seed(settings, Path(tmp_path_factory.mktemp("schemathesis")))
    yield lp
    store = getattr(lp.client.app.state, "store", None)  # type: ignore[attr-defined]
    if store is not None:
        store.close()


@pytest.fixture(scope="module")
def api_schema(seeded: SeededApi) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", seeded.client.app)


def test_every_operation_is_covered(api_schema: schemathesis.BaseSchema) -> None:
    found = {(r.ok().method.upper(), r.ok().path) for r in api_schema.get_all_operations()}
    assert found == {(m, p) for m, p, _, _ in _operations()}
    assert ("GET", "/ogc/collections/{collection_id}/items") in found


#: Known values of path parameters: drawn half of the time (for valid data) instead of
#: generated text, so requests get past the lookup of a collection or feature to the code
#: behind it.
KNOWN_PATH_VALUES: dict[str, list[str]] = {
    "collection_id": ["municipalities", "stations", "plots", "contributions"],
    "feature_id": ["16053000", "16051000", "8011956"],
    "ags": ["16053000", "Jena", "160530000000"],
    "name": ["region"],
    "plot_id": ["OFFEN-1", "OFFEN-2", "GEHEIM-7731"],
}

#: Checks run on every answer. ``positive_data_acceptance`` is left out: the spec cannot
#: say everything the domain checks (a municipality code must have 8 or 12 digits, a bbox
#: south edge must lie south of its north edge), and such input rightly answers 4xx.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.mark.parametrize(("method", "path", "mode", "role"), _operations(), ids=lambda v: str(v))
def test_operation_conforms_to_its_spec(
    api_schema: schemathesis.BaseSchema,
    seeded: SeededApi,
    method: str,
    path: str,
    mode: GenerationMode,
    role: str,
) -> None:
    operation = api_schema[path][method]
    headers = seeded.headers[role]
    run_checks = (
        CHECKS if mode is GenerationMode.POSITIVE else [*CHECKS, checks.negative_data_rejection]
    )

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES_BY_OPERATION.get((method, path), MAX_EXAMPLES),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case, data: st.DataObject) -> None:
        for key, known in KNOWN_PATH_VALUES.items():
            if mode.is_negative:
                break  # a known value would make an invalid case partly valid
            if key in (case.path_parameters or {}) and data.draw(st.booleans()):
                case.path_parameters[key] = data.draw(st.sampled_from(known))  # type: ignore[index]
        case.call_and_validate(checks=run_checks, headers=headers)

    check()


# -- boundary values of every integer and list query parameter -------------------------------
#: Query parameters an operation needs besides the one under test (to get past "no origin").
BASE_QUERY: dict[str, dict[str, str]] = {"/isochrones": {"from": "Jena"}}
#: Out-of-range values an operation serves anyway, as its description says (OGC API –
#: Features lets a server cap ``limit``): (path, parameter, side).
LENIENT = {("/ogc/collections/{collection_id}/items", "limit", "above")}


def _bounded(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The integer or array branch of a parameter schema, with its bounds (``anyOf`` too)."""
    branches = schema.get("anyOf", [schema])
    for b in branches:
        if b.get("type") in ("integer", "array"):
            merged = {**{k: v for k, v in schema.items() if k != "anyOf"}, **b}
            return merged
    return None


def _item_value(items: dict[str, Any]) -> Any:
    if items.get("type") in ("number", "integer"):
        return items.get("minimum", 1)
    return "Jena"


def _boundary_cases() -> list[tuple[str, str, str, str, Any, bool]]:
    """(method, path, parameter, label, value, valid) for every bounded query parameter."""
    spec = create_app(Settings()).openapi()
    out = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for p in op.get("parameters", []):
                schema = _bounded(p["schema"]) if p["in"] == "query" else None
                if schema is None:
                    continue
                name = p["name"]
                if schema["type"] == "integer":
                    assert "minimum" in schema and "maximum" in schema, f"{path} {name} unbounded"
                    lo, hi = schema["minimum"], schema["maximum"]
                    out += [
                        (method, path, name, "min", lo, True),
                        (method, path, name, "max", hi, True),
                        (method, path, name, "below", lo - 1, False),
                        (method, path, name, "above", hi + 1, (path, name, "above") in LENIENT),
                        (method, path, name, "2**63", 2**63, (path, name, "above") in LENIENT),
                    ]
                else:
                    assert "maxItems" in schema, f"{path} {name}: list without maxItems"
                    n, items = schema["maxItems"], schema.get("items", {})
                    value = _item_value(items)
                    out += [
                        (method, path, name, "maxItems", [value] * n, True),
                        (method, path, name, "maxItems+1", [value] * (n + 1), False),
                    ]
                    if "maximum" in items:
                        out.append(
                            (method, path, name, "item above", [items["maximum"] + 1], False)
                        )
                    if "maxLength" in items:
                        out.append(
                            (
                                method,
                                path,
                                name,
                                "item long",
                                ["x" * (items["maxLength"] + 1)],
                                False,
                            )
                        )
    return out


def test_every_integer_and_list_parameter_is_bounded() -> None:
    cases = _boundary_cases()
    names = {(path, name) for _, path, name, *_ in cases}
    assert {("/plots", "offset"), ("/plots", "limit"), ("/isochrones", "minutes")} <= names
    assert ("/municipalities", "name") in names


@pytest.mark.parametrize(
    ("method", "path", "name", "label", "value", "valid"),
    _boundary_cases(),
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_boundary_values(
    api_schema: schemathesis.BaseSchema,
    seeded: SeededApi,
    method: str,
    path: str,
    name: str,
    label: str,
    value: Any,
    valid: bool,
) -> None:
    operation = api_schema[path][method.upper()]
    path_parameters = {
        key: KNOWN_PATH_VALUES[key][0] for key in KNOWN_PATH_VALUES if "{" + key + "}" in path
    }
    case = operation.Case(
        path_parameters=path_parameters, query={**BASE_QUERY.get(path, {}), name: value}
    )
    response = case.call_and_validate(checks=CHECKS, headers=seeded.headers["public"])
    if valid:
        assert response.status_code == 200, response.text[:300]
    else:
        assert response.status_code in (400, 422), response.text[:300]
