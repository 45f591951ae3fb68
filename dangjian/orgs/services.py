"""Every change to the organization tree. Each takes the acting user, checks scope, applies the
rules and writes in one transaction, or raises DomainError and writes nothing."""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.core.services import save_changes
from dangjian.core.text import NAME_FIELDS, text_problem

from . import rules
from .models import CoManagement, CoManagementKind, CoveredUnit, Organization, OrgKind, SetupMode, UnitCategory

CODE_PATTERN = re.compile(r"^[0-9A-Za-z\-]{1,32}$")
EDITABLE_FIELDS = (
    "name",
    "short_name",
    "code",
    "kind",
    "unit_category",
    "setup_mode",
    "setup_approval",
    "holds_members_directly",
    "address",
    "contact_person",
    "contact_phone",
    "founded_date",
    "abolished_date",
)
TEXT_LIMITS = {
    "name": 100,
    "short_name": 30,
    "setup_approval": 100,
    "address": 200,
    "contact_person": 50,
    "contact_phone": 30,
}
TEXT_LABELS = {
    "name": "名称",
    "short_name": "简称",
    "setup_approval": "批准文件",
    "address": "地址",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
}
REQUIRED_FIELDS = {"name": "名称", "code": "组织代码", "kind": "组织类别", "unit_category": "单位类别"}


@dataclass(frozen=True)
class Occupant:
    """Something an app above orgs keeps in an organization (members, later open workflows).

    Deleting or abolishing an organization is refused while any occupant counts more than zero;
    occupants that are members also forbid turning it into a kind that holds no members. The apps
    register these explicitly (DESIGN.md: hooks, not signals).
    """

    unit: str  # the counted noun with its measure word, e.g. "名党员"
    count: Callable[[Organization], int]
    are_members: bool = False


occupants: list[Occupant] = []


def register_occupant(occupant: Occupant) -> None:
    occupants[:] = [o for o in occupants if o.unit != occupant.unit] + [occupant]


def live_children(organization: Organization) -> QuerySet[Organization]:
    return Organization.objects.get_children(organization).filter(deleted_at__isnull=True)


@service
def create_root_organization(**fields: Any) -> Organization:
    """The top of the tree (the county committee), set up once from the server's command line."""
    if Organization.objects.filter(depth=1, deleted_at__isnull=True).exists():
        raise DomainError("已有顶层党组织：一个系统只有一棵组织树")
    errors = ErrorCollector()
    defaults = dict.fromkeys(TEXT_LIMITS, "") | {"setup_mode": "", "holds_members_directly": False}
    values: dict[str, Any] = defaults | _clean(fields, errors)
    for field, label in REQUIRED_FIELDS.items():
        if not values.get(field) and field not in errors.errors:
            errors.add(field, f"请填写{label}")
    _check_dates(values.get("founded_date"), values.get("abolished_date"), errors)
    _check_code_free(values.get("code"), None, errors)
    errors.raise_if_any()
    root: Organization = Organization.objects.add_root(values)
    return root


@service
def create_organization(*, actor: Any, parent: Organization, **fields: Any) -> Organization:
    """Set up an organization under ``parent`` (设立党组织)."""
    scope.require_role(actor, lambda role: role.writes_organizations, "设立党组织")
    parent = _lock_in_scope(actor, parent)
    errors = ErrorCollector()
    defaults = dict.fromkeys(TEXT_LIMITS, "") | {"setup_mode": "", "holds_members_directly": False}
    values: dict[str, Any] = defaults | _clean(fields, errors)
    for field, label in REQUIRED_FIELDS.items():
        if not values.get(field) and field not in errors.errors:
            errors.add(field, f"请填写{label}")
    if parent.is_abolished:
        errors.add("parent", f"上级组织“{parent.name}”已撤销，不能在其下设立组织")
    if "kind" in values and (problem := rules.child_kind_problem(parent.kind_enum, values["kind"])):
        errors.add("kind", problem)
    if values.get("abolished_date"):
        errors.add("abolished_date", "新设立的组织不能带撤销日期")
    _check_dates(values.get("founded_date"), None, errors)
    _check_code_free(values.get("code"), None, errors)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            child: Organization = Organization.objects.add_child(parent, values)
            return child
    except IntegrityError:  # a concurrent insert took the code between the check and the write
        raise DomainError({"code": f"组织代码“{values['code']}”已被使用"}) from None


