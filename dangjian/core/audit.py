"""The security trail (安全审计): append events to the HMAC chain, and verify the chain.

Events of a request that will be rolled back (a refused service call) must still be kept, so the
request's denials are collected while it runs (``defer``) and written by ``AuditMiddleware`` once
the response is made, outside any transaction of the request.
"""

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from .models import AuditEvent, AuditHead, Event

GENESIS = "0" * 64

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_deferred: ContextVar[list[tuple[Event, dict[str, Any]]] | None] = ContextVar("audit_deferred", default=None)

__all__ = ["AuditMiddleware", "Break", "Event", "defer", "record", "verify"]


def _key() -> bytes:
    return settings.AUDIT_KEY.encode() if isinstance(settings.AUDIT_KEY, str) else settings.AUDIT_KEY


def _content(event: AuditEvent) -> bytes:
    """The event's own fields in one canonical byte string (what the HMAC covers)."""
    fields = [
        event.seq,
        event.at.astimezone(dt.UTC).isoformat(),
        event.event,
        event.actor_id,
        event.actor_name,
        event.org_path,
        event.ip,
        event.target_type,
        event.target_id,
        event.target_repr,
        event.details,
    ]
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _digest(prev_hash: str, event: AuditEvent) -> str:
    return hmac.new(_key(), prev_hash.encode() + _content(event), hashlib.sha256).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    if settings.TRUST_X_FORWARDED_FOR and (forwarded := request.META.get("HTTP_X_FORWARDED_FOR")):
        return str(forwarded.split(",")[0].strip()) or None
    return request.META.get("REMOTE_ADDR") or None


def record(
    event: Event,
    *,
    actor: Any = None,
    actor_name: str = "",
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction (or its own)."""
    from . import scope

    request = request or _request.get()
    user = actor if getattr(actor, "is_authenticated", False) else None
    acting = scope.acting(user) if user is not None else None
    entry = AuditEvent(
        at=timezone.now(),
        event=event,
        actor=user,
        actor_name=actor_name or (user.get_username() if user is not None else ""),
        org_path=acting.organization.path if acting is not None else "",
        ip=client_ip(request),
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        # Through JSON once, so what is hashed is exactly what the database gives back.
        details=json.loads(json.dumps(details or {}, ensure_ascii=False, default=str)),
    )
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry.seq = head.seq + 1
        entry.prev_hash = head.hash or GENESIS
        entry.hash = _digest(entry.prev_hash, entry)
        entry.save(force_insert=True)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def defer(event: Event, **kwargs: Any) -> None:
    """Record after the request is answered (the request's transactions may roll back); outside a
    request, record now."""
    pending = _deferred.get()
    if pending is None:
        record(event, **kwargs)
    else:
        pending.append((event, kwargs))


@contextmanager
def request_context(request: HttpRequest) -> Iterator[None]:
    request_token = _request.set(request)
    deferred_token = _deferred.set([])
    try:
        yield
    finally:
        pending = _deferred.get() or []
        _deferred.reset(deferred_token)
        try:
            for event, kwargs in pending:
                record(event, request=request, **kwargs)
        finally:
            _request.reset(request_token)


class AuditMiddleware:
    """Gives events their request (IP address) and writes the request's deferred events; a
    PermissionDenied raised by a page is recorded as a refusal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with request_context(request):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            note_denied(request, exception)


def note_denied(request: Any, exception: Exception) -> None:
    defer(
        Event.PERMISSION_DENIED,
        actor=getattr(request, "user", None),
        details={"path": request.path, "method": request.method, "message": str(exception)},
    )


@dataclass(frozen=True)
class Break:
    seq: int
    problem: str


def verify() -> tuple[int, Break | None]:
    """(events checked, the first break or None). Reads the whole chain in order."""
    previous = GENESIS
    expected = 1
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected:
            missing = f"第{expected}号至第{event.seq - 1}号" if event.seq > expected + 1 else f"第{expected}号"
            return expected - 1, Break(expected, f"{missing}事件缺失：被删除")
        if event.prev_hash != previous:
            return expected - 1, Break(event.seq, "与前一事件不衔接：前面的事件被删除、替换或调换了顺序")
        if not hmac.compare_digest(event.hash, _digest(event.prev_hash, event)):
            return expected - 1, Break(event.seq, "内容与摘要不符：该事件被修改")
        previous = event.hash
        expected += 1
    checked = expected - 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or (checked and head.hash != previous)):
        return checked, Break(expected, f"链尾缺失：应有{head.seq}个事件，现只有{checked}个，末尾的事件被删除")
    return checked, None
