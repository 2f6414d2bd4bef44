"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis, bounded to fit
`make test`): whatever a client sends, no 5xx, and every refusal in the {code, message,
request_id, data} envelope. benchmarks/fuzz_api.py runs the same rule for longer."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from svc_env import make_settings

from motionctl.tasks.accounts import create_account
from motionctl.tasks.runtime import build_services

EXAMPLES = 15  # per operation and mode: the suite's budget (benchmarks/fuzz_api.py runs more)


def check_refusal(response: Any) -> None:
    """The rule: no 5xx; a refusal from the API is its envelope, with this request's id."""
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        env = response.json()
        assert set(env) == {"code", "message", "request_id", "data"}, env
        assert env["data"] is None and isinstance(env["code"], int) and env["code"] > 0, env
        rid = response.headers["x-request-id"]
        assert env["request_id"] == (rid[0] if isinstance(rid, list) else rid), env
        assert env["message"], env


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    data = Path(tmp_path_factory.mktemp("fuzz")) / "data"
    # The production address rule: generated URLs never reach a loopback service of this machine.
    svc = build_services(make_settings(data, allow_private_urls=False, download_max_seconds=2.0, max_active_tasks=50,
                                          upload_rate_per_minute=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from motionctl.api import create_app
    yield create_app(services=svc), create_account(svc.engine, "fuzz").api_key
    svc.engine.dispose()


def operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_no_5xx_and_every_refusal_in_the_envelope(fuzz_app: tuple[Any, str]) -> None:
    app, key = fuzz_app
    ops = operations(app)
    assert len(ops) >= 6  # every endpoint of the schema, not a subset

    for op, mode in itertools.product(ops, GenerationMode):  # valid requests, and ones breaking the schema

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(case=op.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            check_refusal(case.call(headers={"Authorization": f"Bearer {key}"}))

        try:
            run()
        except Unsatisfiable:  # nothing in the schema to break (no parameters, no body)
            assert mode is GenerationMode.NEGATIVE, op.label
