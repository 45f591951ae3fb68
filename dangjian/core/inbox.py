"""The one inbox (待办): the work due at each organization, computed by the apps that know it.

An app registers a *source* (``register_source``) in its ``AppConfig.ready``: a name, the label
the pages group by, and ``compute(today, path)``, which yields a ``Due`` for every piece of work
due *now*, for the whole tree or only under ``path`` when given. The source decides what is due
and which organization must act (the item's ``organization``); the inbox keeps one row per
(source, key) and ``refresh`` brings the rows in line with what the sources yield:

- a new key opens an item (待办);
- a key yielded again with another title, date, link or organization updates it;
- an open item no longer yielded is done (已办结) from that moment: items close by themselves
  when the work is done, nobody ticks them off;
- a done item yielded again opens again (the next period's obligation under the same key);
- a dismissed item (已忽略) stays dismissed while its source yields it with the same due date or
  an earlier one, and opens again when the due date moves later: a dismissal answers one
  deadline, not the obligation for ever. Its organization and path still follow the source, so
  the scope stays right.

Keys are stable within the source and name the obligation, with its period where the obligation
recurs ("applicant:12:assessment:2025-01-15"): recording the assessment closes that item, and
the next half year's is a new one.

Refreshing runs every day in the task worker (``manage.py worker``), on demand with
``manage.py refresh_inbox``, and right after a service completes work: ``refresh_soon`` schedules
a refresh of the sources and the subtree it touched once its transaction commits, so a letter
accepted leaves the receiving committee's inbox at once. Writes are bulk, one transaction per
source. docs/inbox.md has the sources and their items.

A source is a small module of its app (``transfers/inbox.py``)::

    from dangjian.core.inbox import Due, register_source

    def compute(today, path):
        rows = Thing.objects.filter(done=False, due__lte=today + LEAD)
        if path:
            rows = rows.filter(organization__path__startswith=path)
        for thing in rows.select_related("organization"):
            yield Due(
                key=f"thing:{thing.pk}", organization_id=thing.organization_id,
                org_path=thing.organization.path, kind="待办类别", title=f"…应在{thing.due}前办理",
                due=thing.due, link=reverse("app:thing", args=[thing.pk]), subject=thing,
            )

    # in AppConfig.ready:
    register_source("things", "某某事项", compute)
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Model, Q, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django_tasks import task

from . import scope
from .errors import DomainError
from .history import service
from .models import InboxItem, InboxState

logger = logging.getLogger(__name__)

BATCH = 1000  # rows per INSERT, UPDATE or id list


@dataclass(frozen=True)
class Due:
    """One piece of work due now, as a source computes it."""

    key: str  # stable within the source; names the obligation (and its period, where it recurs)
    organization_id: int  # the organization that must act
    org_path: str  # that organization's path (the scope of the item)
    kind: str  # a short label to group by: 回执超期, 半年考察, 即将届满
    title: str  # the sentence shown
    due: dt.date  # the deadline; before it the item is due, after it overdue (逾期)
    link: str  # the page where the work is done
    subject: Model | None = None  # the record the work is about


Compute = Callable[[dt.date, str | None], Iterable[Due]]


@dataclass(frozen=True)
class Source:
    name: str
    label: str
    compute: Compute


_SOURCES: dict[str, Source] = {}


def register_source(name: str, label: str, compute: Compute) -> None:
    """Register what an app knows to be due. ``compute(today, path)`` yields every item due on
    ``today`` whose organization lies under ``path`` (the whole tree when None); it may yield
    more (the refresh keeps only those under ``path``), never fewer."""
    _SOURCES[name] = Source(name, label, compute)


def sources() -> list[Source]:
    return list(_SOURCES.values())


def source_label(name: str) -> str:
    found = _SOURCES.get(name)
    return found.label if found is not None else name


# --- refreshing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    source: str
    opened: int
    updated: int
    closed: int


# What a source says of an item (as attributes); a change of any of them is an update.
DESCRIBED = ("organization_id", "org_path", "kind", "title", "due", "link", "content_type_id", "object_id")
# The same as bulk_update names the fields, and what reopening an item also sets.
DESCRIBED_FIELDS = ["organization", "org_path", "kind", "title", "due", "link", "content_type", "object_id"]
STATE_FIELDS = ["state", "opened_at", "closed_at", "dismissed_reason", "dismissed_by"]


def refresh(
    today: dt.date | None = None, *, sources: Iterable[str] | None = None, path: str | None = None
) -> list[Outcome]:
    """Bring the items of ``sources`` (all when None) under ``path`` (all when None) in line with
    what the sources compute for ``today``. Running it twice changes nothing the second time."""
    today = today or timezone.localdate()
    names = list(_SOURCES) if sources is None else list(dict.fromkeys(sources))
    unknown = [name for name in names if name not in _SOURCES]
    if unknown:
        raise ValueError(f"unknown inbox source: {', '.join(unknown)}")
    outcomes, failed = [], None
    for name in names:
        try:
            with transaction.atomic():
                outcomes.append(_refresh_source(_SOURCES[name], today, path or None))
        except Exception as error:  # one source's failure leaves the others' items current
            logger.exception("refreshing the inbox source %s failed", name)
            failed = failed or error
    if failed is not None:
        raise failed
    return outcomes


def _described(item: Due) -> dict[str, Any]:
    subject = item.subject
    content_type = ContentType.objects.get_for_model(type(subject)).pk if subject is not None else None
    return {
        "organization_id": item.organization_id,
        "org_path": item.org_path,
        "kind": item.kind[:30],
        "title": item.title[:300],
        "due": item.due,
        "link": item.link[:200],
        "content_type_id": content_type,
        "object_id": subject.pk if subject is not None else None,
    }


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


def _refresh_source(source: Source, today: dt.date, path: str | None) -> Outcome:
    now = timezone.now()
    wanted: dict[str, dict[str, Any]] = {}
    for item in source.compute(today, path):
        if path is None or item.org_path.startswith(path):
            wanted[item.key] = _described(item)
    # The open items under the path (the index of open items), and of the rest only those the
    # source yields (by key): closed items pile up over the years, and a refresh never reads them
    # all. A yielded key may also be open outside the path (its organization moved into it).
    columns = ("id", "key", "state", *DESCRIBED)
    rows = InboxItem.objects.filter(source=source.name)
    current = rows.filter(state=InboxState.OPEN)
    current = current.filter(org_path__startswith=path) if path else current
    known = {row[1]: row for row in current.values_list(*columns)}
    for chunk in _chunks([key for key in wanted if key not in known]):
        known |= {row[1]: row for row in rows.filter(key__in=chunk).values_list(*columns)}
    created, described, reopened = [], [], []
    for key, values in wanted.items():
        row = known.get(key)
        if row is None:
            created.append(InboxItem(source=source.name, key=key, opened_at=now, **values))
            continue
        pk, state, old = row[0], row[2], dict(zip(DESCRIBED, row[3:], strict=True))
        later = values["due"] > old["due"]
        if state == InboxState.DONE or (state == InboxState.DISMISSED and later):
            reopen = {"state": InboxState.OPEN, "opened_at": now, "closed_at": None, "dismissed_reason": ""}
            reopened.append(InboxItem(pk=pk, **values, **reopen, dismissed_by_id=None))
        elif values != old:
            described.append(InboxItem(pk=pk, **values))
    finished = [row[0] for key, row in known.items() if key not in wanted and row[2] == InboxState.OPEN]
    InboxItem.objects.bulk_create(created, batch_size=BATCH, ignore_conflicts=True)  # a refresh alongside
    InboxItem.objects.bulk_update(described, DESCRIBED_FIELDS, batch_size=BATCH)
    InboxItem.objects.bulk_update(reopened, DESCRIBED_FIELDS + STATE_FIELDS, batch_size=BATCH)
    for chunk in _chunks(finished):
        InboxItem.objects.filter(pk__in=chunk, state=InboxState.OPEN).update(state=InboxState.DONE, closed_at=now)
    return Outcome(source.name, len(created) + len(reopened), len(described), len(finished))


_paused: ContextVar[bool] = ContextVar("inbox_paused", default=False)


@contextmanager
def paused() -> Iterator[None]:
    """``refresh_soon`` does nothing inside the block: a job that does thousands of things (the
    demo county's past) refreshes once at its end instead."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def refresh_soon(sources: str | Iterable[str] | None, path: str | None = None) -> None:
    """Refresh ``sources`` (all when None) under ``path`` once the running transaction commits
    (at once outside one): what a service just did shows in the inbox on the next page. A
    refresh that fails is logged, never the service's failure; the daily one catches up."""
    if _paused.get():
        return
    names = [sources] if isinstance(sources, str) else (None if sources is None else list(sources))
    today = timezone.localdate()
    transaction.on_commit(lambda: refresh(today, sources=names, path=path), robust=True)


@task()
def refresh_inbox(day: str | None = None, sources: list[str] | None = None) -> dict[str, list[int]]:
    """The refresh as a background task (django-tasks): {source: [opened, updated, closed]}."""
    outcomes = refresh(dt.date.fromisoformat(day) if day else None, sources=sources)
    return {o.source: [o.opened, o.updated, o.closed] for o in outcomes}


def _shared_start(paths: list[str]) -> str:
    """The longest text every path starts with: every organization of the paths lies under it
    (materialized paths: a prefix of characters is a subtree, or several siblings' subtrees)."""
    first, last = min(paths), max(paths)
    length = 0
    while length < len(first) and first[length] == last[length]:
        length += 1
    return first[:length]


class InboxRehomer:
    """Items follow a restructuring (``orgs.restructure.register_rehomer``, registered by orgs):
    their copy of the path moves with the subtree in the same transaction, so the scope is right
    at once, and the sources recompute what the restructuring changed once it commits."""

    def plan(self, plan: Any) -> tuple[list[Any], list[str]]:
        return [], []

    def apply(self, plan: Any, moves: list[Any], actor: Any) -> None:
        paths = [organization.path for organization in [*plan.sources, plan.target] if organization is not None]
        refresh_soon(None, _shared_start(paths) if paths else None)

    def subtree_moved(self, old_path: str, new_path: str) -> None:
        InboxItem.objects.filter(org_path__startswith=old_path).update(
            org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1))
        )


