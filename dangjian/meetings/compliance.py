"""What every organization of a subtree owes in organizational life, and how it stands on a day:
each rule in force × each of its periods of the year → held, owed, status (rules.duty); each
month → a colour (rules.colour). Meetings count by the day they were held, up to the as-of day,
and only those that count (a 支委会 below its quorum does not).

The counts are one aggregate over the subtree's meetings of the year (organization × kind ×
month); everything else is read once per subtree, so the cost grows with the subtree, not with the
number of rules."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import ExtractMonth

from dangjian.core import scope
from dangjian.elections.models import Officer, Position
from dangjian.members.models import PartyGroup
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization, OrgKind

from . import rules
from .models import AppliesTo, ComplianceRule, LifeSettings, Meeting

APPLIES = {
    AppliesTo.BRANCH: {kind.value for kind in BRANCH_LEVEL_KINDS},
    AppliesTo.GENERAL_BRANCH: {OrgKind.GENERAL_BRANCH.value},
    AppliesTo.COMMITTEE: {OrgKind.COMMITTEE.value, OrgKind.WORKING_COMMITTEE.value},
}
COMMITTEE_SIZE = 3  # a 支部委员会 has 3 to 5 members (支部工作条例 第二十条); fewer is a secretary alone


@dataclass(frozen=True)
class RulePeriods:
    rule: ComplianceRule
    spans: list[rules.Span]


@dataclass(frozen=True)
class DutyRow:
    rule: ComplianceRule
    span: rules.Span
    held: int
    owed: int
    duty: rules.Duty

    @property
    def month(self) -> int:
        """The month whose cell shows the duty: the one its period ends in."""
        return self.span.end.month


@dataclass
class Cell:
    month: int
    colour: rules.Colour
    duties: list[DutyRow] = field(default_factory=list)


@dataclass
class OrgYear:
    organization: Organization
    duties: list[DutyRow]
    cells: list[Cell]
    last_meeting: dt.date | None
    silent: bool

    @property
    def colour(self) -> rules.Colour:
        """The year so far: what has come due (a period still open and not yet due counts later)."""
        return rules.colour((d.duty for d in self.duties if d.duty != rules.Duty.NOT_YET), silent=self.silent)

    @property
    def overdue(self) -> list[DutyRow]:
        return [d for d in self.duties if d.duty == rules.Duty.OVERDUE]

    @property
    def next_due(self) -> list[DutyRow]:
        return sorted(
            (d for d in self.duties if d.duty in (rules.Duty.DUE, rules.Duty.NOT_YET)), key=lambda d: d.span.end
        )


def rules_in_force(year: int) -> list[RulePeriods]:
    """Each rule with the periods of ``year`` it governs: those whose first day it was in force on,
    so a rule changed on 1 July governs from the third quarter, and an earlier year keeps its rule."""
    found = []
    for rule in ComplianceRule.objects.select_related("kind").order_by("kind__order", "valid_from"):
        spans = [
            span
            for span in rules.periods(rule.period, year, rule.in_quarter)
            if rule.valid_from <= span.start and (rule.valid_to is None or span.start <= rule.valid_to)
        ]
        if spans:
            found.append(RulePeriods(rule, spans))
    return found


def organizations(user: Any, root: Organization, year: int) -> QuerySet[Organization]:
    """The organizations of the subtree in scope that existed at some time in ``year``."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (
        scope.scoped(user, Organization.objects.filter(path__startswith=root.path))
        .filter(Q(founded_date__isnull=True) | Q(founded_date__lte=end))
        .filter(Q(abolished_date__isnull=True) | Q(abolished_date__gt=start))
        .order_by("path")
    )


def _meetings(path: str, year: int, as_of: dt.date) -> QuerySet[Any]:
    return Meeting.kinds.through.objects.filter(
        meeting__org_path__startswith=path,
        meeting__deleted_at__isnull=True,
        meeting__counted=True,
        meeting__held_on__gte=dt.date(year, 1, 1),
        meeting__held_on__lte=min(as_of, dt.date(year, 12, 31)),
    )