@service
def update_organization(*, actor: Any, organization: Organization, **changes: Any) -> Organization:
    """Change an organization's profile: only the given fields, each validated."""
    scope.require_role(actor, lambda role: role.writes_organizations, "修改党组织信息")
    organization = _lock_in_scope(actor, organization)
    errors = ErrorCollector()
    values = _clean(changes, errors)
    for field, label in REQUIRED_FIELDS.items():
        if field in values and not values[field] and field not in errors.errors:
            errors.add(field, f"{label}不能为空")
    merged = {field: getattr(organization, field) for field in EDITABLE_FIELDS} | values
    kind = OrgKind(merged["kind"])
    _check_dates(merged["founded_date"], merged["abolished_date"], errors)
    if "kind" in values and kind != organization.kind:
        _check_kind_change(organization, kind, errors)
    if not kind.is_branch_level and not merged["holds_members_directly"]:
        for occupant in occupants:
            if occupant.are_members and (count := occupant.count(organization)):
                problem = rules.member_holding_problem(kind, holds_members_directly=False)
                errors.add("holds_members_directly", f"{problem}（现有{count}{occupant.unit}）")
    if values.get("abolished_date") and not organization.abolished_date:
        for problem in _occupancy(organization, live_children(organization).filter(abolished_date__isnull=True)):
            errors.add("abolished_date", f"不能撤销：{problem}")
    if values.get("code") and values["code"] != organization.code:
        _check_code_free(values["code"], organization.pk, errors)
    errors.raise_if_any()
    save_changes(organization, values, DomainError({"code": f"组织代码“{values.get('code')}”已被使用"}))
    return organization


@service
def delete_organization(*, actor: Any, organization: Organization) -> None:
    """Soft-delete an organization entered by mistake (abolition, 撤销, is a dated change instead).

    Nothing may remain in it, and nobody deletes the organization they act from."""
    acting = scope.require_role(actor, lambda role: role.writes_organizations, "删除党组织")
    organization = _lock_in_scope(actor, organization)
    if organization.pk == acting.organization.pk:
        raise DomainError("不能删除您当前所在的组织")
    if problems := _occupancy(organization, live_children(organization)):
        raise DomainError("不能删除：" + "；".join(problems))
    organization.deleted_at = timezone.now()
    organization.save(update_fields=["deleted_at", "updated_at"])


def _occupancy(organization: Organization, children: QuerySet[Organization]) -> list[str]:
    problems = [f"还有{count}{occupant.unit}" for occupant in occupants if (count := occupant.count(organization))]
    if count := children.count():
        problems.append(f"还有{count}个下级组织")
    return problems


def _check_kind_change(organization: Organization, kind: OrgKind, errors: ErrorCollector) -> None:
    parent = Organization.objects.get_parent(organization)
    if parent and (problem := rules.child_kind_problem(parent.kind_enum, kind)):
        errors.add("kind", problem)
    for child in live_children(organization):
        if problem := rules.child_kind_problem(kind, child.kind_enum):
            errors.add("kind", f"{problem}（现有下级组织“{child.name}”）")
            return


def _check_dates(founded: dt.date | None, abolished: dt.date | None, errors: ErrorCollector) -> None:
    for field, problem in rules.date_problems(founded, abolished, timezone.localdate()).items():
        errors.add(field, problem)


def _lock_in_scope(actor: Any, organization: Organization) -> Organization:
    """Re-read the organization under a row lock, through the scope (404 when outside)."""
    return scope.get_scoped_or_404(actor, Organization.objects.select_for_update(), to_write=True, pk=organization.pk)


def _check_code_free(code: str | None, own_pk: int | None, errors: ErrorCollector) -> None:
    if code and Organization.objects.filter(code=code).exclude(pk=own_pk).exists():
        errors.add("code", f"组织代码“{code}”已被使用")


