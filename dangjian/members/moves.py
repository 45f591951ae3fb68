"""Moving one member between organizations on a date (组织关系转接's last step), out of the tree
(已转出) and back into it.

The membership period at the old organization ends on the date and the one at the new
organization starts on it, so the member is never in two organizations at once nor in none
(MembershipPeriod's contract). Only the transfers app calls these, inside its own service
transaction, after it has checked scope and rules and locked the transfer: nothing here checks
who acts.
"""

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Organization

from .models import Member, MembershipPeriod, Status, StatusPeriod

Follower = Callable[[Member], None]
_followers: list[Follower] = []


def follow(hook: Follower) -> Follower:
    """Call ``hook(member)`` after every move, inside its transaction: what belongs to the person
    elsewhere (a development file) goes where they went. Registered from an app's ``ready()``."""
    if hook not in _followers:
        _followers.append(hook)
    return hook


class MoveRefused(Exception):
    """The move would break the periods' order or put the member where members cannot be;
    the message is for the user (Chinese)."""


def move_problem(member: Member, organization: Organization | None, date: dt.date) -> str | None:
    """Why ``member`` cannot move to ``organization`` (None: out of the tree) on ``date``."""
    current = member.periods.filter(end__isnull=True).first()
    if member.deleted_at is not None:
        return f"党员{member.name}的记录已不在册"
    if member.status == Status.TRANSFERRED_OUT:
        return f"党员{member.name}的组织关系已于{member.status_date:%Y-%m-%d}转出本系统"
    if current is None:
        return f"党员{member.name}没有当前的组织隶属期间，请先核对其记录"
    if date < current.start:
        return f"转接日期不能早于{member.name}到现所在组织的日期{current.start:%Y-%m-%d}"
    if date > timezone.localdate():
        return "转接日期不能晚于今天"
    if organization is None:
        return None
    if organization.pk == member.organization_id:
        return f"{member.name}已在“{organization.name}”"
    return destination_problem(organization)


def destination_problem(organization: Organization) -> str | None:
    """Why ``organization`` cannot take a member in."""
    if organization.is_abolished:
        return f"“{organization.name}”已撤销，不能接收党员"
    if problem := org_rules.member_holding_problem(organization.kind_enum, organization.holds_members_directly):
        return f"不能将党员编入“{organization.name}”：{problem}"
    return None


@transaction.atomic
def move_member(member: Member, organization: Organization, date: dt.date, reason: str) -> MembershipPeriod:
    """Close the member's open period on ``date`` and open one at ``organization`` on it; the
    member record follows (organization, its path; the party group stays behind)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if problem := move_problem(member, organization, date):
        raise MoveRefused(problem)
    _close_period(member, date, reason)
    period = MembershipPeriod.objects.create(member=member, organization=organization, start=date, reason=reason)
    member.organization, member.org_path, member.party_group = organization, organization.path, None
    member.save(update_fields=["organization", "org_path", "party_group", "updated_at"])
    _follow(member)
    return period


OUT_REASON = "组织关系转出至{}"
BACK_REASON = "组织关系转入（系统外）"


@transaction.atomic
def move_out_of_tree(member: Member, date: dt.date, destination: str) -> Member:
    """The member's relation went to an organization outside this system (转出, to
    ``destination``): the open membership period ends on ``date`` and the status becomes 已转出
    from that day, with the destination as its reason. The record stays (not deleted): off the
    roll, counted nowhere, unchanged while 已转出, and reopened by ``move_back_into_tree`` when a
    letter brings the person back, so the history stays one story."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if problem := move_problem(member, None, date):
        raise MoveRefused(problem)
    current = member.status_periods.filter(end__isnull=True).first()
    if current is not None and date < current.start:
        raise MoveRefused(f"转出日期不能早于{member.name}党籍状态上一次变更的日期{current.start:%Y-%m-%d}")
    reason = OUT_REASON.format(destination)[:200]
    _close_period(member, date, reason)
    _change_status(member, current, Status.TRANSFERRED_OUT, date, reason)
    member.party_group = None
    member._change_reason = reason[:100]  # type: ignore[attr-defined]  # simple-history's
    member.save(update_fields=["status", "status_date", "status_reason", "left_reason", "party_group", "updated_at"])
    return member


def return_problem(member: Member, date: dt.date) -> str | None:
    """Why ``member`` (已转出) cannot come back on ``date``; the messages name nothing of the
    record the letter's holder would not know."""
    if member.deleted_at is not None or member.status != Status.TRANSFERRED_OUT:
        return f"党员{member.name}的组织关系未转出本系统，不能按转回接收"
    if member.status_date is not None and date < member.status_date:
        return "接收日期早于该党员组织关系转出本系统的日期，请核对介绍信"
    if date > timezone.localdate():
        return "接收日期不能晚于今天"
    return None


@transaction.atomic
def move_back_into_tree(member: Member, organization: Organization, date: dt.date) -> Member:
    """A member whose relation went outside (已转出) comes back by a letter from outside: the same
    record moves to ``organization`` with a new membership period from ``date``, and the status
    is 正常 again from that day. The earlier periods, history and development file stay theirs."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if problem := return_problem(member, date) or destination_problem(organization):
        raise MoveRefused(problem)
    current = member.status_periods.filter(end__isnull=True).first()
    MembershipPeriod.objects.create(member=member, organization=organization, start=date, reason=BACK_REASON)
    _change_status(member, current, Status.NORMAL, date, BACK_REASON)
    member.organization, member.org_path, member.party_group = organization, organization.path, None
    member._change_reason = BACK_REASON  # type: ignore[attr-defined]
    fields = ["organization", "org_path", "party_group", "status", "status_date", "status_reason", "left_reason"]
    member.save(update_fields=[*fields, "updated_at"])
    _follow(member)
    return member


def _follow(member: Member) -> None:
    for hook in _followers:
        hook(member)


def _change_status(member: Member, current: StatusPeriod | None, status: Status, date: dt.date, reason: str) -> None:
    if current is not None:
        current.end = date
        current.save(update_fields=["end"])
    StatusPeriod.objects.create(member=member, status=status, start=date, reason=reason)
    member.status, member.status_date, member.status_reason, member.left_reason = status, date, reason, ""


def _close_period(member: Member, date: dt.date, reason: str) -> None:
    current = MembershipPeriod.objects.get(member=member, end__isnull=True)
    current.end = date
    current._change_reason = reason[:100]  # type: ignore[attr-defined]  # why it ended, in its history
    current.save(update_fields=["end"])  # through save: the period's history records who and when
