"""Restructuring (撤并、拆分、调整隶属关系、组织改建、撤销): one service per operation, each planned
first (a preview: what moves where, with counts) and then carried out in one transaction that
records where every member, party group, committee and sub-organization came from.

Organizations move here; what other apps keep in organizations (members and their membership
periods, party groups, committee terms) moves through the ``Rehomer`` hooks they register, inside
the same transaction (DESIGN.md: the lower app offers a hook, explicit calls, not signals).
"""

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError
from dangjian.core.history import service

from . import rules
from .models import Organization, OrgKind, Restructuring, RestructuringItem, RestructuringKind
from .services import create_organization, live_children, occupants

ITEM_LABELS = {"member": "党员", "organization": "下级组织", "party_group": "党小组", "term": "届次"}
TO_TARGET = 0  # a move's destination: the plan's target, which may not exist before the plan is carried out


@dataclass(frozen=True)
class Move:
    """One thing that moves in a restructuring (``to_org`` None: it ends there, as a term does)."""

    item_type: str  # "organization", "member", "party_group", "term", …
    item_id: int
    item_repr: str
    from_org: int | None
    to_org: int | None = TO_TARGET

    def landing(self, target: Organization) -> "Move":
        if self.to_org != TO_TARGET:
            return self
        return Move(self.item_type, self.item_id, self.item_repr, self.from_org, target.pk)


@dataclass
class Plan:
    """What an operation will do; the preview shows it, the service carries it out."""

    kind: RestructuringKind
    date: dt.date
    target: Organization | None  # where things go (None while a new organization is still to be set up)
    sources: list[Organization]
    selection: dict[str, list[int]] = field(default_factory=dict)  # split: chosen members, party groups
    moves: list[Move] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    new_fields: dict[str, Any] | None = None
    new_parent: Organization | None = None

    @property
    def counts(self) -> Counter[str]:
        return Counter(move.item_type for move in self.moves)

    @property
    def count_items(self) -> list[tuple[str, int]]:
        """The counts with their labels, for the preview (党员 45, 党小组 2, …)."""
        return [(ITEM_LABELS.get(kind, kind), n) for kind, n in sorted(self.counts.items())]

    def routes(self) -> list["Route"]:
        """What moves where: per (from, to) the counts, in the order the moves were planned."""
        names = {o.pk: o.name for o in Organization.objects.filter(pk__in={m.from_org for m in self.moves} - {None})}
        names |= {source.pk: source.name for source in self.sources}
        if self.target is not None:
            names[self.target.pk] = names[TO_TARGET] = self.target.name
        if self.new_fields is not None:
            names[TO_TARGET] = f"新设组织“{self.new_fields.get('name', '')}”"
        grouped: dict[tuple[int | None, int | None], Counter[str]] = {}
        for move in self.moves:
            grouped.setdefault((move.from_org, move.to_org), Counter())[move.item_type] += 1
        return [
            Route(
                names.get(origin, "") if origin is not None else "",
                names.get(destination, "") if destination is not None else "（在原组织结束）",
                dict(sorted(counts.items())),
            )
            for (origin, destination), counts in grouped.items()
        ]


@dataclass(frozen=True)
class Route:
    origin: str
    destination: str
    counts: dict[str, int]  # by item type

    @property
    def labelled(self) -> list[tuple[str, int]]:
        return [(ITEM_LABELS.get(kind, kind), n) for kind, n in self.counts.items()]


class Rehomer(Protocol):
    """What an app keeps in organizations, and how it follows a restructuring."""

    def plan(self, plan: Plan) -> tuple[list[Move], list[str]]:
        """The moves of this app's things for the plan, and what forbids it."""
        ...

    def apply(self, plan: Plan, moves: list[Move], actor: Any) -> None:
        """Carry the moves out (inside the restructuring's transaction)."""
        ...

    def subtree_moved(self, old_path: str, new_path: str) -> None:
        """An organization's path changed from ``old_path`` to ``new_path``, with its subtree."""
        ...


rehomers: dict[str, Rehomer] = {}


def register_rehomer(name: str, rehomer: Rehomer) -> None:
    rehomers[name] = rehomer


# --- planning ------------------------------------------------------------------------------


def _writable(actor: Any, organization: Organization) -> Organization:
    """The organization, read again through the scope (404 outside it)."""
    return scope.get_scoped_or_404(actor, Organization.objects.all(), to_write=True, pk=organization.pk)


