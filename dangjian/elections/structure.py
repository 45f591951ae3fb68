"""组织设置体检: the structure rules (orgs.rules.structure_findings) over a subtree, with the facts
gathered in a fixed number of queries whatever the subtree's size."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.core import scope
from dangjian.members.models import Category, Member
from dangjian.members.services import ON_ROLL
from dangjian.orgs import rules
from dangjian.orgs.models import CoveredUnit, Organization, StructureThresholds

from . import rules as term_rules
from .models import Officer, Position, Term


@dataclass(frozen=True)
class Report:
    organization: Organization
    findings: list[rules.Finding]


def thresholds() -> rules.Thresholds:
    current = StructureThresholds.current()
    return rules.Thresholds(**{name: getattr(current, name) for name in rules.Thresholds.__dataclass_fields__})


def structure_report(user: Any, root: Organization, *, whole_subtree: bool = True) -> list[Report]:
    """Every live organization of ``root``'s subtree that the user sees (or ``root`` alone), with
    what the rules flag.

    Member numbers are counted for the organizations the user sees (aggregates, no member rows),
    so a co-manager gets the same report as the line that manages the members."""
    visible = scope.scoped(user, Organization.objects.filter(abolished_date__isnull=True))
    organizations = list(
        visible.filter(path__startswith=root.path).order_by("path") if whole_subtree else visible.filter(pk=root.pk)
    )
    ids = [org.pk for org in organizations]
    counts = {
        row["organization_id"]: row
        for row in Member.objects.filter(organization_id__in=ids, deleted_at__isnull=True, status__in=ON_ROLL)
        .values("organization_id")
        .annotate(members=Count("pk"), full=Count("pk", filter=Q(category=Category.FULL)))
    }
    subtree: Counter[str] = Counter()
    if whole_subtree:
        for org in organizations:  # add each organization's members to it and to all its ancestors
            direct = counts.get(org.pk, {}).get("members", 0)
            for depth in range(1, org.depth + 1):
                subtree[org.path[: depth * Organization.steplen]] += direct
    else:
        live = Member.objects.filter(deleted_at__isnull=True, status__in=ON_ROLL)
        subtree[root.path] = live.filter(org_path__startswith=root.path).count()
    open_terms = {
        term.organization_id: term for term in Term.objects.filter(organization_id__in=ids, actual_end__isnull=True)
    }
    # The officers in office, and those a 党纪处分 removed (their seats may be vacant): one query.
    seats: dict[int, list[term_rules.Seat]] = defaultdict(list)
    for term_id, position, name, since, until, removal in (
        Officer.objects.filter(term__in=open_terms.values())
        .filter(Q(until__isnull=True) | ~Q(removal=""))
        .values_list("term_id", "position", "member__name", "since", "until", "removal")
        .order_by()
    ):
        seats[term_id].append(term_rules.Seat(position, name, since, until, removal))
    officers = Counter({term: sum(seat.until is None for seat in held) for term, held in seats.items()})
    secretaries = {
        term for term, held in seats.items() if any(s.until is None and s.position == Position.SECRETARY for s in held)
    }
    units = Counter(CoveredUnit.objects.filter(organization_id__in=ids).values_list("organization_id", flat=True))
    today = timezone.localdate()
    limits = thresholds()
    reports = []
    for org in organizations:
        term = open_terms.get(org.pk)
        facts = rules.OrgFacts(
            kind=org.kind_enum,
            depth=org.depth,
            holds_members_directly=org.holds_members_directly,
            has_approval=bool(org.setup_approval),
            members=counts.get(org.pk, {}).get("members", 0),
            full_members=counts.get(org.pk, {}).get("full", 0),
            subtree_members=subtree[org.path],
            has_term=term is not None,
            officers=officers[term.pk] if term else 0,
            has_secretary=term is not None and term.pk in secretaries,
            term_overdue=term is not None and term.expected_end < today,
            covered_units=units[org.pk],
        )
        findings = rules.structure_findings(facts, limits)
        if term is not None and (vacant := term_rules.vacancies(seats[term.pk])):
            if any(seat.position == Position.SECRETARY for seat in vacant):  # said once, with its cause
                findings = [finding for finding in findings if finding.code != "no_secretary"]
            findings += term_rules.vacancy_findings(vacant)
        if findings:
            reports.append(Report(org, findings))
    return reports
