"""What the pages and the API read: the pipeline by stage and the items due, for a subtree, always
through the user's scope."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from dangjian.core import scope
from dangjian.core.dates import add_months, add_years, age_on
from dangjian.core.enums import Education, Gender, Occupation
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization, UnitCategory

from . import rules
from .models import Applicant, AssessmentKind, FileStatus, Quota, StepRecord

DUE_DAYS = 30  # probation ending, assessments falling due: within this many days
APPROVAL_MONTHS = 3  # 细则: upper approval within 3 months of the branch vote


def files(user: Any, organization: Organization) -> QuerySet[Applicant]:
    """The open files of the organization's subtree that the user may see."""
    return open_files(scope.scoped(user, Applicant.objects.all()).filter(org_path__startswith=organization.path))


def open_files(rows: QuerySet[Applicant]) -> QuerySet[Applicant]:
    """The files of ``rows`` still under way (neither closed, cancelled nor archived)."""
    return rows.exclude(status__in=[FileStatus.CLOSED, FileStatus.CANCELLED, FileStatus.ARCHIVED]).select_related(
        "organization", "member"
    )


@dataclass(frozen=True)
class StageRow:
    stage: rules.Stage
    count: int


def pipeline(user: Any, organization: Organization) -> list[StageRow]:
    """How many open files stand in each stage: the stage of the last step done (an applicant
    is an activist once step 3 is done, a development target once step 7 is)."""
    steps = files(user, organization).values_list("step", flat=True)
    counts = Counter(rules.stage_of(step) for step in steps)
    return [StageRow(stage, counts.get(stage, 0)) for stage in rules.Stage]


@dataclass(frozen=True)
class BranchRow:
    organization_id: int
    name: str
    counts: list[int]  # per stage, in the order of rules.Stage


def pipeline_by_branch(user: Any, organization: Organization) -> list[BranchRow]:
    """The pipeline of each branch of the subtree that has open files (one query)."""
    rows = files(user, organization).values_list("organization_id", "organization__name", "org_path", "step")
    stages = list(rules.Stage)
    table: dict[int, tuple[str, str, list[int]]] = {}
    for pk, name, path, step in rows:
        entry = table.setdefault(pk, (path, name, [0] * len(stages)))
        entry[2][stages.index(rules.stage_of(step))] += 1
    return [BranchRow(pk, name, counts) for pk, (_, name, counts) in sorted(table.items(), key=lambda i: i[1][0])]


@dataclass(frozen=True)
class DueItem:
    applicant: Applicant
    kind: str  # 半年考察, 预备期考察, 预备期届满, 审批超期
    due: dt.date
    text: str
    overdue: bool


def due_items(user: Any, organization: Organization, today: dt.date) -> list[DueItem]:
    """What is due in the files of the organization's subtree the user may see (``due_in``)."""
    return due_in(scope.scoped(user, Applicant.objects.filter(org_path__startswith=organization.path)), today)


def due_in(rows: QuerySet[Applicant], today: dt.date) -> list[DueItem]:
    """Half-year assessments falling due (of activists, and of probationary members: the first
    half year of probation without one), probation ending within 30 days, and upper approvals
    pending longer than three months after the branch vote, in the open files of ``rows``; the
    soonest first. The due page reads it for a user's subtree, the inbox for the whole tree."""
    horizon = today + dt.timedelta(days=DUE_DAYS)
    items = []
    for applicant in open_files(rows).prefetch_related("steps", "assessments"):
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
            probation = [a.date for a in applicant.assessments.all() if a.kind == AssessmentKind.PROBATION]
            half = rules.next_probation_assessment_due(applicant.member.joined_date, end, today, probation)
            if half is not None and half <= horizon:
                text = f"应在{half:%Y-%m-%d}前完成本半年的预备期考察"
                items.append(DueItem(applicant, "预备期考察", half, text, half < today))
            if end <= horizon:
                items.append(
                    DueItem(applicant, "预备期届满", end, f"预备期于{end:%Y-%m-%d}届满，应及时讨论转正", end < today)
                )
        for vote, approval in (
            (rules.ADMISSION_VOTE, rules.ADMISSION_APPROVAL),
            (rules.REGULARIZATION_VOTE, rules.REGULARIZATION_APPROVAL),
        ):
            if vote <= step < approval:  # voted, not yet approved (the upper talk may be done)
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


