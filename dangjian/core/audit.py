"""The security trail (安全审计): append events to the HMAC chain, and verify the chain.

Events of a request that will be rolled back (a refused service call) must still be kept, so the
request's denials are collected while it runs (``defer``) and written by ``AuditMiddleware`` after
the response has been sent (when the server closes it), outside any transaction of the request.
Work that would make a refusal slower than another one (looking up whether an object outside the
scope exists) waits there too (``after_response``), so the time of an answer tells nothing.

The chain alone cannot show that its last events were deleted: whoever can write the database can
also rewind ``AuditHead``. So every committed event also appends a signed checkpoint line (number,
hash, time, HMAC keyed by ``AUDIT_KEY``) to ``AUDIT_CHECKPOINT_FILE``, outside the database, and
logs it to the ``dangjian.audit.checkpoint`` logger (for syslog or a remote log); ``verify``
checks that every checkpoint in that file is still an event of the chain.
"""

import datetime as dt
import errno
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from .models import AuditEvent, AuditHead, Event

GENESIS = "0" * 64

Work = Callable[[HttpRequest | None], None]

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_deferred: ContextVar[list[Work] | None] = ContextVar("audit_deferred", default=None)

log = logging.getLogger(__name__)
checkpoint_log = logging.getLogger("dangjian.audit.checkpoint")

__all__ = ["AuditMiddleware", "Break", "Event", "after_response", "defer", "record", "verify"]


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
        # Only a committed event is anchored: a checkpoint of a rolled-back one would later read
        # as a deleted tail.
        transaction.on_commit(partial(write_checkpoint, entry.seq, entry.hash), robust=True)
    return entry


def defer(event: Event, **kwargs: Any) -> None:
    """Record after the request is answered (the request's transactions may roll back); outside a
    request, record now."""

    def write(request: HttpRequest | None) -> None:
        record(event, request=request, **kwargs)

    after_response(write)


def after_response(work: Work) -> None:
    """Run ``work(request)`` once the response has been sent; outside a request, now (with None)."""
    pending = _deferred.get()
    if pending is None:
        work(None)
    else:
        pending.append(work)


def _run(pending: list[Work], request: HttpRequest) -> None:
    for work in pending:
        try:
            work(request)
        except Exception:  # a response's closers are called with errors silenced: say it here
            log.exception("security trail: deferred work of %s %s failed", request.method, request.path)


