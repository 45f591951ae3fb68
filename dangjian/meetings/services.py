"""Every change to organizational life. Each takes the acting user, checks role and scope first,
applies ``rules.py``, and writes in one transaction (``@service``) or raises DomainError and writes
nothing.

Who records: the roles that write members (支部书记/组织委员 for their branch, 组织部/党委管理员 for
their subtree), for an organization in the part of the tree they write. Who reads: the roles that
read members, in their subtree (the registration in ``apps.py``)."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils import timezone

from dangjian.core import scope
from dangjian.core.dates import DateKind, date_problem
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.members.models import Member, PartyGroup
from dangjian.orgs.models import Organization

from . import checkin, roll, rules
from .inbox import meetings_changed
from .models import Attendance, Attendees, LifeSettings, Meeting, MeetingKind, Presence, Standing
from .tally import recount

TEXT_LIMITS = {"place": ("地点", 100), "topic": ("主题", 200), "lecturer": ("授课人", 50)}
TEXT_LIMITS |= {"lecturer_post": ("授课人职务", 100)}
LONG_TEXT = {"content": "主要内容", "decisions": "议定事项", "minutes": "会议记录"}
LONG_LIMIT = 20_000


def _recorder(actor: Any, action: str) -> scope.Acting:
    return scope.require_role(actor, lambda role: role.writes_members, action)


def _changed(organization: Organization) -> None:
    """A meeting of ``organization`` was recorded, marked or deleted: its month tally is rewritten
    in this transaction, the inbox follows once it commits."""
    recount([organization.pk])
    meetings_changed(organization)


def _check_texts(values: dict[str, str], errors: ErrorCollector) -> None:
    for field, (label, limit) in TEXT_LIMITS.items():
        if len(values.get(field, "")) > limit:
            errors.add(field, f"{label}不能超过{limit}个字")
    for field, label in LONG_TEXT.items():
        if len(values.get(field, "")) > LONG_LIMIT:
            errors.add(field, f"{label}不能超过{LONG_LIMIT}个字")
    for field, label in (("place", "地点"), ("topic", "主题")):
        if not values.get(field):
            errors.add(field, f"请填写{label}")


def _check_date(organization: Organization, held_on: dt.date | None, today: dt.date, errors: ErrorCollector) -> None:
    if held_on is None:
        errors.add("held_on", "请填写召开日期")
        return
    if held_on > today:
        errors.add("held_on", "召开日期不能晚于今天：组织生活应在召开后如实记录")
    elif problem := date_problem(held_on, DateKind.EVENT, today, "召开日期"):
        errors.add("held_on", problem)
    elif organization.founded_date and held_on < organization.founded_date:
        errors.add("held_on", f"召开日期早于{organization.name}的成立日期（{organization.founded_date:%Y-%m-%d}）")
    elif organization.abolished_date and held_on >= organization.abolished_date:
        errors.add(
            "held_on", f"{organization.name}已于{organization.abolished_date:%Y-%m-%d}撤销，不能记录此后召开的会议"
        )
    else:
        settings = LifeSettings.current()
        if not settings.backfill_allowed and rules.is_backfilled(held_on, today, settings.backfill_days):
            errors.add(
                "held_on",
                f"本地区不允许补录组织生活：会议召开{settings.backfill_days}天后不能再录入",
            )


def _check_kinds(kinds: Sequence[MeetingKind], errors: ErrorCollector) -> None:
    if not kinds:
        errors.add("kinds", "请选择会议类型（可多选，如主题党日同时召开支部党员大会）")
        return
    combines = {k.code: {c.code for c in k.combines_with.all()} for k in kinds}
    problem = rules.combination_problem([k.code for k in kinds], combines, {k.code: k.name for k in kinds})
    if problem:
        errors.add("kinds", problem)


def _in_scope(actor: Any, member: Member | None, field: str, label: str, errors: ErrorCollector) -> Member | None:
    if member is None:
        return None
    found = scope.scoped(actor, Member.objects.filter(pk=member.pk)).first()
    if found is None:
        errors.add(field, f"{label}不存在或不在您的管理范围内")
    return found


@service
def record_meeting(
    *,
    actor: Any,
    organization: Organization,
    kinds: Sequence[MeetingKind],
    held_on: dt.date | None,
    starts_at: dt.time | None,
    place: str,
    topic: str,
    ends_at: dt.time | None = None,
    party_group: PartyGroup | None = None,
    host: Member | None = None,
    recorder: Member | None = None,
    lecturer: str = "",
    lecturer_member: Member | None = None,
    lecturer_post: str = "",
    content: str = "",
    decisions: str = "",
    minutes: str = "",
    participants: Iterable[Member] = (),
) -> Meeting:
    """Record a meeting held on ``held_on`` (记录组织生活). The expected attendees are written from the
    records of that day; the meeting counts by that day whatever day it is typed in, and is marked
    补录 when typed in more than the setting's days later. ``participants``: the people of a 谈心谈话."""
    _recorder(actor, "记录组织生活")
    organization = scope.get_scoped_or_404(
        actor, Organization.objects.select_for_update(), to_write=True, pk=organization.pk
    )
    today = timezone.localdate()
    errors = ErrorCollector()
    texts = {
        "place": place.strip(),
        "topic": topic.strip(),
        "lecturer": lecturer.strip(),
        "lecturer_post": lecturer_post.strip(),
        "content": content.strip(),
        "decisions": decisions.strip(),
        "minutes": minutes.strip(),
    }
    _check_texts(texts, errors)
    _check_date(organization, held_on, today, errors)
    if starts_at is None:
        errors.add("starts_at", "请填写开始时间")
    elif ends_at is not None and ends_at <= starts_at:
        errors.add("ends_at", "结束时间应晚于开始时间")
    kinds = list(kinds)
    _check_kinds(kinds, errors)
    attendees = roll.widest([k.attendees for k in kinds])
    if any(k.attendees == Attendees.GROUP for k in kinds):
        if party_group is None:
            errors.add("party_group", "党小组会请选择党小组")
        elif party_group.organization_id != organization.pk:
            errors.add("party_group", f"该党小组不属于{organization.name}")
        elif party_group.dissolved_date and held_on and party_group.dissolved_date <= held_on:
            errors.add("party_group", f"该党小组已于{party_group.dissolved_date:%Y-%m-%d}撤销")
    else:
        party_group = None
    if any(k.has_lecturer for k in kinds):
        if lecturer_member is not None and not texts["lecturer"]:
            texts["lecturer"] = lecturer_member.name
        if not texts["lecturer"]:
            errors.add("lecturer", "党课请填写授课人")
        if not texts["lecturer_post"]:
            errors.add("lecturer_post", "党课请填写授课人职务（如“镇党委书记”“支部书记”）")
    else:
        texts["lecturer"], texts["lecturer_post"], lecturer_member = "", "", None
    host = _in_scope(actor, host, "host", "主持人", errors)
    recorder = _in_scope(actor, recorder, "recorder", "记录人", errors)
    lecturer_member = _in_scope(actor, lecturer_member, "lecturer_member", "授课党员", errors)
    chosen = [m for m in (_in_scope(actor, p, "participants", "谈话对象", errors) for p in participants) if m]
    if errors:
        errors.raise_if_any()
    assert held_on is not None and starts_at is not None
    people = roll.expected(organization, attendees, held_on, party_group)
    if attendees == Attendees.CHOSEN:
        if not chosen:
            errors.add("participants", "谈心谈话请选择谈话对象")
        people = [roll.Expected(m, roll.standing_on(m, held_on)) for m in dict.fromkeys(chosen)]
    elif attendees == Attendees.COMMITTEE and not people:
        errors.add("kinds", f"{organization.name}在{held_on:%Y-%m-%d}没有在任的支部委员会委员，不能记录支部委员会会议")
    errors.raise_if_any()
    settings = LifeSettings.current()
    quorum = any(k.needs_quorum for k in kinds)
    meeting = Meeting.objects.create(
        organization=organization,
        org_path=organization.path,
        party_group=party_group,
        held_on=held_on,
        starts_at=starts_at,
        ends_at=ends_at,
        host=host,
        recorder=recorder,
        lecturer_member=lecturer_member,
        entered_on=today,
        backfilled=rules.is_backfilled(held_on, today, settings.backfill_days),
        # A 支委会 counts once the attendance shows more than half of the committee present.
        quorum_met=False if quorum else None,
        counted=not quorum,
        created_by=actor,
        **texts,
    )
    meeting.kinds.set(kinds)
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member=row.member, standing=row.standing, expected=row.expected) for row in people
    )
    _changed(organization)
    return meeting


