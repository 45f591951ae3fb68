"""Hostile input never answers 500 (penetration test, finding 8): every URL route of the project,
as anonymous, the 组织部/党委管理员 of the county, a 支部管理员, a 党员 and the 系统管理员 (and the
安全管理员 and 审计管理员 on their own pages), gets hostile values in every query parameter the code
reads and in every form or JSON field it declares, a 100,000-deep JSON array, a body that is not
JSON under a JSON content type, and hostile workbooks (XML entities, XXE, broken relationships) for
its file fields. Any status ≥ 500 or uncaught exception fails, naming route, role, the parameters
that fail alone (found by halving) and the values.

Nothing here lists parameters by hand, so a new route or parameter is covered without editing:

- routes come from the URL resolver, their path ids from the scope matrix's helpers
  (test_scope_matrix.py: every route is declared there);
- query parameter names from the source (``request.GET.get("…")``, ``query_params.get("…")``,
  ``params.get("…")``, ``"…" in request.GET``, ``OpenApiParameter("…")``), from the forms bound to
  ``request.GET``, from every django-filter FilterSet, and any other name the view is seen reading;
- body field names from every form and DRF serializer of the project (and ``fields["…"] =``).

Fast enough for CI (about 35 s on one core after the database is built) because:

- per hostile value, all parameters go in one request; where the answer refuses some of them by
  name (a DRF 400, a page's form errors), three of the values are sent again without those, so
  one refused field does not hide what the view does with the others;
- a probe with every parameter and field set to "1" records whether the view (the code the URL
  resolves to, not the middleware) read the query string or the body at all (``Watch``); where it
  did not (a login redirect, a 403, a 405) that role costs one request;
- the first role to reach an input gets every value, a later one the compact set, and only if its
  probe was answered differently (another status, other parameters read);
- each request runs in a savepoint that is rolled back, so destructive POSTs leave the world as
  built for the next one.

Not covered: forms bound with a per-object prefix (the party-group rows, ``g<id>-name``); what a
refusal hides when it does not name the field (the member export's plain-text 400 for its filters).
"""

import contextvars
import functools
import io
import itertools
import json
import os
import re
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlencode
from django.views.generic.edit import ProcessFormView
from django_filters import FilterSet
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

import dangjian
from conftest import signed_in
from dangjian.core.tests.test_scope_matrix import ATTACHED, CASES, ROUTES, _objects, _url

# --- what is sent ---------------------------------------------------------------------------

HOSTILE: tuple[tuple[str, str | list[str]], ...] = (
    ("NUL", "\x00"),
    ("'%00' text", "%00"),
    ("BEL inside", "a\x07b"),
    ("5000 characters", "x" * 5000),
    ("0001-01-01", "0001-01-01"),
    ("9999-12-31", "9999-12-31"),
    ("-1", "-1"),
    ("20 digits", "99999999999999999999"),
    ("1e309", "1e309"),
    ("NaN", "NaN"),
    ("path traversal", "../../etc/passwd"),
    ("<script>", "<script>"),
    ("SQL quote", "' OR 1=1 --"),
    ("RLO", "\u202e"),
    ("empty", ""),
    ("list for a scalar", ["1", "2"]),
)
# One value of each kind that broke something: what every role gets. ``FUZZ_VALUES=all`` sends the
# first role to reach an input every value above (a deeper run, about a third longer).
COMPACT = tuple(
    (label, value)
    for label, value in HOSTILE
    if label in {"NUL", "5000 characters", "0001-01-01", "20 digits", "-1", "list for a scalar"}
)
FIRST = HOSTILE if os.environ.get("FUZZ_VALUES") == "all" else COMPACT
# Sent again without the inputs the answer refused (up to three times), by the first role: what
# one refused field hides (a long username behind a too-long token name, an address behind a date).
UNMASK = {"5000 characters", "0001-01-01", "20 digits"}
JSON_TYPED: tuple[tuple[str, Any], ...] = (  # what only JSON can carry, in every field
    ("JSON object for a scalar", {"a": "b"}),
    ("JSON null", None),
    ("JSON true", True),
)
DEEP_JSON = "[" * 100_000 + "]" * 100_000
RAW_JSON_BODIES: tuple[tuple[str, str | bytes], ...] = (
    ("100,000-deep JSON array", DEEP_JSON),
    ("not JSON", '{"a": '),
    ("JSON number 1e309", '{"a": 1e309}'),
    ("JSON NaN literal", '{"a": NaN}'),
    ("invalid UTF-8", b'{"a": "\xff\xfe"}'),
    ("JSON list for an object", "[1, 2]"),
)
ROLES = ("anonymous", "county_admin", "branch_admin", "member_user", "system_admin")
DUTY_ROLES = ("security_admin", "audit_admin")
BENIGN = "1"
SLOW = 0.25  # seconds: a route slower than this (the schema) gets the compact values, as one role