def _check_date(date: dt.date, organizations: Sequence[Organization], problems: list[str]) -> None:
    if date > timezone.localdate():
        problems.append("调整日期不能晚于今天")
    for organization in organizations:
        if organization.founded_date and date < organization.founded_date:
            problems.append(f"调整日期早于“{organization.name}”的成立日期{organization.founded_date:%Y-%m-%d}")


def _with_hooks(plan: Plan) -> Plan:
    for rehomer in rehomers.values():
        moves, problems = rehomer.plan(plan)
        plan.moves.extend(moves)
        plan.problems.extend(problems)
    return plan


def _children_moves(source: Organization, plan: Plan) -> None:
    for child in live_children(source).order_by("path"):
        plan.moves.append(Move("organization", child.pk, child.name, source.pk))


def plan_merge(
    *,
    actor: Any,
    sources: Sequence[Organization],
    date: dt.date,
    target: Organization | None = None,
    new_fields: dict[str, Any] | None = None,
    new_parent: Organization | None = None,
) -> Plan:
    """撤并: the sources' members, party groups, sub-organizations (and the like) go to ``target``
    (or to a new organization under ``new_parent``, by default the sources' parent); the sources
    are abolished on ``date``."""
    acting = scope.require_role(actor, lambda role: role.writes_organizations, "办理组织撤并")
    sources = [_writable(actor, source) for source in sources]
    problems: list[str] = []
    if not sources:
        problems.append("请选择要撤并的组织")
    if (target is None) == (new_fields is None):
        problems.append("请指定并入的组织，或新设一个组织")
    if target is not None:
        target = _writable(actor, target)
        if any(source.pk == target.pk for source in sources):
            problems.append(f"不能把“{target.name}”并入它自己")
        for source in sources:
            if target.path.startswith(source.path) and source.pk != target.pk:
                problems.append(f"不能把“{source.name}”并入它自己的下级“{target.name}”")
        if target.is_abolished:
            problems.append(f"“{target.name}”已撤销，不能再并入组织")
    if new_fields is not None and new_parent is None:
        # By default the new organization takes the place of the merged ones, under their parent.
        parents = {Organization.objects.get_parent(source) for source in sources}
        new_parent = parents.pop() if len(parents) == 1 else None
        if new_parent is None or not scope.is_in_scope(actor, new_parent, to_write=True):
            problems.append("被撤并的组织不在同一上级之下，请选择新组织的上级组织")
            new_parent = None
    if new_parent is not None:
        new_parent = _writable(actor, new_parent)
        for source in sources:
            if new_parent.path.startswith(source.path):
                problems.append(f"新组织不能设在被撤并的“{source.name}”之下")
    for source in sources:
        if source.is_abolished:
            problems.append(f"“{source.name}”已撤销")
        if source.pk == acting.organization.pk:
            problems.append("不能撤并您当前所在的组织")
    if len({source.pk for source in sources}) != len(sources):
        problems.append("同一组织选了两次")
    _check_date(date, [*sources, *([target] if target else [])], problems)
    plan = Plan(RestructuringKind.MERGE, date, target, sources, new_fields=new_fields, new_parent=new_parent)
    plan.problems = problems
    destination_kind = OrgKind(target.kind if target else (new_fields or {}).get("kind", OrgKind.BRANCH))
    for source in sources:
        _children_moves(source, plan)
        for child in live_children(source):
            if problem := rules.child_kind_problem(destination_kind, child.kind_enum):
                plan.problems.append(f"“{child.name}”不能随撤并移入：{problem}")
    return _with_hooks(plan)


def plan_split(
    *,
    actor: Any,
    source: Organization,
    date: dt.date,
    new_fields: dict[str, Any],
    new_parent: Organization | None = None,
    member_ids: Sequence[int] = (),
    party_group_ids: Sequence[int] = (),
) -> Plan:
    """拆分: chosen members and party groups of ``source`` go to a new organization (set up under
    ``new_parent``, by default beside ``source``)."""
    scope.require_role(actor, lambda role: role.writes_organizations, "办理组织拆分")
    source = _writable(actor, source)
    parent = _writable(actor, new_parent) if new_parent else Organization.objects.get_parent(source)
    problems: list[str] = []
    if parent is None or not scope.is_in_scope(actor, parent, to_write=True):
        problems.append("拆分出的新组织须设在您的管理范围之内，请选择上级组织")
    if not member_ids and not party_group_ids:
        problems.append("请选择要拆分出去的党员或党小组")
    if source.is_abolished:
        problems.append(f"“{source.name}”已撤销")
    _check_date(date, [source], problems)
    plan = Plan(
        RestructuringKind.SPLIT,
        date,
        None,
        [source],
        selection={"members": list(member_ids), "party_groups": list(party_group_ids)},
        new_fields=new_fields,
        new_parent=parent,
    )
    plan.problems = problems
    return _with_hooks(plan)


