"""The branch meeting's vote (支部大会表决): who is expected to vote on the meeting date (full
members of the branch with a voting 党籍状态, less those under 留党察看), who is left out and why,
and the quorum and majority check of the counts entered with steps 16 and 23."""

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from dangjian.core.errors import ErrorCollector
from dangjian.discipline.queries import probation_discipline_q
from dangjian.members.models import Member, MembershipPeriod, Status, StatusPeriod
from dangjian.orgs.models import Organization

from .. import rules
from ..models import Applicant, BranchVote

if TYPE_CHECKING:
    from .steps import StepInput

# Who may vote at the branch meeting, by 党籍状态 on the meeting date (RULES.md §1.3): 停止党籍
# takes the rights away; 预备党员 are left out by their category, members under 留党察看 by their
# sanction (dangjian.discipline); the branch may leave out others with ``excluded``, with a reason.
VOTING_STATUSES = (Status.NORMAL, Status.MOBILE, Status.LOST_CONTACT, Status.ABROAD)
DISCIPLINED = "留党察看期间，没有表决权"


def _full_members_with_rights(branch: Organization, on: dt.date) -> QuerySet[Member]:
    """The branch's members on ``on`` (membership periods), 正式 that day (regularized on or before
    it) and with a 党籍状态 that keeps the vote."""
    there = MembershipPeriod.objects.filter(organization=branch, start__lte=on).filter(
        Q(end__isnull=True) | Q(end__gt=on)
    )
    voting = StatusPeriod.objects.filter(start__lte=on, status__in=VOTING_STATUSES).filter(
        Q(end__isnull=True) | Q(end__gt=on)
    )
    return Member.objects.filter(
        pk__in=there.values("member"),
        deleted_at__isnull=True,
        regularized_date__isnull=False,
        regularized_date__lte=on,
    ).filter(pk__in=voting.values("member"))


def expected_voters(branch: Organization, on: dt.date) -> QuerySet[Member]:
    """应到会有表决权的正式党员 on the meeting date: the branch's full members with a voting 党籍状态
    that day, less those under 留党察看 that day (no 表决权 during it, RULES.md §1.3 and §6.1)."""
    return _full_members_with_rights(branch, on).exclude(probation_discipline_q(on))


def under_discipline_on(branch: Organization, on: dt.date) -> QuerySet[Member]:
    """The branch's full members who would vote on ``on`` but for a 留党察看 in force that day."""
    return _full_members_with_rights(branch, on).filter(probation_discipline_q(on))


def _vote(applicant: Applicant, date: dt.date, data: "StepInput", errors: ErrorCollector) -> BranchVote | None:
    counts = dict(data.vote or {})
    if not counts:
        errors.add("vote", "请填写支部大会的到会和表决人数")
        return None
    voters = {m.pk: m for m in expected_voters(applicant.organization, date)}
    disciplined = list(under_discipline_on(applicant.organization, date))
    excluded = []
    for pk, reason in data.excluded.items():
        if named := next((m for m in disciplined if m.pk == pk), None):
            errors.add("excluded", f"{named.name}在会议当日处于留党察看期间，没有表决权，已不计入应到会人数")
        elif pk not in voters:
            errors.add("excluded", "不计入应到会人数的党员应是会议当日本支部有表决权的正式党员")
        elif not reason.strip():
            errors.add("excluded", f"请写明{voters[pk].name}不计入应到会人数的理由")
        else:
            excluded.append({"member": pk, "name": voters[pk].name, "reason": reason.strip()})
    try:
        ballot = rules.Ballot(expected=len(voters) - len(excluded), **{k: int(v) for k, v in counts.items()})
    except (TypeError, ValueError):
        errors.add("vote", "表决人数填写不完整或不是整数")
        return None
    result = rules.tally(ballot)
    if refusal := rules.vote_refusal(result):
        errors.add("vote", refusal)
        return None
    # Kept with the vote so the minutes show who was left out and why, the rule's ones too.
    excluded += [{"member": m.pk, "name": m.name, "reason": DISCIPLINED, "rule": True} for m in disciplined]
    return BranchVote(
        expected=ballot.expected,
        present=ballot.present,
        yes=ballot.yes,
        no=ballot.no,
        abstain=ballot.abstain,
        written_yes=ballot.written_yes,
        written_no=ballot.written_no,
        written_abstain=ballot.written_abstain,
        excluded=excluded,
        arithmetic=result.arithmetic[:300],
    )