# --- what the code reads --------------------------------------------------------------------

SOURCE = Path(dangjian.__file__).parent
QUOTED = r"""["']([A-Za-z_][\w-]*)["']"""


def _source_files() -> Iterator[str]:
    for path in sorted(SOURCE.rglob("*.py")):
        if not {"tests", "migrations"} & set(path.parts):
            yield path.read_text(encoding="utf-8")


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(cls: type) -> bool:
    return cls.__module__.startswith("dangjian.") and ".tests." not in cls.__module__


def _filter_names(filterset: type[Any]) -> set[str]:
    names = set()
    for name, found in filterset.base_filters.items():
        widget = found.extra.get("widget") or found.field_class.widget
        suffixes = getattr(widget, "suffixes", None)  # django-filter's range widgets: name_min, name_max
        names |= {f"{name}_{suffix}" for suffix in suffixes} if suffixes else {name}
    return names


def _discover() -> tuple[list[str], list[str], list[str]]:
    get_resolver().url_patterns  # noqa: B018 - imports every view, form, filter and serializer
    query: set[str] = set()
    body: set[str] = set()
    bound_to_get: set[str] = set()
    for text in _source_files():
        query |= set(re.findall(rf"\b(?:GET|query_params|params)\s*\.\s*(?:get|getlist)\(\s*{QUOTED}", text))
        query |= set(re.findall(rf"{QUOTED}\s+(?:not\s+)?in\s+(?:self\.)?request\.(?:GET|query_params)\b", text))
        query |= set(re.findall(rf"\bOpenApiParameter\(\s*{QUOTED}", text))
        body |= set(re.findall(rf"\b(?:POST|data)\s*\.\s*(?:get|getlist)\(\s*{QUOTED}", text))
        body |= set(re.findall(rf"{QUOTED}\s+(?:not\s+)?in\s+(?:self\.)?request\.(?:POST|data)\b", text))
        body |= set(re.findall(rf"\bfields\[\s*{QUOTED}\s*\]\s*=", text))
        bound_to_get |= set(re.findall(r"\b(\w+)\(\s*(?:self\.)?request\.(?:GET|query_params)\b", text))
    files: set[str] = set()
    for form in filter(_ours, _subclasses(forms.BaseForm)):
        fields = getattr(form, "base_fields", {})
        names = set(fields)
        body |= names
        files |= {name for name, found in fields.items() if isinstance(found, forms.FileField)}
        if form.__name__ in bound_to_get:
            query |= names
    for filterset in filter(_ours, _subclasses(FilterSet)):
        query |= _filter_names(filterset)
    for serializer in filter(_ours, _subclasses(serializers.BaseSerializer)):
        declared = getattr(serializer, "_declared_fields", {})
        body |= set(declared)
        files |= {name for name, found in declared.items() if isinstance(found, serializers.FileField)}
        meta_fields = getattr(getattr(serializer, "Meta", None), "fields", ())
        if isinstance(meta_fields, list | tuple):
            body |= set(meta_fields)
    pagination: Any = api_settings.DEFAULT_PAGINATION_CLASS
    query |= {name for name in (pagination.page_query_param, pagination.page_size_query_param) if name}
    return sorted(query), sorted(body - files), sorted(files)