# --- The year: plan progress, counts and structure, 空白村 -------------------------------------


@dataclass(frozen=True)
class QuotaRow:
    organization: Organization
    amount: int
    given_by: Organization | None
    reached: int  # applicants of the subtree who became development targets in the year


def plan_progress(user: Any, organization: Organization, year: int) -> list[QuotaRow]:
    quotas = (
        scope.scoped(user, Quota.objects.filter(year=year, org_path__startswith=organization.path))
        .select_related("organization", "given_by")
        .order_by("org_path")
    )
    reached = targets_by_path(user, organization, year)
    return [
        QuotaRow(
            q.organization, q.amount, q.given_by, sum(n for path, n in reached.items() if path.startswith(q.org_path))
        )
        for q in quotas
    ]


def targets_by_path(user: Any, organization: Organization, year: int) -> dict[str, int]:
    """Development targets (step 7) of the year, per organization path, in one query."""
    rows = (
        scope.scoped(user, StepRecord.objects.filter(step=rules.TARGET, date__year=year))
        .filter(applicant__org_path__startswith=organization.path)
        .values_list("applicant__org_path", "applicant_id")
        .distinct()
    )
    counts: Counter[str] = Counter(path for path, _ in rows)
    return dict(counts)


@dataclass(frozen=True)
class YearCounts:
    total: int
    by_gender: list[tuple[str, int]]
    by_age: list[tuple[str, int]]
    by_education: list[tuple[str, int]]
    by_occupation: list[tuple[str, int]]


AGE_BANDS_AT_JOINING = ((None, 25, "25岁及以下"), (26, 35, "26-35岁"), (36, 45, "36-45岁"), (46, None, "46岁及以上"))


def year_counts(user: Any, organization: Organization, year: int) -> YearCounts:
    """发展党员数 of the year (admitted: the branch vote of the year, approved by the upper
    committee) and its structure: gender, age at admission, education, occupation."""
    admitted = (
        scope.scoped(user, Applicant.objects.filter(org_path__startswith=organization.path, member__isnull=False))
        .filter(member__joined_date__year=year)
        .select_related("member")
    )
    people = [(a, age_on(a.birth_date, a.member.joined_date)) for a in admitted if a.member is not None]

    def band(age: int) -> str:
        return next(
            label
            for low, high, label in AGE_BANDS_AT_JOINING
            if (low is None or age >= low) and (high is None or age <= high)
        )

    def tally(values: list[str], choices: Any) -> list[tuple[str, int]]:
        counts = Counter(values)
        return [(label, counts[value]) for value, label in choices if counts[value]]

    ages = Counter(band(age) for _, age in people)
    return YearCounts(
        total=len(people),
        by_gender=tally([a.gender for a, _ in people], Gender.choices),
        by_age=[(label, ages[label]) for _, _, label in AGE_BANDS_AT_JOINING],
        by_education=tally([a.education for a, _ in people], Education.choices),
        by_occupation=tally([a.occupation for a, _ in people], Occupation.choices),
    )


BLANK_YEARS = 3


def blank_villages(user: Any, organization: Organization, today: dt.date) -> list[Organization]:
    """空白村: village and community branches of the subtree with no member who joined in the
    last three years (whether developed here or registered otherwise)."""
    since = add_years(today, -BLANK_YEARS)
    # Only the subtree's members (the organization is already in the user's scope): the index on
    # org_path narrows it, instead of every member of the county who joined lately.
    recent = Member.objects.filter(
        org_path__startswith=organization.path, joined_date__gt=since, deleted_at__isnull=True
    ).values("organization")
    return list(
        scope.scoped(user, Organization.objects.all())
        .filter(
            path__startswith=organization.path,
            unit_category__in=[UnitCategory.VILLAGE, UnitCategory.COMMUNITY],
            kind__in=[kind.value for kind in BRANCH_LEVEL_KINDS],
            abolished_date__isnull=True,
        )
        .exclude(pk__in=recent)
        .order_by("path")
    )