class AuditMiddleware:
    """Gives events their request (IP address) and writes the request's deferred events after
    the response has been sent; a PermissionDenied raised by a page is recorded as a refusal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_token = _request.set(request)
        pending: list[Work] = []
        deferred_token = _deferred.set(pending)
        try:
            response = self.get_response(request)
        except BaseException:
            _run(pending, request)  # no response to close (Django normally makes one of any error)
            raise
        finally:
            _deferred.reset(deferred_token)
            _request.reset(request_token)
        if pending:
            # The server calls close() once the body is sent (WSGI and ASGI handlers, the test
            # client); Django's own FileResponse registers its file in this list the same way.
            closers = getattr(response, "_resource_closers", None)
            if closers is None:  # not a Django response: no later moment to wait for
                _run(pending, request)
            else:
                closers.append(partial(_run, pending, request))
        return response

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
    """Where verification found a problem. ``anchor``: the problem is with the checkpoint file
    (missing, altered, not written), not with an event of the chain."""

    seq: int
    problem: str
    anchor: bool = False

    @property
    def message(self) -> str:
        return self.problem if self.anchor else f"审计链在第{self.seq}号事件处断开：{self.problem}"


def verify(checkpoints: str | os.PathLike[str] | None = None) -> tuple[int, Break | None]:
    """(events checked, the first problem or None). Reads the whole chain in order, then every
    line of the checkpoint file: ``checkpoints`` (an archived file, a copy of the log lines), by
    default ``AUDIT_CHECKPOINT_FILE``."""
    checked, broken = _walk()
    if broken is not None:
        return checked, broken
    path = checkpoints if checkpoints is not None else settings.AUDIT_CHECKPOINT_FILE
    if not path:
        return checked, None  # no file configured (development): the chain alone
    return checked, _check_anchor(Path(path), checked, live=checkpoints is None)


def _walk() -> tuple[int, Break | None]:
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


# --- checkpoints: the chain's end, kept outside the database --------------------------------------

_MARK = '"audit_checkpoint"'
CHECKPOINT_BATCH = 500  # checkpoint lines looked up in the database per query
CHECKPOINT_LAG = dt.timedelta(minutes=1)  # an event this old must have its checkpoint written
UNSURE = "无法确认审计链末尾的事件未被删除"


def _checkpoint_keyed() -> hmac.HMAC:
    # A prefix of its own: an event's HMAC input begins with a 64-digit hash, so neither can stand
    # in for the other. Keyed once, copied per line (verify reads many).
    return hmac.new(_key(), b"audit-checkpoint\0", hashlib.sha256)


def _checkpoint_mac(seq: int, digest: str, at: str, keyed: hmac.HMAC | None = None) -> bytes:
    mac = (keyed or _checkpoint_keyed()).copy()
    mac.update(f"{seq}\0{digest}\0{at}".encode())
    return mac.hexdigest().encode()


def checkpoint_line(seq: int, digest: str) -> str:
    """One signed line vouching that event ``seq`` with hash ``digest`` was in the chain now."""
    at = timezone.now().astimezone(dt.UTC).isoformat()
    mac = _checkpoint_mac(seq, digest, at).decode()
    return json.dumps({"audit_checkpoint": seq, "hash": digest, "at": at, "mac": mac}, separators=(",", ":"))


def read_checkpoint(line: str, keyed: hmac.HMAC | None = None) -> tuple[int, str] | None:
    """(number, hash) of a checkpoint line; None for a line that is no checkpoint (a log file's
    other messages; a log's own prefix before the JSON is skipped). ValueError for a checkpoint
    that is damaged or not signed with ``AUDIT_KEY``."""
    start = line.find("{")
    if start < 0 or _MARK not in line:
        return None
    try:
        data = json.loads(line[start:])
        seq, digest, at, mac = data["audit_checkpoint"], data["hash"], data["at"], data["mac"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError("damaged checkpoint") from error
    if not (type(seq) is int and isinstance(digest, str) and isinstance(at, str) and isinstance(mac, str)):
        raise ValueError("damaged checkpoint")
    if not hmac.compare_digest(mac.encode(), _checkpoint_mac(seq, digest, at, keyed)):
        raise ValueError("checkpoint signature does not match")
    return seq, digest


def append_checkpoint(path: str | os.PathLike[str], line: str) -> None:
    """Append one line. Opened for each line: a renamed (rotated) file is left alone and the next
    line starts a new one, created readable by the owner only. One write() on an O_APPEND file:
    the kernel puts each line whole at the end, so the workers of several processes do not
    interleave (on a local file system; not on NFS)."""
    data = (line + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        if os.write(fd, data) != len(data):
            raise OSError(errno.ENOSPC, "short write", str(path))
    finally:
        os.close(fd)


def write_checkpoint(seq: int, digest: str) -> None:
    """After an event has committed: its checkpoint into the file and the log. Never raises (the
    event is kept either way); ``verify`` reports a file that is missing or falls behind."""
    line = checkpoint_line(seq, digest)
    checkpoint_log.info(line)
    path = settings.AUDIT_CHECKPOINT_FILE
    if not path:
        return
    try:
        append_checkpoint(path, line)
    except OSError as error:
        log.warning("security trail: checkpoint of event #%s not written to %s: %s", seq, path, error)


def last_checkpoint() -> tuple[int, str] | None:
    """(number, checkpoint line) of the chain's last event: for a file started anew, an export."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return (last[0], checkpoint_line(*last)) if last is not None else None


def _check_anchor(path: Path, checked: int, *, live: bool) -> Break | None:
    """Every checkpoint in the file must still be an event of the chain: a number the database
    lacks is a cut tail, a different hash a tail cut and written anew (or another database)."""
    unsure = checked + 1
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None if checked == 0 else Break(unsure, f"外部校验点文件不存在，{UNSURE}，请运维人员检查", anchor=True)
    except OSError as error:
        return Break(unsure, f"外部校验点文件无法读取（{error.strerror}），{UNSURE}", anchor=True)
    valid = forged = first_forged = top = beyond = fork = 0
    batch: list[tuple[int, str]] = []
    keyed = _checkpoint_keyed()

    def compare() -> None:
        nonlocal beyond, fork
        have = dict(AuditEvent.objects.filter(seq__in={seq for seq, _ in batch}).values_list("seq", "hash"))
        for seq, digest in batch:
            if seq not in have:
                beyond = max(beyond, seq)
            elif have[seq] != digest:
                fork = min(fork, seq) if fork else seq

    with handle:
        for number, raw in enumerate(handle, 1):
            try:
                point = read_checkpoint(raw.decode(errors="replace"), keyed)
            except ValueError:
                forged += 1
                first_forged = first_forged or number
                continue
            if point is None:
                continue
            valid += 1
            top = max(top, point[0])
            batch.append(point)
            if len(batch) == CHECKPOINT_BATCH:
                compare()
                batch.clear()
    if batch:
        compare()
    if beyond:
        latest = AuditEvent.objects.aggregate(latest=models.Max("seq"))["latest"] or 0
        return Break(latest + 1, f"链尾缺失：外部校验点记录到第{beyond}号事件，数据库中只有{latest}个事件")
    if fork:
        return Break(
            fork,
            "与外部校验点不符：外部校验点记录的该事件与数据库中的不同，"
            "该事件起的链尾被删除后又写入了新的事件，或数据库被替换",
        )
    if forged:
        lines = f"第{first_forged}行等{forged}行" if forged > 1 else f"第{first_forged}行"
        return Break(unsure, f"外部校验点文件{lines}签名不符，已不予采信：该文件被伪造或改动过", anchor=True)
    if checked and not valid:
        return Break(unsure, f"外部校验点文件中没有校验点，{UNSURE}，请运维人员检查", anchor=True)
    if live and top < checked:
        # Lines are written right after each commit; one missing for a while means the file is
        # not being written (its folder, its permissions, a full disk) and the end is unguarded.
        first = AuditEvent.objects.filter(seq=top + 1).values_list("at", flat=True).first()
        if first is not None and timezone.now() - first > CHECKPOINT_LAG:
            return Break(
                top + 1,
                f"外部校验点只记录到第{top}号事件，其后{checked - top}个事件的校验点没有写入文件，"
                "无法确认这些事件未被删除，请运维人员检查该文件能否写入",
                anchor=True,
            )
    return None
