"""Property-based API testing with schemathesis against our own OpenAPI schema, as every role.

For each role the schema at /api/schema/ is loaded through the WSGI application with that role's
API token, and every operation is called with generated data, valid (POSITIVE) and invalid
(NEGATIVE). Three properties must hold for every call:
- no server error (5xx);
- the response is what the schema says: a documented status code, the declared content type,
  a body and headers that validate against the response schema (what a generated client relies on);
- no scope leak: no member or organization outside the role's scope appears in a response, and
  none outside it is changed (compared row by row before and after the whole run).
``SCHEMATHESIS_EXAMPLES`` bounds the examples per operation and mode, ``SCHEMATHESIS_OBJECTS`` the
real objects each operation on one object is aimed at, in and out of the scope. The defaults keep
``make test`` quick (600 to 770 calls per role; the examples are derandomized, so every run makes
the same calls); before a release, or after changing a serializer, run a deeper search:
``SCHEMATHESIS_EXAMPLES=25 SCHEMATHESIS_OBJECTS=4 make test PYTEST_ARGS=tests/api``.
"""

import copy
import json
import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import World
from dangjian.core import scope
from dangjian.core.models import User
from dangjian.core.services import create_token
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
OBJECTS = int(os.environ.get("SCHEMATHESIS_OBJECTS", "2"))  # real objects aimed at, in and out of scope
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
CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


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


_SCHEMA: dict[str, Any] = {}


def raw_schema(app: Any, headers: dict[str, str]) -> dict[str, Any]:
    """The schema as /api/schema/ serves it, fetched once per process: it is the same for every
    role (what a role may do is decided per call, not by hiding operations)."""
    if not _SCHEMA:
        response = schemathesis.openapi.from_wsgi("/api/schema/", app, headers=headers)
        _SCHEMA.update(response.raw_schema)
    return _SCHEMA


_GENERATED: dict[tuple[str, Any], list[Any]] = {}


def generated(operation: Any, aim: GenerationMode | int, examples: int) -> list[Any]:
    """The cases hypothesis generates for the operation, valid or invalid (a mode), or aimed at
    the object with that id: generated once per process and sent as every role. The generation is
    derandomized, so each role would get the very same cases again; generating them is half the
    time of a run."""
    key = (operation.label, aim)
    if key not in _GENERATED:
        if isinstance(aim, GenerationMode):
            strategy = operation.as_strategy(generation_mode=aim)
        else:
            strategy = operation.as_strategy(path_parameters={"id": aim})
        found: list[Any] = []

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def collect(case: Any) -> None:
            found.append(case)

        collect()
        _GENERATED[key] = found
    return _GENERATED[key]


def model_of(path: str) -> Any:
    """The scoped model whose rows the view of ``path`` answers with (its viewset's queryset), or
    None for a report or a view of rows that are not registered with the scope."""
    try:
        view = resolve(path.split("?")[0]).func
    except Resolver404:
        return None
    queryset = getattr(getattr(view, "cls", None), "queryset", None)
    model = getattr(queryset, "model", None)
    return model if model is not None and scope.is_registered(model) else None


def aimed_ids(model: Any, in_scope: set[int]) -> list[int]:
    """A few objects in the scope and a few outside it (the scope test matrix covers every
    route for every object; here each operation meets both kinds)."""
    every = sorted(model._default_manager.values_list("pk", flat=True))
    inside = [pk for pk in every if pk in in_scope][:OBJECTS]
    outside = [pk for pk in every if pk not in in_scope][:OBJECTS]
    return inside + outside


@pytest.mark.parametrize("role", ROLES)
def test_the_api_never_fails_and_never_leaks(world: World, wsgi_app: Any, role: str) -> None:
    user: User = getattr(world, role)
    headers = {"Authorization": f"Token {create_token(actor=user, name='schemathesis')[1]}"}
    schema = schemathesis.openapi.from_dict(copy.deepcopy(raw_schema(wsgi_app, headers)))
    schema.app = wsgi_app

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
        try:
            case.validate_response(response, checks=CONFORMANCE)
        except (AssertionError, BaseExceptionGroup) as failure:  # the checks that failed, grouped
            found = failure.exceptions if isinstance(failure, BaseExceptionGroup) else [failure]
            said = " / ".join(f"{getattr(f, 'title', '')}: {str(getattr(f, 'message', f))[:300]}" for f in found)
            problems.append(f"{response.status_code} not as the schema says for {request}: {said}")
        if case.path in PUBLIC or response.status_code >= 300:
            return
        model = model_of(case.formatted_path)
        if model is None:
            return
        body = response.json() if response.headers.get("content-type", [""])[0].startswith("application/json") else None
        for pk in returned_ids(body):
            if not scope.scoped(user, model._default_manager.filter(pk=pk)).exists():
                problems.append(f"{model.__name__} {pk} outside the scope in {request}")

    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for case in generated(operation, mode, EXAMPLES):
                check(case)
        if "{id}" in operation.path:
            # Random ids rarely exist: also aim every method at real objects, in and out of scope.
            model = Member if operation.path.startswith("/api/v1/members") else Organization
            for pk in aimed_ids(model, in_scope[model]):
                for case in generated(operation, pk, 2):
                    check(case)

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
