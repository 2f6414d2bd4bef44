"""A longer schemathesis run against the API (the rule of tests/service/test_service_fuzz_api.py:
no 5xx, every refusal in the {code, message, request_id, data} envelope), printing how many
requests each operation got, the status codes seen and any rule breaks, as JSON.

    PYTHONPATH=src .venv/bin/python benchmarks/fuzz_api.py --examples 300
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from motionctl.api import create_app
from motionctl.settings import Settings
from motionctl.tasks.accounts import create_account
from motionctl.tasks.runtime import build_services


def breaks_rule(response: Any) -> str | None:
    if response.status_code >= 500:
        return f"{response.status_code}: {response.text[:200]}"
    if response.status_code >= 400:
        try:
            env = response.json()
        except ValueError:
            return f"{response.status_code} not JSON: {response.text[:200]}"
        if not isinstance(env, dict) or set(env) != {"code", "message", "request_id", "data"}:
            return f"{response.status_code} not the envelope: {str(env)[:200]}"
    return None


def fuzz_operation(
    op: Any, mode: GenerationMode, key: str, examples: int, statuses: Counter[int], breaks: list[str]
) -> int:
    sent = 0

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=op.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        nonlocal sent
        response = case.call(headers={"Authorization": f"Bearer {key}"})
        sent += 1
        statuses[response.status_code] += 1
        problem = breaks_rule(response)
        if problem:
            breaks.append(f"{op.label}: {problem}")

    try:
        run()
    except Unsatisfiable:  # nothing in the schema to break (no parameters, no body)
        pass
    return sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=300, help="examples per operation")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="fuzz-api-")) / "data"
    settings_ = Settings(data_dir=data, download_max_seconds=2.0, max_active_tasks=1000, log_json=False,
                         upload_rate_per_minute=0, intake_processes=0)  # fmt: skip
    services = build_services(settings_)
    app = create_app(services=services)
    key = create_account(services.engine, "fuzz").api_key
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    statuses: Counter[int] = Counter()
    breaks: list[str] = []
    per_op: dict[str, int] = {}
    start = time.perf_counter()
    for result in schema.get_all_operations():
        op = result.ok()
        for mode in GenerationMode:  # valid requests, and requests that break the schema
            label = f"{op.label} ({mode.value})"
            per_op[label] = fuzz_operation(op, mode, key, args.examples, statuses, breaks)
    report = {
        "requests": sum(per_op.values()),
        "seconds": round(time.perf_counter() - start, 1),
        "per_operation": per_op,
        "statuses": dict(sorted(statuses.items())),
        "5xx": sum(n for s, n in statuses.items() if s >= 500),
        "rule_breaks": breaks[:20],
    }
    print(json.dumps(report, indent=2))
    return 1 if breaks else 0


if __name__ == "__main__":
    sys.exit(main())
