"""Fuzz every operation of ``/api/v1/openapi.json`` against a running server (issue #17).

Starts the embedded Redis and ``python -m server`` on loopback, signs up a client and an
expert, makes an admin (``create-admin``), then runs schemathesis (``st run``) over every
operation, bounded by examples per operation and a time limit, with ``scripts/fuzz_hooks.py``
sending each case as one of those people. It fails on any 5xx, any answer outside the
documented schema or content type, any stack trace in an answer, and any stack trace in the
server's log; it prints the operations, the cases and the failures.

    .venv/bin/python scripts/fuzz_api.py [--max-examples N] [--seed S] [--max-seconds T]

The seed is fixed by default so that CI is reproducible; pass another (or set
``HELPCALL_FUZZ_SEED``) to explore.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.embedded_redis import EmbeddedRedis  # noqa: E402
from tests.processes import ServerProcess  # noqa: E402

PASSWORD = "fuzzing passw0rd"
CHECKS = ("not_a_server_error,response_schema_conformance,content_type_conformance,"
          "no_stack_trace")
LOG_TRACE = "Traceback (most recent call last)"
HUNG_SECONDS = 120


def sign_up(url: str, role: str) -> dict[str, str]:
    email = f"fuzz-{role}@example.test"
    created = requests.post(f"{url}/api/v1/accounts", timeout=10, json={
        "email": email, "password": PASSWORD, "display_name": f"Fuzz {role}", "role": role})
    created.raise_for_status()
    return {"email": email, "password": PASSWORD, "token": token(url, email)}


def token(url: str, email: str) -> str:
    answer = requests.post(f"{url}/api/v1/tokens", timeout=10,
                           json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    return str(answer.json()["token"])


def make_admin(url: str, env: dict[str, str]) -> dict[str, str]:
    email = "fuzz-admin@example.test"
    subprocess.run([sys.executable, "-m", "server", "create-admin", email], cwd=ROOT,
                   env=env, input=PASSWORD + "\n", text=True, check=True,
                   stdout=subprocess.DEVNULL)
    return {"email": email, "password": PASSWORD, "token": token(url, email)}


def summary(report: dict[str, Any], log_traces: int) -> list[str]:
    """What CI prints: operations, cases, and each failure, from schemathesis's JSON report."""
    operations, cases = report.get("operations", {}), report.get("test_cases", {})
    lines = [f"fuzzing: {operations.get('tested', 0)} of {operations.get('total', 0)} "
             f"operations, {cases.get('generated', 0)} cases, "
             f"{cases.get('unique_failures', 0)} failures, {len(report.get('errors', []))} "
             f"errors, {log_traces} stack traces in the server log "
             f"({report.get('running_time', 0):.0f} s, seed {report.get('seed')})"]
    for failure in report.get("failures", []) + report.get("errors", []):
        lines.append("  " + json.dumps(failure, ensure_ascii=False)[:500])
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--seed", type=int,
                        default=int(os.environ.get("HELPCALL_FUZZ_SEED", "20261203")))
    parser.add_argument("--max-seconds", type=int, default=110,
                        help="schemathesis's time budget; it cycles until it is spent")
    parser.add_argument("--server-log", type=Path, help="keep the server's log there")
    args, passed_on = parser.parse_known_args()  # the rest goes to `st run`

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="helpcall-fuzz-") as tmp:
        data = Path(tmp)
        report_path = data / "report.json"
        redis = EmbeddedRedis(data / "redis")
        env = {"REDIS_URL": redis.start_sync(), "HELPCALL_DATA_DIR": str(data / "app"),
               "HELPCALL_SECRET_KEY": "fuzzing-secret-key", "HELPCALL_LOG_LEVEL": "WARNING",
               "PATH": os.environ.get("PATH", "")}
        server = ServerProcess(env)
        try:
            server.wait_ready()
            people = {"client": sign_up(server.url, "client"),
                      "expert": sign_up(server.url, "expert"),
                      "admin": make_admin(server.url, {**env, "PYTHONPATH": str(ROOT)})}
            print(f"fuzzing {server.url} (seed {args.seed}, {args.max_examples} examples "
                  "per operation)", flush=True)
            code = run_schemathesis(server.url, people, args, passed_on, report_path)
        finally:
            server.stop()
            redis.stop_sync()
        log_text = server.output()
        if args.server_log:
            args.server_log.write_text(log_text)
        traces = log_text.count(LOG_TRACE)
        report = json.loads(report_path.read_text()) if report_path.exists() else {}
    if traces:
        print("server log:\n" + log_text[-6000:], file=sys.stderr)
    print("\n".join(summary(report, traces)))
    print(f"fuzzing took {time.monotonic() - started:.0f} s in all")
    return 1 if code or traces or not report else 0


def run_schemathesis(url: str, people: dict[str, dict[str, str]], args: argparse.Namespace,
                     passed_on: list[str], report_path: Path) -> int:
    st_env = {**os.environ, "SCHEMATHESIS_HOOKS": "fuzz_hooks",
              "PYTHONPATH": os.pathsep.join([str(ROOT / "scripts"), str(ROOT)]),
              "HELPCALL_FUZZ_URL": url, "HELPCALL_FUZZ_PEOPLE": json.dumps(people)}
    command = [
        str(Path(sys.executable).parent / "st"), "run", f"{url}/api/v1/openapi.json",
        "--url", url, "--checks", CHECKS, "--max-examples", str(args.max_examples),
        "--seed", str(args.seed), "--max-time", str(args.max_seconds),
        "--phases", "examples,coverage,fuzzing",
        "--suppress-health-check", "all", "--request-timeout", "10", "--workers", "1",
        "--no-shrink", "--report", "json", "--report-json-path", str(report_path), *passed_on,
    ]
    try:
        # In the report's directory: schemathesis leaves its cache where it runs.
        # The hard limit only catches a hung run: the budget above ends a healthy one.
        return subprocess.run(command, env=st_env, cwd=report_path.parent,
                              timeout=args.max_seconds + HUNG_SECONDS, check=False).returncode
    except subprocess.TimeoutExpired:
        print(f"schemathesis still ran {HUNG_SECONDS} s past its budget", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
