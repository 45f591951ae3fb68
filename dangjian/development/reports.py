"""What the pages and the API read: the pipeline by stage and the items due, for a subtree, always
through the user's scope."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from dangjian.core import scope
from dangjian.core.dates import add_months
from dangjian.orgs.models import Organization

from . import rules
from .models import Applicant, FileStatus

DUE_DAYS = 30  # probation ending, assessments falling due: within this many days
APPROVAL_MONTHS = 3  # 细则: upper approval within 3 months of the branch vote


def files(user: Any, organization: Organization) -> QuerySet[Applicant]:
    """The open files of the organization's subtree that the user may see."""
    return (
        scope.scoped(user, Applicant.objects.all())
        .filter(org_path__startswith=organization.path)
        .exclude(status__in=[FileStatus.CLOSED, FileStatus.CANCELLED, FileStatus.ARCHIVED])
        .select_related("organization", "member")
    )


@dataclass(frozen=True)
class StageRow:
    stage: rules.Stage
    count: int


def pipeline(user: Any, organization: Organization) -> list[StageRow]:
    """How many open files stand in each stage (by the last step done)."""
    steps = files(user, organization).values_list("step", flat=True)
    counts = Counter(rules.stage_of(step + 1 if step < 25 else 25) for step in steps)
    return [StageRow(stage, counts.get(stage, 0)) for stage in rules.Stage]


@dataclass(frozen=True)
class DueItem:
    applicant: Applicant
    kind: str  # 半年考察, 预备期届满, 审批超期
    due: dt.date
    text: str
    overdue: bool


def due_items(user: Any, organization: Organization, today: dt.date) -> list[DueItem]:
    """Half-year assessments falling due, probation ending within 30 days, and upper approvals
    pending longer than three months after the branch vote; the soonest first."""
    horizon = today + dt.timedelta(days=DUE_DAYS)
    items = []
    rows = files(user, organization).prefetch_related("steps", "assessments")
    for applicant in rows:
        dates = {r.step: r.date for r in sorted(applicant.steps.all(), key=lambda r: r.round)}
        step = applicant.step
        if rules.ACTIVIST <= step < rules.TARGET:
            assessed = [a.date for a in applicant.assessments.all()]
            missing = rules.missing_assessments(dates[rules.ACTIVIST], today, assessed)
            due = missing[0] if missing else rules.next_assessment_due(dates[rules.ACTIVIST], today, assessed)
            if due <= horizon:
                items.append(
                    DueItem(applicant, "半年考察", due, f"应在{due:%Y-%m-%d}前完成本半年的培养考察", due < today)
                )
        if (
            applicant.status == FileStatus.PROBATION
            and applicant.member is not None
            and step < rules.REGULARIZATION_VOTE
        ):
            end = rules.probation_end(applicant.member.joined_date, applicant.extension_months)
            if end <= horizon:
                items.append(
                    DueItem(applicant, "预备期届满", end, f"预备期于{end:%Y-%m-%d}届满，应及时讨论转正", end < today)
                )
        for vote, approval in (
            (rules.ADMISSION_VOTE, rules.ADMISSION_APPROVAL),
            (rules.REGULARIZATION_VOTE, rules.REGULARIZATION_APPROVAL),
        ):
            if step == vote:
                limit = add_months(dates[vote], APPROVAL_MONTHS)
                if limit < today:
                    items.append(
                        DueItem(
                            applicant,
                            "审批超期",
                            limit,
                            f"支部大会{dates[vote]:%Y-%m-%d}通过，上级党委应在{limit:%Y-%m-%d}前审批（“{rules.step_name(approval)}”）",
                            True,
                        )
                    )
    return sorted(items, key=lambda item: item.due)