@service
def mark_attendance(
    *,
    actor: Any,
    meeting: Meeting,
    marks: Mapping[int, tuple[str, str]],
    guests: Iterable[tuple[Member, str]] = (),
) -> Meeting:
    """Mark who was present, on leave (with the reason) or absent (登记出席情况); add guests, each
    with the reason they attend. A 支委会 counts only with more than half of its members present."""
    _recorder(actor, "登记出席情况")
    meeting = scope.get_scoped_or_404(actor, Meeting.objects.select_for_update(), to_write=True, pk=meeting.pk)
    rows = {row.member_id: row for row in meeting.attendance.select_related("member")}
    errors = ErrorCollector()
    for member_id, (presence, reason) in marks.items():
        row = rows.get(member_id)
        if row is None:
            errors.add("attendance", "所登记的人员不在本次会议的应到或列席名单中；如需列席，请以列席人员添加并说明原因")
            continue
        if presence not in Presence.values:
            errors.add("attendance", f"{row.member.name}的出席情况无效")
            continue
        reason = reason.strip()
        if len(reason) > 200:
            errors.add("attendance", f"{row.member.name}的说明不能超过200个字")
        if presence == Presence.LEAVE and not reason:
            errors.add("attendance", f"{row.member.name}请假，请填写请假事由")
        row.presence, row.reason = presence, reason
    added = []
    for member, reason in guests:
        found = _in_scope(actor, member, "guests", "列席人员", errors)
        reason = reason.strip()
        if found is None:
            continue
        if found.pk in rows:
            errors.add("guests", f"{found.name}已在本次会议名单中")
        elif not reason:
            errors.add("guests", f"请说明{found.name}列席的原因")
        elif len(reason) > 200:
            errors.add("guests", "列席原因不能超过200个字")
        else:
            added.append(
                Attendance(
                    meeting=meeting,
                    member=found,
                    standing=Standing.GUEST,
                    expected=False,
                    presence=Presence.PRESENT,
                    reason=reason,
                )
            )
            rows[found.pk] = added[-1]
    errors.raise_if_any()
    Attendance.objects.bulk_update([r for r in rows.values() if r.pk], ["presence", "reason"])
    Attendance.objects.bulk_create(added)
    _count_quorum(meeting, list(rows.values()))
    _changed(meeting.organization)
    return meeting


