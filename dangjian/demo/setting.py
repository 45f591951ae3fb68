"""The demo county's organization setting (组织设置), written with the members: a committee and its
current term for every organization, party groups in the larger branches, the units each joint
branch covers, and 古山镇's 属地共管 of the county schools and clinic in the town.

Drawn from its own random stream, so adding it changed none of the county's members. Like a real
county it is not spotless: some terms are overdue or about to end, a few posts are vacant, a joint
branch covers more units than the rules allow, so the expiring list and the structure report have
something to show.
"""

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Model

from dangjian.core.dates import add_years
from dangjian.elections import rules as term_rules
from dangjian.elections.models import Officer, Position, Term
from dangjian.members.models import Category, PartyGroup, Status
from dangjian.orgs.models import CoManagement, CoManagementKind, CoveredUnit, Organization, OrgKind, SetupMode

from . import names
from .county import CountyPlan, OrgSpec

GROUPS_FROM = 24  # a branch this large keeps its members in party groups (by 村民小组, workshop, …)
MEMBERS_PER_GROUP = 12
VACANT_SECRETARY = 0.02
# 古山镇's regional Party building (区域化党建): county units in the town, co-managed by the town.
CO_MANAGED_BY_GUSHAN = ("中共清河县城东小学支部委员会", "中共清河县城西小学支部委员会")
GUSHAN = "中共古山镇委员会"
UPGRADED_WITH_APPROVAL = {"中共古山镇古山村委员会", "中共古山镇前仓村委员会"}


def _max_id(model: type[Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("id"))["top"] or 0)


@dataclass
class _Seen:
    """What the setting needs to know of one organization's members, as they are written."""

    full: int = 0
    candidates: list[tuple[int, dt.date]] = field(default_factory=list)  # (member, regularized)
    group_ids: list[int] = field(default_factory=list)
    leaders: dict[int, int] = field(default_factory=dict)


