"""Schemathesis against the service's OpenAPI schema, with and without a valid token.

No request may cause a 5xx; every refused request gets a 4xx whose body names the problem.
Every operation is fuzzed in turn (schemathesis' pytest plugin does not run on pytest 9)
and every problem is collected, so one run reports all of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import negative_data_rejection

from tests import dashboard_support, exec_fixtures
from tests.dashboard_support import RunningService
from tests.exec_harness import QUIET_MARKET_LIMITS, TOKEN

GenerationMode = schemathesis.GenerationMode

simulator = exec_fixtures.simulator
running = dashboard_support.running
VALID = {"Authorization": f"Bearer {TOKEN}"}
SAFE = [schemathesis.checks.not_a_server_error]
CHECKS = [*SAFE, negative_data_rejection]
EXAMPLES = int(os.environ.get("DELTAWORKS_FUZZ_EXAMPLES", "10"))  # per operation and mode
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@pytest.fixture(scope="module", autouse=True)
def _restore_shared_state(running: RunningService) -> Iterator[None]:
    """Fuzzing may engage the (persisted) kill switch or change limits: undo it afterwards."""
    yield
    with running.client() as api:
        api.post("/risk/kill-switch", json={"engaged": False}).raise_for_status()
        api.put("/risk/limits", json=QUIET_MARKET_LIMITS).raise_for_status()


@pytest.fixture(scope="module")
def operations(running: RunningService) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{running.url}/openapi.json")
    schema.config.generation.update(allow_extra_parameters=False)  # unknown ones are ignored
    return [result.ok() for result in schema.get_all_operations()]


def _problem(response: Any) -> str | None:
    """Why a 4xx body does not name the problem (``None`` when it does)."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        return "body is not JSON"
    if isinstance(detail, list) and detail:
        if all(isinstance(e, dict) and e.get("loc") and e.get("msg") for e in detail):
            return None
    elif isinstance(detail, str) and detail.strip():
        return None
    return "no detail naming the problem"


def _fuzz(
    operation: Any, mode: Any, examples: int, check: Callable[[Any], str | None]
) -> list[str]:
    """Run ``examples`` generated cases of ``operation``; the distinct problems found."""
    found: dict[str, str] = {}

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        problem = check(case)
        if problem is not None:
            key = problem.split(" body=")[0]
            found.setdefault(key, f"{operation.label} [{mode.value}]: {problem}")

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        return []
    return list(found.values())


def _can_be_invalid(case: Any) -> bool:
    """Whether the data the server receives can still be schema-violating: a GET that has
    only query parameters sends strings, and schemathesis cannot always tell that an array
    or object generated for a string parameter arrives as valid strings (the query rules of
    numbers and states are tested in test_api_input_rules)."""
    return case.method.upper() != "GET" or bool(case.path_parameters)


def _with_token(case: Any) -> str | None:
    """No 5xx; negative data refused (schemathesis' own judgement of what stays invalid once
    serialised); every 4xx names the problem."""
    response = case.call(headers=VALID)
    seen = f"-> {response.status_code} body={case.body!r} query={case.query!r}"
    try:
        case.validate_response(response, checks=CHECKS if _can_be_invalid(case) else SAFE)
    except FailureGroup as group:
        titles = "; ".join(failure.title for failure in group.exceptions)
        return f"{titles} {seen}: {response.text[:300]}"
    if response.status_code >= 400 and (why := _problem(response)):
        return f"{why} {seen}: {response.text[:300]}"
    return None


def _without_token(case: Any) -> str | None:
    # The schema's bearer scheme makes schemathesis generate a token: drop it for "none".
    # A wrong token is 403, or 429 once the address has failed too often.
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    for headers, expected in (({}, {401}), ({"Authorization": "Bearer wrong"}, {403, 429})):
        response = case.call(headers=headers)
        if case.path == "/health":
            expected = {200}
        if response.status_code not in expected:
            return f"-> {response.status_code}, expected {expected}: {response.text[:200]}"
        if expected != {200} and (why := _problem(response)):
            return why
    return None


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
def test_with_token_no_server_errors(operations: list[Any], mode: Any) -> None:
    problems = [p for op in operations for p in _fuzz(op, mode, EXAMPLES, _with_token)]
    assert not problems, "\n".join(problems)


def test_without_valid_token_refused(operations: list[Any]) -> None:
    problems = [
        p for op in operations for p in _fuzz(op, GenerationMode.POSITIVE, 2, _without_token)
    ]
    assert not problems, "\n".join(problems)
