"""Moving one member between organizations on a date (组织关系转接's last step).

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

from .models import Member, MembershipPeriod

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
    _close_period(member, date)
    period = MembershipPeriod.objects.create(member=member, organization=organization, start=date, reason=reason)
    member.organization, member.org_path, member.party_group = organization, organization.path, None
    member.save(update_fields=["organization", "org_path", "party_group", "updated_at"])
    for hook in _followers:
        hook(member)
    return period


@transaction.atomic
def move_out_of_tree(member: Member, date: dt.date) -> None:
    """The member's relation went to an organization outside this system (转出): the open period
    ends on ``date`` and the record leaves the registry (soft-deleted, restorable), so it is no
    longer counted here. The transfer keeps where the member went."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if problem := move_problem(member, None, date):
        raise MoveRefused(problem)
    _close_period(member, date)
    member.deleted_at, member.party_group = timezone.now(), None
    member.save(update_fields=["deleted_at", "party_group", "updated_at"])


def _close_period(member: Member, date: dt.date) -> None:
    current = MembershipPeriod.objects.get(member=member, end__isnull=True)
    current.end = date
    current.save(update_fields=["end"])  # through save: the period's history records who and when
