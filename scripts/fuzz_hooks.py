"""Schemathesis hooks for ``scripts/fuzz_api.py``: who calls, and what else counts as a failure.

Loaded by schemathesis through ``SCHEMATHESIS_HOOKS=fuzz_hooks`` (``scripts/`` on the path).
The driver hands the signed-in people over in ``HELPCALL_FUZZ_PEOPLE`` (JSON: role ->
email, password, token). Each case is sent as one of them: admins' operations as the admin,
the others as a client, an expert or the admin in turn, so that the fuzzing gets past 401
and 403 into the handlers. A case that revokes its own token (``DELETE /tokens/current``)
or otherwise makes it fail is noticed by its 401, and the person logs in again.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from typing import Any

import requests
import schemathesis

BASE_URL = os.environ.get("HELPCALL_FUZZ_URL", "")
PEOPLE: dict[str, dict[str, str]] = json.loads(os.environ.get("HELPCALL_FUZZ_PEOPLE", "{}"))
ROLES = ("client", "expert", "admin")
_turns = itertools.count()
_suspect: set[str] = set()
# Per operation, the roles it refused (403): later cases go as the others.
_refused: dict[str, set[str]] = {}

# What a Python stack trace or an internal error looks like in an answer's body.
STACK_TRACE = re.compile(r'Traceback \(most recent call last\)|File "[^"]+\.py", line \d+')


def _role_for(method: str, path: str) -> str:
    if "/admin/" in path:
        return "admin"
    allowed = [r for r in ROLES if r not in _refused.get(f"{method} {path}", set())] or ROLES
    return allowed[next(_turns) % len(allowed)]


def _fresh_token(role: str) -> str:
    person = PEOPLE[role]
    answer = requests.post(f"{BASE_URL}/api/v1/tokens", timeout=10,
                           json={"email": person["email"], "password": person["password"]})
    if answer.status_code == 200:
        person["token"] = answer.json()["token"]
    return person["token"]


@schemathesis.auth(refresh_interval=None)
class PersonAuth:
    """A token of the role this case is sent as; a new one when a case revoked it."""

    def get(self, case: Any, ctx: Any) -> tuple[str, str]:
        role = _role_for(case.operation.method.upper(), case.operation.path)
        if role in _suspect:
            _suspect.discard(role)
            seen = requests.get(f"{BASE_URL}/api/v1/me", timeout=10,
                                headers={"Authorization": f"Bearer {PEOPLE[role]['token']}"})
            if seen.status_code == 401:
                _fresh_token(role)
        return role, PEOPLE[role]["token"]

    def set(self, case: Any, data: tuple[str, str], ctx: Any) -> None:
        role, token = data
        case.headers = case.headers or {}
        # Always ours: the point is to reach the handlers (401s are tested elsewhere).
        case.headers["Authorization"] = f"Bearer {token}"
        case.headers["X-Fuzz-Role"] = role


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    role = (case.headers or {}).get("X-Fuzz-Role")
    if response.status_code == 401 and role in PEOPLE:
        _suspect.add(role)
    elif response.status_code == 403 and role in PEOPLE:
        operation = f"{case.operation.method.upper()} {case.operation.path}"
        _refused.setdefault(operation, set()).add(role)


@schemathesis.check
def no_stack_trace(ctx: Any, response: Any, case: Any) -> bool | None:
    """An answer never shows a stack trace or the name of an internal exception."""
    if "zip" in (response.headers.get("content-type") or [""])[0]:
        return None  # a zip's bytes are not text (GET /me/export, /me/documents.zip)
    found = STACK_TRACE.search(response.text or "")
    if found:
        raise AssertionError(f"the answer shows an internal error: {found.group(0)!r}")
    return None
