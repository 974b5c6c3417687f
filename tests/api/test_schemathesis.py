"""Property-based tests over the OpenAPI spec: no server error, every answer fits its schema.

Schemathesis generates requests for every operation of ``/openapi.json`` and runs them
against the ASGI app in-process (no network). The example count is bounded so the run
stays well under a minute. (Schemathesis' own ``from_fixture`` does not work with
pytest 9, so each operation is a parametrized test that draws cases with Hypothesis.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
    "collection_id": ["municipalities", "stations", "plots"],
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
