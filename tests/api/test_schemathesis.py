"""Property-based API testing with schemathesis against our own OpenAPI schema, as every role.

For each role the schema at /api/schema/ is loaded through the WSGI application with that role's
API token, and every operation is called with generated data, valid (POSITIVE) and invalid
(NEGATIVE). Two properties must hold for every call:
- no server error (5xx);
- no scope leak: no member or organization outside the role's scope appears in a response, and
  none outside it is changed (compared row by row before and after the whole run).
``SCHEMATHESIS_EXAMPLES`` bounds the examples per operation and mode (CI: the default).
"""

import json
import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from conftest import World
from dangjian.core import scope
from dangjian.core.models import User
from dangjian.core.services import create_token
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
ROLES = [
    "county_admin",
    "town_admin",
    "branch_admin",
    "member_user",
    "system_admin",
    "security_admin",
    "audit_admin",
    "no_role",
]
PUBLIC = {"/api/v1/auth/token/"}  # answers without a login by design


def snapshot(model: Any, excluded: set[int]) -> dict[int, dict[str, Any]]:
    """Every row of ``model`` outside the role's scope, field by field."""
    return {row["id"]: row for row in model._default_manager.exclude(pk__in=excluded).values()}


def returned_ids(body: Any) -> list[int]:
    """The ids of the objects a response shows (a page of results, or one object)."""
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        return [row["id"] for row in body["results"] if isinstance(row, dict) and "id" in row]
    if isinstance(body, dict) and isinstance(body.get("id"), int):
        return [body["id"]]
    return []


@pytest.fixture
def wsgi_app() -> Any:
    """The project's WSGI application, called in-process like Django's test client: the database
    connection of the test (and its transaction) must survive each request's end."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_never_fails_and_never_leaks(world: World, wsgi_app: Any, role: str) -> None:
    user: User = getattr(world, role)
    headers = {"Authorization": f"Token {create_token(actor=user, name='schemathesis')[1]}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app, headers=headers)

    in_scope = {
        Member: set(scope.scoped(user, Member.objects.all()).values_list("pk", flat=True)),
        Organization: set(scope.scoped(user, Organization.objects.all()).values_list("pk", flat=True)),
    }
    before = {model: snapshot(model, ids) for model, ids in in_scope.items()}
    statuses: Counter[int] = Counter()
    problems: list[str] = []

    def check(case: Any) -> None:
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        sent = json.dumps(case.body, default=str)[:200] if isinstance(case.body, dict | list) else ""
        request = f"{case.method} {case.formatted_path} {case.query or ''} {sent}"
        if response.status_code >= 500:
            problems.append(f"{response.status_code} for {request}")
            return
        if case.path in PUBLIC or response.status_code >= 300:
            return
        model = Member if case.path.startswith("/api/v1/members") else Organization
        body = response.json() if response.headers.get("content-type", [""])[0].startswith("application/json") else None
        for pk in returned_ids(body):
            if not scope.scoped(user, model._default_manager.filter(pk=pk)).exists():
                problems.append(f"{model.__name__} {pk} outside the scope in {request}")

    def explore(strategy: Any, examples: int) -> None:
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            check(case)

        run()

    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            explore(operation.as_strategy(generation_mode=mode), EXAMPLES)
        if "{id}" in operation.path:
            # Random ids rarely exist: also aim every method at each real object, in and out of scope.
            model = Member if operation.path.startswith("/api/v1/members") else Organization
            for pk in model._default_manager.values_list("pk", flat=True):
                explore(operation.as_strategy(path_parameters={"id": pk}), 2)

    after = {model: snapshot(model, ids) for model, ids in in_scope.items()}
    for model in before:
        changed = [pk for pk in before[model] if before[model][pk] != after[model].get(pk)]
        if changed:
            problems.append(f"{model.__name__} outside the scope changed: {changed}")
    calls = sum(statuses.values())
    print(
        f"\nschemathesis {role}: {len(operations)} operations, {calls} calls, statuses {dict(sorted(statuses.items()))}"
    )
    assert calls >= len(operations) * 2
    assert not problems, "\n".join(problems[:20])