def _clean(fields: dict[str, Any], errors: ErrorCollector) -> dict[str, Any]:
    """Normalise and check the format of each given field."""
    if unknown := set(fields) - set(EDITABLE_FIELDS):
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    values: dict[str, Any] = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    for field, limit in TEXT_LIMITS.items():
        if len(values.get(field) or "") > limit:
            errors.add(field, f"{TEXT_LABELS[field]}不能超过{limit}个字")
        elif problem := text_problem(values.get(field) or "", name=field in NAME_FIELDS):
            errors.add(field, f"{TEXT_LABELS[field]}{problem}")  # the import reaches here too
    if values.get("code") and not CODE_PATTERN.match(values["code"]):
        errors.add("code", "组织代码只能由字母、数字和“-”组成，不超过32位")
    for field, enum, label in (
        ("kind", OrgKind, "组织类别"),
        ("unit_category", UnitCategory, "单位类别"),
        ("setup_mode", SetupMode, "组建方式"),
    ):
        if values.get(field):
            try:
                values[field] = enum(values[field])
            except ValueError:
                errors.add(field, f"{label}“{values.pop(field)}”不在可选范围内")
    return values


@service
def add_co_management(
    *, actor: Any, organization: Organization, co_manager: Organization, kind: str, since: dt.date
) -> CoManagement:
    """属地共管 / 双向共管: ``co_manager`` also oversees ``organization`` (its profile, counts and
    compliance; not its members). Whoever sets it up has both in scope (their common line)."""
    scope.require_role(actor, lambda role: role.writes_organizations, "设立共管关系")
    organization = _lock_in_scope(actor, organization)
    co_manager = scope.get_scoped_or_404(actor, Organization.objects.all(), to_write=True, pk=co_manager.pk)
    errors = ErrorCollector()
    if organization.pk == co_manager.pk:
        errors.add("co_manager", "组织不能共管自己")
    elif organization.path.startswith(co_manager.path):
        errors.add("co_manager", f"“{co_manager.name}”本就是“{organization.name}”的上级，无需共管")
    if kind not in CoManagementKind.values:
        errors.add("kind", "请选择共管方式")
    if since > timezone.localdate():
        errors.add("since", "起始日期不能晚于今天")
    if CoManagement.objects.filter(organization=organization, co_manager=co_manager, until__isnull=True).exists():
        errors.add("co_manager", "已有该共管关系")
    errors.raise_if_any()
    return CoManagement.objects.create(organization=organization, co_manager=co_manager, kind=kind, since=since)


@service
def end_co_management(*, actor: Any, link: CoManagement, until: dt.date) -> None:
    scope.require_role(actor, lambda role: role.writes_organizations, "终止共管关系")
    _lock_in_scope(actor, link.organization)
    link = CoManagement.objects.select_for_update().get(pk=link.pk)
    if link.until is not None:
        raise DomainError("该共管关系已终止")
    if until < link.since:
        raise DomainError({"until": "终止日期不能早于起始日期"})
    link.until = until
    link.save(update_fields=["until"])


@service
def add_covered_unit(*, actor: Any, organization: Organization, name: str, unit_category: str) -> CoveredUnit:
    """A unit the organization covers (a 联合党支部 lists each of its units)."""
    scope.require_role(actor, lambda role: role.writes_organizations, "登记覆盖单位")
    organization = _lock_in_scope(actor, organization)
    errors = ErrorCollector()
    name = name.strip()
    if not name:
        errors.add("name", "请填写单位名称")
    elif len(name) > 100:
        errors.add("name", "单位名称不能超过100个字")
    elif organization.covered_units.filter(name=name).exists():
        errors.add("name", f"已登记“{name}”")
    if unit_category not in UnitCategory.values:
        errors.add("unit_category", "请选择单位类别")
    errors.raise_if_any()
    return CoveredUnit.objects.create(organization=organization, name=name, unit_category=unit_category)


@service
def remove_covered_unit(*, actor: Any, unit: CoveredUnit) -> None:
    scope.require_role(actor, lambda role: role.writes_organizations, "移除覆盖单位")
    _lock_in_scope(actor, unit.organization)
    unit.delete()