def _count_quorum(meeting: Meeting, rows: list[Attendance]) -> None:
    if meeting.quorum_met is None:
        return
    expected = [r for r in rows if r.expected]
    present = sum(1 for r in expected if r.presence == Presence.PRESENT)
    meeting.quorum_met = rules.quorum_met(present, len(expected))
    meeting.counted = meeting.quorum_met
    meeting.save(update_fields=["quorum_met", "counted"])


@service
def delete_meeting(*, actor: Any, meeting: Meeting, reason: str) -> None:
    """Delete a record made by mistake (删除误录的记录): soft, kept in the history with the reason."""
    _recorder(actor, "删除组织生活记录")
    meeting = scope.get_scoped_or_404(actor, Meeting.objects.select_for_update(), to_write=True, pk=meeting.pk)
    reason = reason.strip()
    if not reason:
        raise DomainError({"reason": "请说明删除原因"})
    if len(reason) > 200:
        raise DomainError({"reason": "删除原因不能超过200个字"})
    meeting.deleted_at = timezone.now()
    meeting._change_reason = reason  # type: ignore[attr-defined]  # simple_history's change reason
    meeting.save(update_fields=["deleted_at"])
    _changed(meeting.organization)


@service
def check_in(*, actor: Any, meeting_id: int) -> Attendance:
    """扫码签到: the logged-in member, on the meeting's list, marks themself present, once, within
    the meeting's time window. Found through the list, not the scope: a member reads no meeting."""
    member = getattr(actor, "member", None)
    meeting = Meeting.objects.filter(pk=meeting_id, deleted_at__isnull=True).first()
    if meeting is None:
        raise DomainError("签到码无效或会议已删除")
    row = None
    if member is not None:
        row = Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if row is None:
        raise DomainError("您不在本次会议的应到人员名单中，请联系会议记录人登记")
    opens, closes = checkin.window(meeting.held_on, meeting.starts_at, meeting.ends_at)
    now = timezone.localtime().replace(tzinfo=None)
    if not opens <= now <= closes:
        raise DomainError(f"签到时间为{opens:%Y-%m-%d %H:%M}至{closes:%H:%M}，当前不在签到时间内")
    if row.checked_in_at is not None:
        raise DomainError(f"您已于{timezone.localtime(row.checked_in_at):%H:%M}签到，无需重复签到")
    row.presence, row.reason, row.checked_in_at = Presence.PRESENT, "", timezone.now()
    row.save(update_fields=["presence", "reason", "checked_in_at"])
    _count_quorum(meeting, list(meeting.attendance.all()))
    _changed(meeting.organization)
    return row
