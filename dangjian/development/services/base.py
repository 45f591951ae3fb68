"""What the submodules of the development services share: the workflow's name in the approval
log, the outcomes of the regularization vote, the statuses of a file still being worked on, the
steps the upper committee may refuse; and the small helpers every service uses (who may write,
the acting user to record, each step's date, the facts about a person chosen for a step, the
file following its member, the step written into the approval log)."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from dangjian.approvals.models import Decision
from dangjian.approvals.services import record_step
from dangjian.core import scope
from dangjian.core.errors import ErrorCollector
from dangjian.discipline.queries import under_probation_discipline
from dangjian.members.models import Member, Status
from dangjian.orgs.models import Organization

from .. import rules
from ..models import Applicant, FileStatus, StepRecord

WORKFLOW = "发展党员"
OUTCOMES = {"regularize": "按期转正", "extend": "延长预备期", "cancel": "取消预备党员资格"}
GROUPING = 19  # 编入党支部和党小组
# The upper committee may refuse the pre-review or the admission (the file then ends), and the
# branch's resolution on the regularization (党章第七条: conversion, extension and cancellation each
# need the branch's vote and the higher approval): the file then goes back to the branch, which
# discusses again (steps 23–24 in a new round). The steps are those recording ``Record.REJECT``.
REJECTABLE = rules.REJECTABLE
OPEN_STATUSES = (FileStatus.OPEN, FileStatus.PROBATION, FileStatus.REGULARIZED)


def _writer(actor: Any, action: str) -> scope.Acting:
    return scope.require_role(actor, lambda role: role.writes_members, action)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def dates_of(applicant: Applicant) -> dict[int, dt.date]:
    """Each step's date; for a step done in several rounds (after an extension or a refused
    regularization), the latest one."""
    return {r.step: r.date for r in applicant.steps.order_by("round")}


def _facts(person: Member, branch: Organization, on: dt.date) -> rules.PartyMemberFacts:
    status = person.status_periods.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gt=on)).first()
    return rules.PartyMemberFacts(
        name=person.name,
        is_full_member=person.regularized_date is not None and person.regularized_date <= on,
        in_branch=person.deleted_at is None and person.org_path.startswith(branch.path),
        on_roll=status is not None and status.status in (Status.NORMAL, Status.MOBILE),
        under_probation_discipline=bool(under_probation_discipline([person.pk], on)),
    )


def _check_people(
    actor: Any, people: Iterable[Member], applicant: Applicant, on: dt.date, errors: ErrorCollector, field_: str
) -> list[rules.PartyMemberFacts]:
    facts = []
    for person in people:
        if not scope.is_in_scope(actor, person):
            errors.add(field_, "所选党员不存在或不在您的管理范围内")
            continue
        facts.append(_facts(person, applicant.organization, on))
    return facts


def _sync_with_member(applicant: Applicant) -> None:
    member = applicant.member
    if member is not None and member.organization_id != applicant.organization_id:
        applicant.organization, applicant.org_path = member.organization, member.org_path
        applicant.save(update_fields=["organization", "org_path", "updated_at"])


def _log(
    actor: Any,
    applicant: Applicant,
    record: StepRecord,
    organization: Organization,
    *,
    reject: bool = False,
    reason: str = "",
    text: str = "",
) -> None:
    """The step in the approval log; ``text`` replaces the reason (the note, else ``reason``)."""
    decision = Decision.REJECT if reject else Decision.PASS if record.step in rules.APPROVAL_STEPS else Decision.RECORD
    record_step(
        actor=actor,
        target=applicant,
        workflow=WORKFLOW,
        step=rules.step_name(record.step)[:30],
        decision=decision,
        organization=organization,
        reason=text or record.note or reason,
    )