QUERY_PARAMS, BODY_FIELDS, FILE_FIELDS = _discover()


def test_the_discovery_finds_the_parameters_of_the_report():
    """Guards the discovery itself: the parameters named in the penetration test are among those
    sent (a regex gone blind would otherwise leave every route untested, quietly)."""
    assert {"pick", "q", "layout", "ip", "as_of", "box", "year", "page", "organization"} <= set(QUERY_PARAMS)
    assert {"username", "password", "name", "date", "organization"} <= set(BODY_FIELDS)
    assert "file" in FILE_FIELDS


# --- the routes -----------------------------------------------------------------------------

READ_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Endpoint:
    methods: tuple[str, ...]
    api: bool  # a DRF view: JSON bodies
    path_keys: tuple[str, ...] = ()


def _endpoint(callback: Any) -> Endpoint:
    actions = getattr(callback, "actions", None)
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    api = isinstance(view, type) and issubclass(view, APIView)
    if actions:
        return Endpoint(tuple(m for m in READ_METHODS if m in actions), api)
    if view is not None:
        allowed = getattr(view, "http_method_names", READ_METHODS)
        handlers = {m: getattr(view, m) for m in READ_METHODS if m in allowed and hasattr(view, m)}
        if handlers.get("put") is ProcessFormView.put:  # Django's form views: PUT is their POST
            del handlers["put"]
        return Endpoint(tuple(handlers), api)
    return Endpoint(("get", "post"), api)  # a function view: whichever it answers


def _endpoints() -> dict[str, Endpoint]:
    found: dict[str, Endpoint] = {}

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern):
                endpoint = _endpoint(pattern.callback)
                endpoint.path_keys = tuple(getattr(pattern.pattern, "converters", {}))
                found.setdefault(namespace + str(pattern.name), endpoint)  # not the .json twin

    walk(get_resolver().url_patterns, "")
    return found


ENDPOINTS = _endpoints()
CASE_OF = {case.user: case for case in CASES}


def _first_rule() -> dict[str, int]:
    from dangjian.development.models import IntervalRule

    return {"pk": IntervalRule.objects.order_by("pk").values_list("pk", flat=True)[0]}


# Routes the matrix declares "open" (their scope is tested elsewhere) whose path takes an id.
_OPEN_PATH_IDS: dict[str, Callable[[], dict[str, Any]]] = {"development:rule_edit": _first_rule}


def _url_for(world: Any, role: str, name: str, made: dict[tuple[str, str], Any]) -> str:
    """The route with the role's own object in its path (the county's where the role has none);
    objects made for the test (``made``) once per organization, as they are unique there."""
    route = ROUTES[name]  # a route missing here fails test_every_route_is_in_the_matrix too
    if route.takes in ("list", "open"):
        kwargs = _OPEN_PATH_IDS.get(name, dict)()
        if not kwargs:  # an id whose scope the matrix tests elsewhere: the smallest
            kwargs = dict.fromkeys(ENDPOINTS[name].path_keys, 1)
        return reverse(name, kwargs=kwargs)
    for user in (role, "county_admin"):
        case = CASE_OF.get(user)
        if case is None:
            continue
        if route.takes in ATTACHED:
            if organization := case.org[0]:
                key = (route.takes, organization)
                if key not in made:
                    made[key] = ATTACHED[route.takes](getattr(world, organization))
                return _url(name, made[key])
        elif (inside := _objects(world, case, route.takes)[0]) is not None:
            return _url(name, inside)
    raise AssertionError(f"no object for {name}")


# --- hostile workbooks ----------------------------------------------------------------------