def plan_move(*, actor: Any, organization: Organization, new_parent: Organization, date: dt.date) -> Plan:
    """调整隶属关系: ``organization`` with its whole subtree goes under ``new_parent``."""
    acting = scope.require_role(actor, lambda role: role.writes_organizations, "调整隶属关系")
    organization = _writable(actor, organization)
    new_parent = _writable(actor, new_parent)
    problems: list[str] = []
    if organization.pk == acting.organization.pk:
        problems.append("不能调整您当前所在组织的隶属关系")
    if new_parent.path.startswith(organization.path):
        problems.append(f"不能把“{organization.name}”调到它自己或它的下级“{new_parent.name}”之下")
    elif Organization.objects.get_parent(organization) == new_parent:
        problems.append(f"“{organization.name}”已经在“{new_parent.name}”之下")
    if problem := rules.child_kind_problem(new_parent.kind_enum, organization.kind_enum):
        problems.append(problem)
    if new_parent.is_abolished:
        problems.append(f"“{new_parent.name}”已撤销")
    _check_date(date, [organization], problems)
    plan = Plan(RestructuringKind.MOVE, date, new_parent, [organization])
    plan.problems = problems
    old_parent = Organization.objects.get_parent(organization)
    # The node changes parent; its subtree goes along under the same parents (counted, not listed).
    plan.moves.append(Move("organization", organization.pk, organization.name, old_parent.pk if old_parent else None))
    return plan


def plan_change_kind(
    *,
    actor: Any,
    organization: Organization,
    kind: OrgKind,
    date: dt.date,
    holds_members_directly: bool | None = None,
    setup_approval: str = "",
) -> Plan:
    """组织改建 (e.g. 党支部 → 党总支): the kind changes, the history keeps the old one."""
    scope.require_role(actor, lambda role: role.writes_organizations, "办理组织改建")
    organization = _writable(actor, organization)
    problems: list[str] = []
    if organization.kind == kind:
        problems.append(f"“{organization.name}”已经是{kind.label}")
    parent = Organization.objects.get_parent(organization)
    if parent and (problem := rules.child_kind_problem(parent.kind_enum, kind)):
        problems.append(problem)
    for child in live_children(organization):
        if problem := rules.child_kind_problem(kind, child.kind_enum):
            problems.append(f"{problem}（现有下级组织“{child.name}”）")
            break
    direct = organization.holds_members_directly if holds_members_directly is None else holds_members_directly
    if not kind.is_branch_level and not direct:
        for occupant in occupants:
            if occupant.are_members and (count := occupant.count(organization)):
                problems.append(
                    f"改建为{kind.label}后不直接管理党员，现有{count}{occupant.unit}：先拆分到下级支部，"
                    "或勾选“直接管理党员”并填写批准文件"
                )
    if direct and not kind.is_branch_level and not (setup_approval or organization.setup_approval):
        problems.append(f"{kind.label}直接管理党员须填写上级批准文件")
    _check_date(date, [organization], problems)
    plan = Plan(RestructuringKind.CHANGE_KIND, date, organization, [organization])
    plan.problems = problems
    plan.new_fields = {"kind": kind, "holds_members_directly": direct, "setup_approval": setup_approval}
    return plan


def plan_abolish(*, actor: Any, organization: Organization, date: dt.date) -> Plan:
    """撤销: only an organization with nothing left in it."""
    acting = scope.require_role(actor, lambda role: role.writes_organizations, "撤销党组织")
    organization = _writable(actor, organization)
    problems: list[str] = []
    if organization.pk == acting.organization.pk:
        problems.append("不能撤销您当前所在的组织")
    if organization.is_abolished:
        problems.append(f"“{organization.name}”已于{organization.abolished_date:%Y-%m-%d}撤销")
    for occupant in occupants:
        if count := occupant.count(organization):
            problems.append(f"还有{count}{occupant.unit}，请先转出或撤并")
    if count := live_children(organization).filter(abolished_date__isnull=True).count():
        problems.append(f"还有{count}个下级组织，请先撤销或调整")
    _check_date(date, [organization], problems)
    plan = Plan(RestructuringKind.ABOLISH, date, organization, [organization])
    plan.problems = problems
    return _with_hooks(plan)


# --- carrying out -------------------------------------------------------------------------


def _refuse(plan: Plan) -> None:
    if plan.problems:
        raise DomainError({None: list(dict.fromkeys(plan.problems))})


