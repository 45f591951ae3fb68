"""A member's history as one timeline (党员档案历程): organizations with dates, category and
status changes, and whatever later apps add (transfers, discipline, commendations, training).

An app adds its entries by registering a source: ``timeline.register(source)``, where ``source``
takes a member and yields ``Entry`` items. Sources are explicit calls, like the restructuring hooks.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

from .models import CorrectionStatus, Member, Status
from .services import correction_labels

# What happened first on one day, when entries share a date: a decision or a step of a procedure
# (a development step, a sanction), then what it changed in the record (category, status), then
# where the member is placed, then a correction of the record.
DECISION, RECORD, PLACEMENT, CORRECTION = 0, 1, 2, 3


@dataclass(frozen=True)
class Entry:
    date: dt.date
    kind: str  # 组织关系, 人员类别, 党籍状态, 信息更正, …
    text: str
    rank: int = DECISION  # the order on one day (the constants above); a source's entries keep theirs


Source = Callable[[Member], Iterable[Entry]]
_sources: list[Source] = []


def register(source: Source) -> Source:
    if source not in _sources:
        _sources.append(source)
    return source


def entries(member: Member) -> list[Entry]:
    """Newest first, on one day as well: the timeline is read from the top back in time, so what
    happened last that day comes first. Within a day, entries follow their rank; entries of one
    rank, the order their source gave them (each source yields in the order things happened)."""
    found = [entry for source in _sources for entry in source(member)]
    order = {id(entry): index for index, entry in enumerate(found)}
    return sorted(found, key=lambda entry: (entry.date, entry.rank, order[id(entry)]), reverse=True)


@register
def _category(member: Member) -> Iterable[Entry]:
    yield Entry(member.joined_date, "人员类别", "入党，为预备党员", RECORD)
    if member.regularized_date:
        yield Entry(member.regularized_date, "人员类别", "转为正式党员", RECORD)


@register
def _organizations(member: Member) -> Iterable[Entry]:
    for period in member.periods.select_related("organization").order_by("start"):
        reason = f"（{period.reason}）" if period.reason else ""
        yield Entry(period.start, "组织关系", f"编入{period.organization.name}{reason}", PLACEMENT)


@register
def _statuses(member: Member) -> Iterable[Entry]:
    periods = list(member.status_periods.order_by("start", "pk"))
    for index, period in enumerate(periods):
        if index == 0 and period.status == Status.NORMAL:
            continue  # the ordinary start, already told by 入党
        how = f"（{period.get_left_reason_display()}）" if period.left_reason else ""
        why = f"：{period.reason}" if period.reason else ""
        yield Entry(period.start, "党籍状态", f"党籍状态变为{period.get_status_display()}{how}{why}", RECORD)


@register
def _corrections(member: Member) -> Iterable[Entry]:
    for request in member.corrections.filter(status=CorrectionStatus.ACCEPTED).exclude(decided_at=None):
        assert request.decided_at is not None
        fields = correction_labels(request.changes)
        yield Entry(timezone.localdate(request.decided_at), "信息更正", f"本人申请更正{fields}，已采纳", CORRECTION)
