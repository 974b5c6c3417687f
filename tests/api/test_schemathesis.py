"""Property-based tests over the OpenAPI spec: no server error, every answer fits its schema.

Schemathesis generates requests for every operation of ``/openapi.json`` and runs them
against the ASGI app in-process (no network). The example count is bounded so the run
stays well under a minute. (Schemathesis' own ``from_fixture`` does not work with
pytest 9, so each operation is a parametrized test that draws cases with Hypothesis.)
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from api.app import create_app
from geo.settings import Settings

#: Generated requests per operation.
MAX_EXAMPLES = 20


def _operations() -> list[tuple[str, str, GenerationMode]]:
    """(method, path, mode) to test: every operation with valid data, and with invalid data
    where its parameters constrain anything (a bare string accepts every value)."""
    spec = create_app(Settings()).openapi()
    out = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            out.append((method.upper(), path, GenerationMode.POSITIVE))
            constrained = [
                p
                for p in op.get("parameters", [])
                if {k: v for k, v in p["schema"].items() if k != "title"} != {"type": "string"}
            ]
            if constrained or "requestBody" in op:
                out.append((method.upper(), path, GenerationMode.NEGATIVE))
    return out


@pytest.fixture(scope="module")
def api_schema(settings: Settings) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(settings))


def test_every_operation_is_covered(api_schema: schemathesis.BaseSchema) -> None:
    found = {(r.ok().method.upper(), r.ok().path) for r in api_schema.get_all_operations()}
    assert found == {(m, p) for m, p, _ in _operations()}
    assert ("GET", "/ogc/collections/{collection_id}/items") in found


#: Known values of path parameters: drawn half of the time instead of generated text, so
#: requests get past the lookup of a collection or feature to the code behind it.
KNOWN_PATH_VALUES: dict[str, list[str]] = {
    "collection_id": ["municipalities", "stations", "plots"],
    "feature_id": ["16053000", "16051000", "8011956"],
    "ags": ["16053000", "Jena", "160530000000"],
    "name": ["region"],
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


@pytest.mark.parametrize(("method", "path", "mode"), _operations(), ids=lambda v: str(v))
def test_operation_conforms_to_its_spec(
    api_schema: schemathesis.BaseSchema, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]
    run_checks = (
        CHECKS if mode is GenerationMode.POSITIVE else [*CHECKS, checks.negative_data_rejection]
    )

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case, data: st.DataObject) -> None:
        for key, known in KNOWN_PATH_VALUES.items():
            if key in (case.path_parameters or {}) and data.draw(st.booleans()):
                case.path_parameters[key] = data.draw(st.sampled_from(known))  # type: ignore[index]
        case.call_and_validate(checks=run_checks)

    check()