def _record(plan: Plan, actor: Any, subject: Organization, **summary: Any) -> Restructuring:
    moves = plan.moves
    record = Restructuring.objects.create(
        kind=plan.kind,
        effective_date=plan.date,
        subject=subject,
        actor=actor if getattr(actor, "pk", None) else None,
        summary={
            "sources": [{"id": source.pk, "name": source.name} for source in plan.sources],
            "counts": dict(plan.counts),
            **summary,
        },
    )
    RestructuringItem.objects.bulk_create(
        [
            RestructuringItem(
                restructuring=record,
                item_type=move.item_type,
                item_id=move.item_id,
                item_repr=move.item_repr[:200],
                from_organization_id=move.from_org,
                to_organization_id=move.to_org,
            )
            for move in moves
        ],
        batch_size=2000,
    )
    return record


def _move_subtree(organization: Organization, new_parent: Organization) -> None:
    """Treebeard rewrites the paths of the subtree; the hooks follow with their copies of it."""
    old_path = organization.path
    Organization.objects.move(organization, new_parent, pos="last-child")
    organization.refresh_from_db()
    for rehomer in rehomers.values():
        rehomer.subtree_moved(old_path, organization.path)


def _apply_hooks(plan: Plan, actor: Any) -> None:
    for rehomer in rehomers.values():
        rehomer.apply(plan, plan.moves, actor)


@service
def merge_organizations(*, actor: Any, **arguments: Any) -> Restructuring:
    plan = plan_merge(actor=actor, **arguments)
    _refuse(plan)
    target = plan.target
    if target is None:
        assert plan.new_parent is not None and plan.new_fields is not None
        target = create_organization(actor=actor, parent=plan.new_parent, **plan.new_fields)
        plan.target = target
    plan.moves = [move.landing(target) for move in plan.moves]
    for source in plan.sources:
        for child in live_children(source).order_by("path"):
            _move_subtree(child, target)
    _apply_hooks(plan, actor)
    for source in plan.sources:
        source.refresh_from_db()
        source.abolished_date = plan.date
        source.save(update_fields=["abolished_date", "updated_at"])
    return _record(plan, actor, target)


@service
def split_organization(*, actor: Any, **arguments: Any) -> Restructuring:
    plan = plan_split(actor=actor, **arguments)
    _refuse(plan)
    assert plan.new_parent is not None and plan.new_fields is not None
    target = create_organization(actor=actor, parent=plan.new_parent, **plan.new_fields)
    plan.target = target
    plan.moves = [move.landing(target) for move in plan.moves]
    _apply_hooks(plan, actor)
    return _record(plan, actor, target)


@service
def move_organization(*, actor: Any, **arguments: Any) -> Restructuring:
    plan = plan_move(actor=actor, **arguments)
    _refuse(plan)
    organization, new_parent = plan.sources[0], plan.target
    assert new_parent is not None
    descendants = Organization.objects.filter(path__startswith=organization.path).count() - 1
    _move_subtree(organization, new_parent)
    plan.moves = [move.landing(new_parent) for move in plan.moves]
    return _record(plan, actor, organization, subtree_organizations=descendants)


@service
def change_kind(*, actor: Any, **arguments: Any) -> Restructuring:
    plan = plan_change_kind(actor=actor, **arguments)
    _refuse(plan)
    organization = plan.sources[0]
    assert plan.new_fields is not None
    organization.kind = plan.new_fields["kind"]
    organization.holds_members_directly = plan.new_fields["holds_members_directly"]
    if plan.new_fields["setup_approval"]:
        organization.setup_approval = plan.new_fields["setup_approval"]
    organization.save(update_fields=["kind", "holds_members_directly", "setup_approval", "updated_at"])
    return _record(plan, actor, organization)


@service
def abolish_organization(*, actor: Any, **arguments: Any) -> Restructuring:
    plan = plan_abolish(actor=actor, **arguments)
    _refuse(plan)
    organization = plan.sources[0]
    plan.moves = [move.landing(organization) for move in plan.moves]
    _apply_hooks(plan, actor)
    organization.abolished_date = plan.date
    organization.save(update_fields=["abolished_date", "updated_at"])
    return _record(plan, actor, organization)


def history_of(item_type: str, item_id: int) -> Any:
    """Every restructuring that moved this thing, oldest first (a member's or an organization's
    "where it came from")."""
    return (
        RestructuringItem.objects.filter(item_type=item_type, item_id=item_id)
        .select_related("restructuring", "from_organization", "to_organization")
        .order_by("restructuring__effective_date", "restructuring_id")
    )
