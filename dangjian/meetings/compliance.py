"""What every organization of a subtree owes in organizational life, and how it stands on a day:
each rule in force × each of its periods of the year → held, owed, status (rules.duty); each
month → a colour (rules.colour). Meetings count by the day they were held, up to the as-of day,
and only those that count (a 支委会 below its quorum does not).

The counts come from the month tally (tally.py: organization × kind × month, kept by the services),
or for a past day of an open year from one aggregate over the subtree's meetings; everything else
is read once per subtree, so the cost grows with the subtree, not with the number of rules."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any, Protocol

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.bulk import heavy_row_work
from dangjian.elections.models import Officer, Position
from dangjian.members.models import PartyGroup
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization, OrgKind

from . import rules, tally
from .models import AppliesTo, ComplianceRule, LifeSettings, Meeting

APPLIES = {
    AppliesTo.BRANCH: {kind.value for kind in BRANCH_LEVEL_KINDS},
    AppliesTo.GENERAL_BRANCH: {OrgKind.GENERAL_BRANCH.value},
    AppliesTo.COMMITTEE: {OrgKind.COMMITTEE.value, OrgKind.WORKING_COMMITTEE.value},
}
COMMITTEE_SIZE = 3  # a 支部委员会 has 3 to 5 members (支部工作条例 第二十条); fewer is a secretary alone


@dataclass(frozen=True, slots=True)
class OrgRow:
    """What the map and the API show of each organization of a subtree, and what its duties depend
    on: a county has 10^4, and as model instances they would cost as much as the rest of its year."""

    pk: int
    path: str
    name: str
    short_name: str
    kind: str
    unit_category: str
    founded_date: dt.date | None
    abolished_date: dt.date | None

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class OrgLike(Protocol):
    """An organization as compliance reads it: an OrgRow, or the model itself (the inbox's)."""

    @property
    def pk(self) -> Any: ...
    @property
    def path(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def unit_category(self) -> str: ...
    @property
    def founded_date(self) -> dt.date | None: ...
    @property
    def abolished_date(self) -> dt.date | None: ...


@dataclass(frozen=True)
class RulePeriods:
    rule: ComplianceRule
    spans: list[rules.Span]


@dataclass(frozen=True, slots=True)
class DutyRow:
    """One duty in one period. Organizations whose meetings of the rule's kind fall alike share the
    same rows (``_standing`` works each pattern out once)."""

    rule: ComplianceRule
    span: rules.Span
    held: int
    owed: int
    duty: rules.Duty


@dataclass(frozen=True, slots=True)
class Cell:
    month: int
    colour: rules.Colour


CELLS = {(month, colour): Cell(month, colour) for month in range(1, 13) for colour in rules.Colour}
NOT_YET = 1 << rules.Duty.NOT_YET
MASKS = 1 << len(rules.Duty)  # every set of statuses


def _colour_of(mask: int, silent: bool) -> rules.Colour:
    return rules.colour((duty for duty in rules.Duty if mask >> duty & 1), silent=silent)


# The colour of a month (or a year) from the set of its duties' statuses, as a bit mask (1 << Duty),
# silent or not: rules.colour for each set, worked out once.
COLOUR_OF = {silent: [_colour_of(mask, silent) for mask in range(MASKS)] for silent in (False, True)}


# A rule's duties; the statuses of those whose period ends in each month, as bits (1 << Duty) packed
# five to a month (month m from bit 5·m), so an organization's months are its rules' OR-ed together;
# the statuses of all of them.
Evaluated = tuple[list[DutyRow], int, int]
SHIFTS = [(month, len(rules.Duty) * month) for month in range(1, 13)]
ONE_MONTH = MASKS - 1


@dataclass
class OrgYear:
    organization: OrgLike
    duties: list[DutyRow]
    cells: list[Cell]
    last_meeting: dt.date | None
    silent: bool
    colour: rules.Colour  # the year so far: what has come due (a period open and not yet due counts later)

    @cached_property
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


def organizations(user: Any, root: Organization, year: int) -> list[OrgRow]:
    """The organizations of the subtree in scope that existed at some time in ``year``, in tree order."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (
        scope.scoped(user, Organization.objects.filter(path__startswith=root.path))
        .filter(Q(founded_date__isnull=True) | Q(founded_date__lte=end))
        .filter(Q(abolished_date__isnull=True) | Q(abolished_date__gt=start))
        .order_by("path")
    )
    return [OrgRow(*row) for row in rows.values_list(*(field.name for field in fields(OrgRow)))]


def _meetings(path: str, year: int, as_of: dt.date) -> QuerySet[Any]:
    return Meeting.kinds.through.objects.filter(
        meeting__org_path__startswith=path,
        meeting__deleted_at__isnull=True,
        meeting__counted=True,
        meeting__held_on__gte=dt.date(year, 1, 1),
        meeting__held_on__lte=min(as_of, dt.date(year, 12, 31)),
    )


def _by_month(year: int, as_of: dt.date, counted: str, *, distinct: bool = False) -> dict[str, Count]:
    """A Count of ``counted`` for each month of ``year`` begun by ``as_of`` (m1 … m12), each over
    the meetings held in that month."""
    last = min(as_of, dt.date(year, 12, 31))
    starts = [dt.date(year, month, 1) for month in range(1, 13)] + [dt.date(year + 1, 1, 1)]
    return {
        f"m{month}": Count(
            counted,
            distinct=distinct,
            filter=Q(meeting__held_on__gte=starts[month - 1], meeting__held_on__lt=starts[month]),
        )
        for month in range(1, 13)
        if starts[month - 1] <= last
    }


def _monthly(rows: QuerySet[Any], months: dict[str, Count]) -> tally.ByKind:
    """Organization → kind → the counts of ``months``, January first (0 for a month not begun)."""
    found = rows.values("meeting__organization_id", "meetingkind_id").annotate(**months)
    padding = [0] * (12 - len(months))
    by_org: tally.ByKind = defaultdict(dict)
    for org, kind, *held in found.values_list("meeting__organization_id", "meetingkind_id", *months):
        by_org[org][str(kind)] = tally.written([*held, *padding])
    return dict(by_org)


def _counts(path: str, year: int, as_of: dt.date) -> tally.ByKind:
    """Organization → kind → meetings held in each month: one row per organization and kind with
    its months side by side (a fifth of the rows of a row per month)."""
    return _monthly(_meetings(path, year, as_of), _by_month(year, as_of, "id"))


def _groups_met(path: str, year: int, as_of: dt.date, kind_ids: set[int]) -> tally.ByKind:
    """Organization → kind → how many of its party groups met in each month (党小组会 is owed per group)."""
    rows = _meetings(path, year, as_of).filter(meetingkind_id__in=kind_ids, meeting__party_group__isnull=False)
    return _monthly(rows, _by_month(year, as_of, "meeting__party_group", distinct=True))


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


def _secretary_lectures(
    path: str, year: int, as_of: dt.date, kind_ids: set[int], org_kinds: set[str]
) -> dict[int, str]:
    """Committee → 党课 given in each month anywhere in the tree by the member who is its secretary
    (``org_kinds``: the organizations such a rule binds; a branch secretary's 党课 is the branch's)."""
    secretaries = dict(
        _officers(path, as_of)
        .filter(position=Position.SECRETARY, term__organization__kind__in=org_kinds)
        .values_list("member_id", "term__organization_id")
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
    given: dict[int, list[int]] = defaultdict(lambda: [0] * 12)
    for member, month, n in rows:
        given[secretaries[member]][month - 1] += n
    return {committee: tally.written(months) for committee, months in given.items()}


def _last_meetings(path: str, as_of: dt.date) -> dict[int, dt.date]:
    rows = (
        Meeting.objects.filter(org_path__startswith=path, deleted_at__isnull=True, held_on__lte=as_of)
        .values_list("organization_id")
        .annotate(last=Max("held_on"))
    )
    return dict(rows)


def _held(path: str, year: int, as_of: dt.date, group_kinds: set[int]) -> tally.Held:
    """The subtree's meetings of ``year`` up to ``as_of``: from the month tally where it is exact,
    as of today or later (a meeting cannot be recorded before the day it is held) or once the year
    is over; for a day in the past of an open year, from the meetings themselves."""
    if as_of >= timezone.localdate() or as_of > dt.date(year, 12, 31):
        return tally.read(path, year)
    return tally.Held(
        counts=_counts(path, year, as_of),
        groups_met=_groups_met(path, year, as_of, group_kinds) if group_kinds else {},
        last=_last_meetings(path, as_of),
    )


def _applies(rule: ComplianceRule, organization: OrgLike) -> bool:
    if organization.kind not in APPLIES[AppliesTo(rule.applies_to)]:
        return False
    return not rule.unit_category or rule.unit_category == organization.unit_category


def year_of(user: Any, root: Organization, year: int, as_of: dt.date) -> list[OrgYear]:
    """Every organization of the subtree in the user's scope for ``year`` as it stood on ``as_of``,
    in tree order."""
    return standing(organizations(user, root, year), root.path, year, as_of)


def standing(orgs: Sequence[OrgLike], path: str, year: int, as_of: dt.date) -> list[OrgYear]:
    """``orgs`` (all under ``path``, already scoped by the caller) for ``year`` as of ``as_of``."""
    # A county's year is 10^5 rows and duties, all alive until returned and holding no cycles: the
    # cyclic collector's passes over them cost a quarter of the time (bulk.heavy_row_work).
    with heavy_row_work():
        return _standing(orgs, path, year, as_of)


def _standing(orgs: Sequence[OrgLike], path: str, year: int, as_of: dt.date) -> list[OrgYear]:
    settings = LifeSettings.current()
    in_force = rules_in_force(year)
    group_kinds = {p.rule.kind_id for p in in_force if p.rule.per_group}
    lecture_rules = [p.rule for p in in_force if p.rule.by_secretary]
    held = _held(path, year, as_of, group_kinds)
    counts, met, last = held.counts, held.groups_met, held.last
    groups = _group_counts(path, as_of) if group_kinds else {}
    committees = with_committee(path, as_of) if any(p.rule.needs_committee for p in in_force) else set()
    lectures = (
        _secretary_lectures(
            path,
            year,
            as_of,
            {rule.kind_id for rule in lecture_rules},
            set().union(*(APPLIES[AppliesTo(rule.applies_to)] for rule in lecture_rules)),
        )
        if lecture_rules
        else {}
    )
    silence_since = as_of - dt.timedelta(days=settings.silence_days)
    # What does not depend on the organization, worked out once: each rule's periods begun by
    # ``as_of`` with their months and the status of a duty still short (rules.duty with held < owed);
    # the rules that bind each (kind, unit category); the months begun.
    plans = [
        (
            p.rule,
            [
                (span, span.start.month - 1, span.end.month, rules.duty(0, 1, span, as_of, settings.due_soon_days))
                for span in p.spans
                if span.start <= as_of
            ],
        )
        for p in in_force
    ]
    binding: dict[tuple[str, str], list[tuple[int, ComplianceRule, str, list[Any]]]] = {}
    begun = [False] + [dt.date(year, month, 1) <= as_of for month in range(1, 13)]
    this_month = as_of.month if year == as_of.year else 0
    # month → the cell for each set of statuses (1 << Duty); a month not begun is blank whatever it holds.
    cell_of: list[list[Cell]] = [[]] + [
        [CELLS[month, COLOUR_OF[False][mask] if begun[month] else rules.Colour.BLANK] for mask in range(MASKS)]
        for month in range(1, 13)
    ]
    first_day, last_day = dt.date(year, 1, 1), dt.date(year, 12, 31)
    nothing = tally.written([0] * 12)
    no_meetings: dict[str, str] = {}
    # A rule's duties depend only on the meetings held in each month and the count owed: among 10^4
    # branches a rule sees at most some 1,500 patterns, so each is worked out once, for every
    # organization that existed all year (one founded or abolished during it owes its own share).
    patterns: dict[tuple[int, int, str], Evaluated] = {}
    result = []
    for org in orgs:
        pk = org.pk
        key = (org.kind, org.unit_category)
        if (binds := binding.get(key)) is None:
            binds = binding[key] = [
                (index, rule, str(rule.kind_id), spans)
                for index, (rule, spans) in enumerate(plans)
                if _applies(rule, org)
            ]
        held_of, met_of = counts.get(pk, no_meetings), met.get(pk, no_meetings)
        founded, abolished = org.founded_date, org.abolished_date
        whole_year = (founded is None or founded <= first_day) and (abolished is None or abolished > last_day)
        duties: list[DutyRow] = []
        months = statuses = 0  # its rules' months and statuses OR-ed together (Evaluated)
        for index, rule, kind, spans in binds:
            if rule.needs_committee and pk not in committees:
                continue
            if rule.per_group:
                held_by_month = met_of.get(kind, nothing)
                minimum = groups.get(pk, 0) * rule.min_count
            elif rule.by_secretary:
                held_by_month = lectures.get(pk, nothing)
                minimum = rule.min_count
            else:
                held_by_month = held_of.get(kind, nothing)
                minimum = rule.min_count
            if whole_year:
                pattern = (index, minimum, held_by_month)
                if (evaluated := patterns.get(pattern)) is None:
                    evaluated = patterns[pattern] = _evaluate(rule, spans, tally.months(held_by_month), minimum)
            else:
                evaluated = _evaluate(rule, spans, tally.months(held_by_month), minimum, (founded, abolished))
            rows, rule_months, rule_statuses = evaluated
            duties += rows
            months |= rule_months
            statuses |= rule_statuses
        existed = founded is None or founded <= as_of
        silent = existed and (abolished is None or abolished > as_of)
        silent = silent and last.get(pk, dt.date.min) < silence_since and year == as_of.year
        cells = [cell_of[month][months >> shift & ONE_MONTH] for month, shift in SHIFTS]
        if silent and this_month:
            cells[this_month - 1] = CELLS[this_month, COLOUR_OF[True][months >> SHIFTS[this_month - 1][1] & ONE_MONTH]]
        colour = COLOUR_OF[silent][statuses & ~NOT_YET]
        result.append(OrgYear(org, duties, cells, last.get(pk), silent, colour))
    return result


def _evaluate(
    rule: ComplianceRule,
    spans: list[Any],
    held_by_month: list[int],
    minimum: int,
    lifetime: tuple[dt.date | None, dt.date | None] | None = None,
) -> Evaluated:
    """A rule's duties over its periods begun (``held_by_month``: January first), each shown in the
    cell of the month its period ends in (Evaluated). ``lifetime``: founded and abolished, for an
    organization that did not exist all year (it owes a share, rules.owed)."""
    rows, months, statuses = [], 0, 0
    for span, first, last, short in spans:
        held = sum(held_by_month[first:last])
        owed = minimum if lifetime is None else rules.owed(minimum, span, *lifetime)
        duty = rules.Duty.NONE if owed <= 0 else rules.Duty.DONE if held >= owed else short
        rows.append(DutyRow(rule, span, held, owed, duty))
        months |= 1 << duty << len(rules.Duty) * last
        statuses |= 1 << duty
    return rows, months, statuses


def one(user: Any, organization: Organization, year: int, as_of: dt.date) -> OrgYear | None:
    """The year of one organization alone (its page), as the subtree's view shows it."""
    for row in year_of(user, organization, year, as_of):
        if row.organization.pk == organization.pk:
            return row
    return None


def ranked_overdue(rows: list[OrgYear]) -> list[OrgYear]:
    """The organizations with something overdue, the most overdue first."""
    return sorted((r for r in rows if r.overdue), key=lambda r: (-len(r.overdue), r.organization.path))