def _counts(path: str, year: int, as_of: dt.date) -> dict[tuple[int, int], list[int]]:
    """(organization, kind) → meetings held in each month (index 1–12)."""
    rows = (
        _meetings(path, year, as_of)
        .annotate(month=ExtractMonth("meeting__held_on"))
        .values_list("meeting__organization_id", "meetingkind_id", "month")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * 13)
    for org, kind, month, n in rows:
        counts[org, kind][month] = n
    return counts


def _groups_met(path: str, year: int, as_of: dt.date, kind_ids: set[int]) -> dict[tuple[int, int], list[set[int]]]:
    """(organization, kind) → the party groups that met in each month (党小组会 is owed per group)."""
    rows = (
        _meetings(path, year, as_of)
        .filter(meetingkind_id__in=kind_ids, meeting__party_group__isnull=False)
        .annotate(month=ExtractMonth("meeting__held_on"))
        .values_list("meeting__organization_id", "meetingkind_id", "month", "meeting__party_group_id")
        .distinct()
    )
    met: dict[tuple[int, int], list[set[int]]] = defaultdict(lambda: [set() for _ in range(13)])
    for org, kind, month, group in rows:
        met[org, kind][month].add(group)
    return met


def _group_counts(path: str, as_of: dt.date) -> dict[int, int]:
    rows = (
        PartyGroup.objects.filter(organization__path__startswith=path)
        .filter(Q(dissolved_date__isnull=True) | Q(dissolved_date__gt=as_of))
        .values_list("organization_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def _officers(path: str, as_of: dt.date) -> QuerySet[Officer]:
    return Officer.objects.filter(
        term__organization__path__startswith=path, term__start__lte=as_of, since__lte=as_of
    ).filter(
        Q(term__actual_end__isnull=True) | Q(term__actual_end__gt=as_of), Q(until__isnull=True) | Q(until__gt=as_of)
    )


def with_committee(path: str, as_of: dt.date) -> set[int]:
    """Organizations with a 支部委员会 in force on ``as_of`` (three officers or more)."""
    rows = (
        _officers(path, as_of)
        .values_list("term__organization_id")
        .annotate(n=Count("member_id", distinct=True))
        .filter(n__gte=COMMITTEE_SIZE)
    )
    return {org for org, _ in rows}


def _secretary_lectures(path: str, year: int, as_of: dt.date, kind_ids: set[int]) -> dict[int, list[int]]:
    """Committee → 党课 given in each month anywhere in the tree by the member who is its secretary."""
    secretaries = dict(
        _officers(path, as_of).filter(position=Position.SECRETARY).values_list("member_id", "term__organization_id")
    )
    if not secretaries:
        return {}
    rows = (
        Meeting.objects.filter(
            deleted_at__isnull=True,
            counted=True,
            lecturer_member_id__in=list(secretaries),
            kinds__in=kind_ids,
            held_on__year=year,
            held_on__lte=as_of,
        )
        .annotate(month=ExtractMonth("held_on"))
        .values_list("lecturer_member_id", "month")
        .annotate(n=Count("id", distinct=True))
    )
    given: dict[int, list[int]] = defaultdict(lambda: [0] * 13)
    for member, month, n in rows:
        given[secretaries[member]][month] += n
    return given


def _last_meetings(path: str, as_of: dt.date) -> dict[int, dt.date]:
    rows = (
        Meeting.objects.filter(org_path__startswith=path, deleted_at__isnull=True, held_on__lte=as_of)
        .values_list("organization_id")
        .annotate(last=Max("held_on"))
    )
    return dict(rows)


def _applies(rule: ComplianceRule, organization: Organization) -> bool:
    if organization.kind not in APPLIES[AppliesTo(rule.applies_to)]:
        return False
    return not rule.unit_category or rule.unit_category == organization.unit_category


def year_of(user: Any, root: Organization, year: int, as_of: dt.date) -> list[OrgYear]:
    """Every organization of the subtree in the user's scope for ``year`` as it stood on ``as_of``,
    in tree order."""
    return standing(list(organizations(user, root, year)), root.path, year, as_of)


def standing(orgs: list[Organization], path: str, year: int, as_of: dt.date) -> list[OrgYear]:
    """``orgs`` (all under ``path``, already scoped by the caller) for ``year`` as of ``as_of``."""
    settings = LifeSettings.current()
    in_force = rules_in_force(year)
    counts = _counts(path, year, as_of)
    group_kinds = {p.rule.kind_id for p in in_force if p.rule.per_group}
    lecture_kinds = {p.rule.kind_id for p in in_force if p.rule.by_secretary}
    met = _groups_met(path, year, as_of, group_kinds) if group_kinds else {}
    groups = _group_counts(path, as_of) if group_kinds else {}
    committees = with_committee(path, as_of) if any(p.rule.needs_committee for p in in_force) else set()
    lectures = _secretary_lectures(path, year, as_of, lecture_kinds) if lecture_kinds else {}
    last = _last_meetings(path, as_of)
    silence_since = as_of - dt.timedelta(days=settings.silence_days)
    result = []
    for org in orgs:
        duties = []
        for rule_periods in in_force:
            rule = rule_periods.rule
            if not _applies(rule, org) or (rule.needs_committee and org.pk not in committees):
                continue
            if rule.per_group:
                months_met = met.get((org.pk, rule.kind_id))
                held_by_month = [len(s) for s in months_met] if months_met else [0] * 13
                minimum = groups.get(org.pk, 0) * rule.min_count
            elif rule.by_secretary:
                held_by_month = lectures.get(org.pk, [0] * 13)
                minimum = rule.min_count
            else:
                held_by_month = counts.get((org.pk, rule.kind_id), [0] * 13)
                minimum = rule.min_count
            for span in rule_periods.spans:
                if span.start > as_of:
                    continue  # a period not begun: nothing to show yet
                held = sum(held_by_month[span.start.month : span.end.month + 1])
                owed = rules.owed(minimum, span, org.founded_date, org.abolished_date)
                duties.append(
                    DutyRow(rule, span, held, owed, rules.duty(held, owed, span, as_of, settings.due_soon_days))
                )
        existed = org.founded_date is None or org.founded_date <= as_of
        silent = existed and (org.abolished_date is None or org.abolished_date > as_of)
        silent = silent and last.get(org.pk, dt.date.min) < silence_since and year == as_of.year
        result.append(OrgYear(org, duties, _cells(duties, year, as_of, silent), last.get(org.pk), silent))
    return result


def _cells(duties: list[DutyRow], year: int, as_of: dt.date, silent: bool) -> list[Cell]:
    by_month: dict[int, list[DutyRow]] = defaultdict(list)
    for row in duties:
        by_month[row.month].append(row)
    cells = []
    for month in range(1, 13):
        rows = by_month.get(month, [])
        started = dt.date(year, month, 1) <= as_of
        now = started and (month == as_of.month and year == as_of.year)
        shown = rules.colour((r.duty for r in rows), silent=silent and now) if started else rules.Colour.BLANK
        cells.append(Cell(month, shown, rows))
    return cells


def one(user: Any, organization: Organization, year: int, as_of: dt.date) -> OrgYear | None:
    """The year of one organization alone (its page), as the subtree's view shows it."""
    for row in year_of(user, organization, year, as_of):
        if row.organization.pk == organization.pk:
            return row
    return None


def ranked_overdue(rows: list[OrgYear]) -> list[OrgYear]:
    """The organizations with something overdue, the most overdue first."""
    return sorted((r for r in rows if r.overdue), key=lambda r: (-len(r.overdue), r.organization.path))