# --- reading ---------------------------------------------------------------------------------


def items_for(
    user: Any, *, state: str = InboxState.OPEN, source: str | None = None, kind: str | None = None
) -> QuerySet[InboxItem]:
    """The user's items: those of the acting organization's subtree (``scope.scoped``), in one
    state; open ones soonest first (the overdue before the rest), closed ones latest first."""
    rows = scope.scoped(user, InboxItem.objects.filter(state=state)).select_related("organization", "dismissed_by")
    if source:
        rows = rows.filter(source=source)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("due", "id") if state == InboxState.OPEN else rows.order_by("-closed_at", "-id")


@dataclass(frozen=True)
class KindCount:
    kind: str
    count: int
    overdue: int


@dataclass(frozen=True)
class Group:
    source: str
    label: str
    kinds: list[KindCount]

    @property
    def count(self) -> int:
        return sum(kind.count for kind in self.kinds)

    @property
    def overdue(self) -> int:
        return sum(kind.overdue for kind in self.kinds)


def groups(user: Any, *, state: str = InboxState.OPEN, today: dt.date | None = None) -> list[Group]:
    """The user's items counted by source and kind (one aggregate query), sources in the order
    they registered, the kinds with most overdue first."""
    today = today or timezone.localdate()
    rows = (
        items_for(user, state=state)
        .order_by()
        .values_list("source", "kind")
        .annotate(count=Count("id"), overdue=Count("id", filter=Q(due__lt=today)))
    )
    found: dict[str, list[KindCount]] = {}
    for name, kind, count, overdue in rows:
        found.setdefault(name, []).append(KindCount(kind, count, overdue))
    order = {name: index for index, name in enumerate(_SOURCES)}
    return [
        Group(name, source_label(name), sorted(kinds, key=lambda k: (-k.overdue, -k.count, k.kind)))
        for name, kinds in sorted(found.items(), key=lambda entry: (order.get(entry[0], len(order)), entry[0]))
    ]


