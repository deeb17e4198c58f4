"""The OpenAPI document describes the API as it behaves (issue 8, section 5).

schemathesis generates requests from ``/openapi.json``, both valid and invalid ones, sends
them to the real app over the demo database (in process, over ASGI) and runs every check it
has (``st run --checks all``): a valid request must be served, an invalid one refused with a
4xx, and each answer must carry a documented status, media type and body. The number of
examples is bounded and the generation derandomized, so CI runs the same cases every time.

The same run against a live server, with more examples and the stateful phase::

    paperboy --db sqlite:////tmp/demo.db demo --no-serve
    paperboy --db sqlite:////tmp/demo.db serve --port 8731 &
    st run --checks all --max-examples 100 http://127.0.0.1:8731/openapi.json
"""

from __future__ import annotations

from typing import get_args

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from paperboy.api.params import DailySort, SearchSort
from paperboy.core.lists import DAILY_SORTS
from paperboy.search.types import SORTS

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same cases on every run: CI stays stable
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def api_schema(web_app):
    from starlette.testclient import TestClient

    with TestClient(web_app) as client:  # the searcher is built before the examples run
        client.get("/api/papers/search", params={"q": "warm up"})
    return schemathesis.openapi.from_asgi("/openapi.json", web_app)


def _run(operation, mode: GenerationMode, checks) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @EXAMPLES
    def check(case) -> None:
        case.call_and_validate(checks=checks)

    check()


# One test per mode, looping over the operations: schemathesis's own ``from_fixture``
# parametrization reads a private pytest attribute that pytest 9 no longer has.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_matches_its_schema(api_schema, mode):
    load_all_checks()
    checks = CHECKS.get_all()  # as `st run --checks all`
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:
        try:
            _run(operation, mode, checks)
        except Unsatisfiable:  # every value is valid (a free-text path id): nothing to refuse
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as exc:  # collect all, so one run names every mismatch
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_the_schema_documents_what_the_handlers_check():
    # The Literal types in params.py are spelled out; they must stay the parsers' lists.
    assert get_args(get_args(DailySort)[0]) == DAILY_SORTS
    assert get_args(get_args(SearchSort)[0]) == SORTS


def test_the_period_parameters_are_one_documented_object(client):
    doc = client.get("/openapi.json").json()
    for path in ("/api/daily_papers", "/feeds/daily.atom"):
        names = [p["name"] for p in doc["paths"][path]["get"]["parameters"]]
        assert "period" in names and not {"date", "week", "month"} & set(names), path
    both = client.get("/api/daily_papers", params={"date": "2026-06-01", "month": "2026-06"})
    assert both.status_code == 422 and "give at most one" in both.json()["error"]