@functools.cache
def _workbook() -> dict[str, bytes]:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["组织名称", "组织代码"])
    book.active.append(["中共测试支部委员会", "X1"])
    data = io.BytesIO()
    book.save(data)
    with zipfile.ZipFile(io.BytesIO(data.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zipped(parts: dict[str, bytes]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return data.getvalue()


def _with_doctype(content: bytes, doctype: str, reference: str) -> bytes:
    """The XML part with a DOCTYPE (after its declaration, if any) and the entity in its first text."""
    head, declared, rest = content.partition(b"?>") if content.startswith(b"<?xml") else (b"", b"", content)
    return head + declared + doctype.encode() + rest.replace(b"<t>", f"<t>{reference}".encode(), 1)


def _hostile_files() -> list[tuple[str, bytes]]:
    parts = _workbook()
    sheet = "xl/worksheets/sheet1.xml"
    relations = "xl/_rels/workbook.xml.rels"
    laughs = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    external = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'

    def relation_to(target: bytes) -> bytes:
        return _zipped({**parts, relations: parts[relations].replace(b"/xl/worksheets/sheet1.xml", target)})

    return [
        ("file: empty", b""),
        ("file: not a workbook", b"PK\x03\x04 not really a zip"),
        ("file: XML entities", _zipped({**parts, sheet: _with_doctype(parts[sheet], laughs, "&b;")})),
        ("file: XXE", _zipped({**parts, sheet: _with_doctype(parts[sheet], external, "&e;")})),
        ("file: relationship to a missing part", relation_to(b"/xl/worksheets/none.xml")),
        ("file: relationship outside the archive", relation_to(b"../../../etc/passwd")),
    ]


# --- watching what the view reads -----------------------------------------------------------

_in_view: contextvars.ContextVar[bool] = contextvars.ContextVar("in_view", default=False)


@dataclass
class Watch:
    """Whether the view (not the middleware around it) read the query string or the body."""

    seen: set[str] = field(default_factory=set)

    def note(self, what: str) -> None:
        if _in_view.get():
            self.seen.add(what)


WATCH = Watch()


class WatchedQueryDict(QueryDict):
    pass


def _watched(method: str, keyed: bool) -> Callable[..., Any]:
    original = getattr(QueryDict, method)

    def read(self: QueryDict, *args: Any, **kwargs: Any) -> Any:
        WATCH.note(f"query:{args[0]}" if keyed else "query:*")
        return original(self, *args, **kwargs)

    return read


for _method in ("__getitem__", "__contains__", "get", "getlist"):
    setattr(WatchedQueryDict, _method, _watched(_method, keyed=True))
for _method in ("__iter__", "items", "lists", "values", "keys", "dict", "copy", "urlencode"):
    setattr(WatchedQueryDict, _method, _watched(_method, keyed=False))


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> Watch:
    original_atomic = BaseHandler.make_view_atomic

    def make_view_atomic(handler: BaseHandler, view: Any) -> Any:
        wrapped = original_atomic(handler, view)

        def watched_view(*args: Any, **kwargs: Any) -> Any:
            token = _in_view.set(True)
            try:
                return wrapped(*args, **kwargs)
            finally:
                _in_view.reset(token)

        return watched_view

    def get(request: WSGIRequest) -> QueryDict:
        return WatchedQueryDict(request.environ.get("QUERY_STRING", "").encode("latin-1"), encoding=request.encoding)

    def post(request: WSGIRequest) -> Any:
        WATCH.note("body")
        return WSGIRequest._get_post(request)  # type: ignore[attr-defined]

    def files(request: WSGIRequest) -> Any:
        WATCH.note("body")
        WATCH.note("files")
        return original_files.fget(request)  # type: ignore[attr-defined]

    def drf_load(request: Request) -> Any:
        WATCH.note("body")
        return original_drf_load(request)

    original_files = WSGIRequest.FILES
    original_drf_load = Request._load_data_and_files  # type: ignore[attr-defined]
    monkeypatch.setattr(BaseHandler, "make_view_atomic", make_view_atomic)
    monkeypatch.setattr(WSGIRequest.GET, "func", get)
    monkeypatch.setattr(WSGIRequest, "POST", property(post, WSGIRequest._set_post))  # type: ignore[attr-defined]
    monkeypatch.setattr(WSGIRequest, "FILES", property(files))
    monkeypatch.setattr(Request, "_load_data_and_files", drf_load)
    return WATCH


# --- sending --------------------------------------------------------------------------------


@dataclass
class Attempt:
    where: str  # "probe", "query", "form", "JSON", "body", "file"
    label: str
    query: dict[str, Any] | None = None
    data: Any = None  # a form's fields, a JSON document (as_json) or raw bytes or text
    content_type: str | None = None
    as_json: bool = False


def _send(client: Client, method: str, url: str, attempt: Attempt) -> Any:
    send = getattr(client, method)
    query = attempt.query or None
    if method == "get":
        return send(url, query_params=query)
    if attempt.as_json:
        return send(url, json.dumps(attempt.data), content_type="application/json", query_params=query)
    if attempt.content_type:
        return send(url, attempt.data, content_type=attempt.content_type, query_params=query)
    if attempt.where == "file":
        return send(url, attempt.data, query_params=query)  # multipart, as a browser sends an upload
    body = urlencode(attempt.data or {}, doseq=True)  # a form without files (multipart costs 6 ms more)
    return send(url, body, content_type="application/x-www-form-urlencoded", query_params=query)


def _project_frame(error: BaseException) -> str:
    """Where it was raised: the innermost frame in the project's code, else the innermost."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(SOURCE)) and "/tests/" not in f.filename]
    frame = (ours or frames)[-1]
    return f"{frame.filename.removeprefix(str(SOURCE.parent) + '/')}:{frame.lineno}"


@dataclass(frozen=True)
class Problem:
    what: str  # the exception and where it was raised, or the status
    example: str = field(compare=False)  # its message


@dataclass
class Outcome:
    problem: Problem | None  # None: the answer was below 500
    reads: set[str]  # what the view read ("body", "files", "query:<name>", "query:*")
    status: int
    rejected: set[str]  # the fields and parameters the answer names as wrong


def _rejected(response: Any) -> set[str]:
    """The inputs the answer refused by name: a DRF 400's keys, the errors of the page's forms."""
    names: set[str] = set()
    if response.status_code == 400 and response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        names |= set(body) - {"detail", api_settings.NON_FIELD_ERRORS_KEY} if isinstance(body, dict) else set()
    contexts = response.context if isinstance(response.context, list) else [response.context]
    for context in filter(None, contexts):  # a ContextList of every template rendered, or one Context
        for value in itertools.chain.from_iterable(part.values() for part in getattr(context, "dicts", [context])):
            form = getattr(value, "form", value)  # a FilterSet holds its form
            if isinstance(form, forms.BaseForm) and form.is_bound:
                names |= {form.add_prefix(name) for name in form.errors if name != NON_FIELD_ERRORS}
    return names


def _outcome(client: Client, method: str, url: str, attempt: Attempt) -> Outcome:
    WATCH.seen = set()
    cache.clear()  # rate limits and throttles would answer 429 instead of the view
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    session = cookie.value if cookie else None
    outcome = Outcome(None, set(), 0, set())
    try:
        with transaction.atomic():
            response = _send(client, method, url, attempt)
            transaction.set_rollback(True)
        outcome.status = response.status_code
        if outcome.status >= 500:
            outcome.problem = Problem(f"status {outcome.status}", repr(response.content[:160]))
        else:
            outcome.rejected = _rejected(response)
    except Exception as error:  # RecursionError and the like included
        outcome.problem = Problem(f"{type(error).__name__} at {_project_frame(error)}", str(error)[:160])
    finally:
        if session:  # logging out or changing the password would end the role's session
            client.cookies[settings.SESSION_COOKIE_NAME] = session
        else:
            client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    outcome.reads = set(WATCH.seen)
    return outcome


def _without(attempt: Attempt, names: set[str]) -> Attempt | None:
    """The attempt without the inputs a first answer refused, so those refusals no longer hide
    what the view does with the others (a long username behind a too-long token name)."""
    sent = attempt.query if attempt.where == "query" else attempt.data
    if not isinstance(sent, dict) or not names & set(sent):
        return None
    rest = {name: value for name, value in sent.items() if name not in names}
    if not rest:
        return None
    again = Attempt(attempt.where, attempt.label, content_type=attempt.content_type, as_json=attempt.as_json)
    again.query, again.data = (rest, attempt.data) if attempt.where == "query" else (attempt.query, rest)
    return again


def _culprits(client: Client, method: str, url: str, attempt: Attempt) -> str:
    """The parameters or fields that fail without the others, by halving (run on a failure only)."""
    sent = (attempt.query if attempt.where == "query" else attempt.data) or {}

    def fails(names: list[str]) -> bool:
        part = {name: sent[name] for name in names}
        single = Attempt(attempt.where, attempt.label, as_json=attempt.as_json)
        single.query, single.data = (part, None) if attempt.where == "query" else (None, part)
        return _outcome(client, method, url, single).problem is not None

    def search(names: list[str]) -> list[str]:
        if len(names) == 1:
            return names
        half = len(names) // 2
        found = [name for part in (names[:half], names[half:]) if fails(part) for name in search(part)]
        return found

    return ", ".join(search(sorted(sent))) or "(only together)"


def _query_read(reads: set[str]) -> set[str]:
    """The query parameters the view read by name (``*``: all of them, by iterating or copying)."""
    names = {read.removeprefix("query:") for read in reads if read.startswith("query:")}
    return names - {api_settings.URL_FORMAT_OVERRIDE}  # DRF's ?format=: unknown ones are a 404 hiding the rest


def _attempts(
    endpoint: Endpoint, method: str, reads: set[str], done: set[str], query: list[str], slow: bool
) -> Iterator[Attempt]:
    """What to send after the probe, given what the view read. The first role to reach an input
    gets the first set of values (and what only JSON carries), later ones the compact set (a slow
    route: the compact set, once);
    ``done`` holds the inputs of this route that a role before was sent values in."""

    def values(family: str, first_set: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
        first = f"{family} {method}" not in done
        done.add(f"{family} {method}")
        if slow:
            return COMPACT if first else ()
        return first_set if first else COMPACT

    if method == "get" and _query_read(reads):  # a POST's query is its route's GET's (get_queryset)
        for label, value in values("query", FIRST):
            yield Attempt("query", label, query=dict.fromkeys(query, value))
    if method == "get" or "body" not in reads:
        return
    first = f"body {method}" not in done
    if endpoint.api:
        for label, value in values("body", FIRST + JSON_TYPED):
            yield Attempt("JSON", label, data=dict.fromkeys(BODY_FIELDS, value), as_json=True)
    else:
        for label, value in values("body", FIRST):
            yield Attempt("form", label, data=dict.fromkeys(BODY_FIELDS, value))
    if "files" in reads and f"files {method}" not in done:
        done.add(f"files {method}")
        for label, content in _hostile_files():
            uploads = {name: SimpleUploadedFile("导入.xlsx", content) for name in FILE_FIELDS}
            yield Attempt("file", label, data=uploads)
    if first:  # parsed before any role's check; a page (no JSON parser of its own) gets the two worst
        for label, raw in RAW_JSON_BODIES if endpoint.api else RAW_JSON_BODIES[:2]:
            yield Attempt("body", label, data=raw, content_type="application/json")


def _probe(endpoint: Endpoint) -> Attempt:
    """Every parameter and field set to a harmless value: does the view read them at all?"""
    return Attempt(
        "probe",
        "every parameter and field = '1'",
        query=dict.fromkeys(QUERY_PARAMS, BENIGN),
        data=dict.fromkeys(BODY_FIELDS, BENIGN),
        as_json=endpoint.api,
    )


def _roles(name: str) -> list[str]:
    """The five roles, and the 安全管理员 and 审计管理员 on the pages of their sections only."""
    section = ROUTES[name].section
    return [*ROLES, *(role for role in DUTY_ROLES if section and section in CASE_OF[role].may)]


def _to_login(status: int, client: Client) -> bool:
    return status == 302 and settings.SESSION_COOKIE_NAME not in client.cookies


def _client(world: Any, role: str) -> Client:
    return Client() if role == "anonymous" else signed_in(getattr(world, role))


def _report(failures: dict[tuple[str, str, str, Problem], dict[str, set[str]]]) -> str:
    """One line per method, input, fields and failure: the roles and values it happened with."""
    lines = []
    for (method, where, culprits, problem), seen in failures.items():
        sent = {"query": "query parameter", "form": "form field", "JSON": "JSON field"}.get(where, where)
        lines.append(
            f"{method.upper()} as {', '.join(sorted(seen['roles']))}: {sent} {culprits} = "
            f"{' | '.join(sorted(seen['labels']))} → {problem.what} ({problem.example})"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_hostile_input_never_answers_500(world, watch, name):
    endpoint = ENDPOINTS[name]
    failures: dict[tuple[str, str, str, Problem], dict[str, set[str]]] = {}
    culprits_of: dict[tuple[str, str, Problem], str] = {}  # halving once per kind of failure

    def note(method: str, url: str, attempt: Attempt, problem: Problem, client: Client, role: str) -> None:
        key = (method, attempt.where, problem)
        if key not in culprits_of:
            fields = attempt.where in ("query", "form", "JSON")
            culprits_of[key] = _culprits(client, method, url, attempt) if fields else ""
        seen = failures.setdefault(
            (method, attempt.where, culprits_of[key], problem), {"roles": set(), "labels": set()}
        )
        seen["roles"].add(role)
        seen["labels"].add(attempt.label)

    made: dict[tuple[str, str], Any] = {}
    done: set[str] = set()
    query = set(QUERY_PARAMS)  # and whatever else the view is seen reading by name (next, lang)
    probed: set[tuple[str, int, frozenset[str]]] = set()  # (method, status, reads) of the roles before
    for role in _roles(name):
        if "slow" in done:
            break  # the schema, built alike for every role: a third of a second for each request
        client = _client(world, role)
        url = _url_for(world, role, name, made)
        refused = False
        for method in endpoint.methods:
            if refused and not endpoint.api:
                break  # a page that refused the role its GET refuses its POST the same way
            probe = _probe(endpoint)
            started = time.perf_counter()
            found = _outcome(client, method, url, probe)
            reads, status = found.reads, found.status
            if found.problem:
                note(method, url, probe, found.problem, client, role)
            slow = time.perf_counter() - started > SLOW
            if slow and role != "anonymous":
                done.add("slow")
            refused = method == "get" and (status in (403, 404) or _to_login(status, client))
            seen_before = (method, status, frozenset(reads)) in probed
            probed.add((method, status, frozenset(reads)))
            if seen_before or (status in (403, 404) and {f"query {method}", f"body {method}"} & done):
                continue  # answered as a role before it, or refused a harmless request: nothing new to reach
            query |= _query_read(reads) - {"*"}
            unmask = not {f"query {method}", f"body {method}"} & done  # the first role to get values
            for attempt in _attempts(endpoint, method, reads, done, sorted(query), slow):
                found = _outcome(client, method, url, attempt)
                for _ in range(3 if unmask and attempt.label in UNMASK else 0):
                    again = _without(attempt, found.rejected) if not found.problem else None
                    if again is None:
                        break
                    attempt, found = again, _outcome(client, method, url, again)
                if found.problem:
                    note(method, url, attempt, found.problem, client, role)
    assert not failures, f"{name}:\n{_report(failures)}"