class SettingWriter:
    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(f"setting-{seed}")
        self.today = today
        self.seen: dict[int, _Seen] = {}
        self.next_group = _max_id(PartyGroup) + 1

    def groups_for(self, index: int, spec: OrgSpec, members: int) -> list[int]:
        """Party group ids for a branch of ``members`` members (none for a small one)."""
        seen = self.seen.setdefault(index, _Seen())
        if spec.kind.is_branch_level and members >= GROUPS_FROM and not spec.abolished:
            count = min(6, members // MEMBERS_PER_GROUP)
            seen.group_ids = list(range(self.next_group, self.next_group + count))
            self.next_group += count
        return seen.group_ids

    def member(self, index: int, member_id: int, group: int | None, row: tuple[Any, ...]) -> None:
        """One member as written (``row`` is people.PersonFactory.person's)."""
        category, regularized, status = row[8], row[10], row[11]
        if category != Category.FULL or status != Status.NORMAL:
            return
        seen = self.seen[index]
        seen.full += 1
        if len(seen.candidates) < 8:
            seen.candidates.append((member_id, regularized))
        if group is not None:
            seen.leaders.setdefault(group, member_id)

    def rows(
        self, plan: CountyPlan, organizations: list[Organization], now: dt.datetime
    ) -> dict[type[Model], list[tuple[Any, ...]]]:
        """Every row of the setting, by model; the caller writes them (after the members)."""
        tables: dict[type[Model], list[tuple[Any, ...]]] = {
            PartyGroup: [],
            Term: [],
            Officer: [],
            CoveredUnit: [],
            CoManagement: [],
        }
        next_term, next_officer = _max_id(Term) + 1, _max_id(Officer) + 1
        next_unit, next_link = _max_id(CoveredUnit) + 1, _max_id(CoManagement) + 1
        for index, (spec, organization) in enumerate(zip(plan.orgs, organizations, strict=True)):
            seen = self.seen.get(index, _Seen())
            for number, group in enumerate(seen.group_ids, 1):
                name = f"第{names.ordinal(number)}党小组"
                tables[PartyGroup].append((group, organization.pk, name, seen.leaders.get(group), None, now))
            if spec.abolished:
                continue
            start = self._term_start(spec)
            years = term_rules.term_years(spec.kind, spec.unit)
            number = max(1, (start.year - spec.founded.year) // years + 1)
            tables[Term].append((next_term, organization.pk, number, start, add_years(start, years), None, ""))
            for position, member in self._officers(plan, index, start):
                tables[Officer].append((next_officer, next_term, position, member, start, None))
                next_officer += 1
            next_term += 1
            if spec.kind == OrgKind.JOINT_BRANCH:
                for unit in self._covered_units(organization):
                    tables[CoveredUnit].append((next_unit, organization.pk, unit, organization.unit_category))
                    next_unit += 1
        by_name = {organization.name: organization for organization in organizations}
        if GUSHAN in by_name:
            for name in CO_MANAGED_BY_GUSHAN:
                if name in by_name:
                    link = (next_link, by_name[name].pk, by_name[GUSHAN].pk, CoManagementKind.TERRITORIAL.value)
                    tables[CoManagement].append((*link, dt.date(2018, 3, 1), None))
                    next_link += 1
        return tables

    @staticmethod
    def profile(spec: OrgSpec) -> dict[str, Any]:
        """The organization's setup mode and approval, from what the plan says it is."""
        mode = SetupMode.JOINT if spec.kind == OrgKind.JOINT_BRANCH else SetupMode.SINGLE
        approval = "古组复〔2010〕8号" if spec.name in UPGRADED_WITH_APPROVAL else ""
        return {"setup_mode": mode.value, "setup_approval": approval}

    def _term_start(self, spec: OrgSpec) -> dt.date:
        """Elected some time in the term's span; about one in twenty is past its end (overdue)."""
        years = term_rules.term_years(spec.kind, spec.unit)
        start = self.today - dt.timedelta(days=int(self.rng.uniform(30, years * 365.25 * 1.05)))
        return max(start, spec.founded)

    def _officers(self, plan: CountyPlan, index: int, start: dt.date) -> list[tuple[str, int]]:
        """A branch elects from its own 正式党员, a 党委 or 党总支 from those of its subtree; a
        branch under 7 has a secretary only (支部工作条例 第二十条)."""
        spec = plan.orgs[index]
        if spec.kind.is_branch_level:
            seen = self.seen.get(index, _Seen())
            full, pool = seen.full, seen.candidates
            positions = [Position.SECRETARY]
            if full >= 7:
                positions += [Position.ORGANIZATION, Position.PROPAGANDA]
            if full >= 15:
                positions.append(Position.DISCIPLINE)
        else:
            pool = []
            for child in _descendants(plan, index):  # two from each branch, the first ones in the tree
                pool += self.seen[child].candidates[:2] if child in self.seen else []
                if len(pool) >= 10:
                    break
            positions = [
                Position.SECRETARY,
                Position.DEPUTY_SECRETARY,
                Position.ORGANIZATION,
                Position.PROPAGANDA,
                Position.DISCIPLINE,
            ]
        eligible = [member for member, regularized in pool if regularized is not None and regularized <= start]
        if self.rng.random() < VACANT_SECRETARY:
            positions = positions[1:]
        return [(position.value, member) for position, member in zip(positions, eligible, strict=False)]

    def _covered_units(self, organization: Organization) -> list[str]:
        """A joint branch covers three to six units: six is over the rule's five, and shows."""
        units: list[str] = []
        wanted = self.rng.randint(3, 6)
        while len(units) < wanted:
            place = self.rng.choice(names.PLACE_FIRST) + self.rng.choice(names.PLACE_SECOND)
            unit = f"{place}{self.rng.choice(names.ENTERPRISE_KINDS)}"
            if unit not in units:
                units.append(unit)
        return units


def _descendants(plan: CountyPlan, index: int) -> Iterator[int]:
    """In tree order (depth first), lazily: a caller that has enough stops early."""
    for child in plan.orgs[index].children:
        yield child
        yield from _descendants(plan, child)


COLUMNS: dict[type[Model], tuple[str, ...]] = {
    PartyGroup: ("id", "organization", "name", "leader", "dissolved_date", "created_at"),
    Term: ("id", "organization", "number", "start", "expected_end", "actual_end", "note"),
    Officer: ("id", "term", "position", "member", "since", "until"),
    CoveredUnit: ("id", "organization", "name", "unit_category"),
    CoManagement: ("id", "organization", "co_manager", "kind", "since", "until"),
}