def overdue_first(user: Any, limit: int, today: dt.date | None = None) -> list[InboxItem]:
    """The first few overdue items of the user (the home page's card)."""
    today = today or timezone.localdate()
    return list(items_for(user).filter(due__lt=today)[:limit])


def get_item(user: Any, pk: int) -> InboxItem:
    return scope.get_scoped_or_404(user, InboxItem.objects.select_related("organization", "dismissed_by"), pk=pk)


def days_overdue(item: InboxItem, today: dt.date) -> int:
    return max((today - item.due).days, 0)


# --- the one change a person makes -------------------------------------------------------------

REASON_MAX = 200


@service
def dismiss_item(*, actor: Any, item: InboxItem, reason: str) -> InboxItem:
    """忽略: the organization says an open item needs no work from it (the member was received
    elsewhere on paper, the term was renewed before the system knew), with its reason. The item
    stays dismissed until its source gives it a later deadline (module docstring)."""
    item = scope.get_scoped_or_404(actor, InboxItem.objects.select_for_update(), to_write=True, pk=item.pk)
    scope.require_role(actor, lambda role: role.writes_members, "忽略待办事项")
    reason = reason.strip()
    if item.state == InboxState.DONE:
        raise DomainError("该事项已办结，无需忽略")
    if item.state == InboxState.DISMISSED:
        raise DomainError(f"该事项已于{timezone.localtime(item.closed_at):%Y-%m-%d}忽略")
    if not reason:
        raise DomainError({"reason": "请填写忽略此事项的理由"})
    if len(reason) > REASON_MAX:
        raise DomainError({"reason": f"忽略理由不能超过{REASON_MAX}个字"})
    item.state, item.closed_at = InboxState.DISMISSED, timezone.now()
    item.dismissed_reason, item.dismissed_by = reason, actor
    item.save(update_fields=["state", "closed_at", "dismissed_reason", "dismissed_by"])
    return item
