"""Every change to the member registry. Each takes the acting user, checks scope, applies the
rules and writes in one transaction, or raises DomainError and writes nothing."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.core import audit, scope
from dangjian.core.enums import Education, Ethnicity, Gender
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.core.idnumber import IdNumber, InvalidIdNumber, parse_id_number
from dangjian.core.models import Event, Role
from dangjian.core.pinyin import name_keys
from dangjian.core.services import grant_role, save_changes
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Organization

from . import rules
from .access import may_reveal
from .models import Category, Member, MembershipPeriod, PartyGroup, Status

EDITABLE_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "education",
    "category",
    "joined_date",
    "regularized_date",
    "status",
)
REQUIRED_FIELDS = {
    "name": "姓名",
    "id_number": "公民身份号码",
    "education": "学历",
    "category": "人员类别",
    "joined_date": "入党日期",
}
CHOICES = {
    "gender": (Gender, "性别"),
    "ethnicity": (Ethnicity, "民族"),
    "education": (Education, "学历"),
    "category": (Category, "人员类别"),
    "status": (Status, "党籍状态"),
}
ON_ROLL = [status for status in Status if status.is_on_roll]


def members_on_roll(organization: Organization) -> QuerySet[Member]:
    return Member.objects.filter(organization=organization, deleted_at__isnull=True, status__in=ON_ROLL)


@service
def create_member(*, actor: Any, organization: Organization, since: dt.date | None = None, **fields: Any) -> Member:
    """Register a member in a branch (登记党员). ``since`` is the day the member came to this
    organization: by default the joined date, or the organization's founding if that is later."""
    scope.require_role(actor, lambda role: role.writes_members, "登记党员")
    organization = _lock_organization(actor, organization)
    errors = ErrorCollector()
    values = _clean(fields, errors)
    for field, label in REQUIRED_FIELDS.items():
        if not values.get(field) and field not in errors.errors:
            errors.add(field, f"请填写{label}")
    _check_placement(organization, errors)
    idn = values.get("id_number")
    if isinstance(idn, IdNumber):
        _check_identity(actor, values, idn, None, errors)
        values.setdefault("gender", rules.gender_of(idn))
        values["birth_date"] = values.get("birth_date") or idn.birth_date
    start = since or max(filter(None, [values.get("joined_date"), organization.founded_date]), default=None)
    if start and values.get("joined_date") and start < values["joined_date"]:
        errors.add("since", "到本组织日期不能早于入党日期")
    if start and start > timezone.localdate():
        errors.add("since", "到本组织日期不能晚于今天")
    errors.raise_if_any()
    assert isinstance(idn, IdNumber)
    assert start is not None
    values["id_number"] = idn.number
    values["name_pinyin"], values["name_initials"] = name_keys(values["name"])
    try:
        with transaction.atomic():
            member = Member.objects.create(organization=organization, org_path=organization.path, **values)
    except IntegrityError:  # a concurrent registration of the same person won the race
        raise DomainError({"id_number": "该公民身份号码已在其他党组织登记"}) from None
    MembershipPeriod.objects.create(member=member, organization=organization, start=start, reason="登记入册")
    return member


@service
def update_member(*, actor: Any, member: Member, **changes: Any) -> Member:
    """Correct a member's data: only the given fields, checked together with the rest.

    The organization is not changed here: moving a member is a transfer (组织关系转接)."""
    scope.require_role(actor, lambda role: role.writes_members, "修改党员信息")
    member = scope.get_scoped_or_404(actor, Member.objects.select_for_update(), pk=member.pk)
    errors = ErrorCollector()
    values = _clean(changes, errors)
    for field, label in REQUIRED_FIELDS.items():
        if field in values and not values[field] and field not in errors.errors:
            errors.add(field, f"{label}不能为空")
    if isinstance(new_idn := values.get("id_number"), IdNumber):
        # A corrected number brings its birth date and gender, unless those are given too.
        values.setdefault("birth_date", new_idn.birth_date)
        values.setdefault("gender", rules.gender_of(new_idn))
    merged = {field: getattr(member, field) for field in EDITABLE_FIELDS} | values
    if "id_number" not in errors.errors:
        _check_identity(actor, merged, new_idn or parse_id_number(member.id_number), member.pk, errors)
    errors.raise_if_any()
    if new_idn:
        values["id_number"] = new_idn.number
    if "name" in values:
        values["name_pinyin"], values["name_initials"] = name_keys(values["name"])
    save_changes(member, values, DomainError({"id_number": "该公民身份号码已在其他党组织登记"}))
    return member


def reveal_id_number(*, actor: Any, member: Member) -> str:
    """The full ID number for someone allowed to see it; the reveal goes into the security trail."""
    member = scope.get_scoped_or_404(actor, Member.objects.all(), pk=member.pk)
    if not may_reveal(actor, member):
        raise PermissionDenied("您当前的角色无权查看完整证件号码")
    audit.record(Event.REVEAL, actor=actor, target=member, details={"field": "id_number"})
    return member.id_number


@service
def delete_member(*, actor: Any, member: Member) -> None:
    """Soft-delete a record entered by mistake. Leaving the Party (出党) or death is a status, not
    a deletion: those members stay in the registry and the statistics."""
    scope.require_role(actor, lambda role: role.writes_members, "删除党员记录")
    member = scope.get_scoped_or_404(actor, Member.objects.select_for_update(), pk=member.pk)
    member.deleted_at = timezone.now()
    member.save(update_fields=["deleted_at", "updated_at"])


def _lock_organization(actor: Any, organization: Organization) -> Organization:
    try:
        return scope.get_scoped_or_404(
            actor, Organization.objects.select_for_update(), to_write=True, pk=organization.pk
        )
    except Http404:
        raise DomainError({"organization": "所选党组织不存在或不在您的管理范围内"}) from None


def _check_placement(organization: Organization, errors: ErrorCollector) -> None:
    if problem := org_rules.member_holding_problem(organization.kind_enum, organization.holds_members_directly):
        errors.add("organization", f"不能将党员编入“{organization.name}”：{problem}")
    elif organization.is_abolished:
        errors.add("organization", f"“{organization.name}”已于{organization.abolished_date:%Y-%m-%d}撤销，不能编入党员")


def _check_identity(
    actor: Any, values: dict[str, Any], idn: IdNumber, own_pk: int | None, errors: ErrorCollector
) -> None:
    facts = rules.MemberFacts(
        id_number=idn,
        gender=values.get("gender"),
        birth_date=values.get("birth_date"),
        category=values.get("category") or "",
        joined_date=values.get("joined_date"),
        regularized_date=values.get("regularized_date"),
    )
    for field, problem in rules.member_problems(facts, timezone.localdate()).items():
        errors.add(field, problem)
    others = Member.objects.filter(id_number=idn.number).select_related("organization")
    existing = (others.exclude(pk=own_pk) if own_pk is not None else others).first()
    if existing is None:
        return
    # Say where only when the user may see that place: one person, one record, no leak.
    if scope.is_in_scope(actor, existing):
        errors.add("id_number", f"该公民身份号码已登记为“{existing.organization.name}”的党员{existing.name}")
    else:
        errors.add("id_number", "该公民身份号码已在其他党组织登记，一人只能有一条党员记录")


def _clean(fields: dict[str, Any], errors: ErrorCollector) -> dict[str, Any]:
    """Normalise and check the format of each given field; the ID number becomes an IdNumber."""
    if unknown := set(fields) - set(EDITABLE_FIELDS):
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    values: dict[str, Any] = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    if "name" in values and len(values["name"] or "") > 50:
        errors.add("name", "姓名不能超过50个字")
    for field, (enum, label) in CHOICES.items():
        if values.get(field):
            try:
                values[field] = enum(values[field])
            except ValueError:
                errors.add(field, f"{label}“{values.pop(field)}”不在可选范围内")
    if values.get("id_number"):
        try:
            values["id_number"] = parse_id_number(values["id_number"], today=timezone.localdate())
        except InvalidIdNumber as error:
            errors.add("id_number", str(error))
            values.pop("id_number")
    if values.get("birth_date") and values["birth_date"] > timezone.localdate():
        errors.add("birth_date", "出生日期不能晚于今天")
    return values


@service
def link_login(*, actor: Any, member: Member, user: Any) -> Member:
    """Give a member a login of their own: the 党员 role, which reads the member's own record."""
    if actor is not None:
        scope.require_role(actor, lambda role: role.writes_members, "为党员开通账号")
        member = scope.get_scoped_or_404(actor, Member.objects.select_for_update(), pk=member.pk)
    if Member.objects.filter(user=user).exclude(pk=member.pk).exists():
        raise DomainError({"user": "该账号已关联其他党员"})
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    grant_role(actor=None, user=user, role=Role.MEMBER, organization=member.organization)
    return member


def _group_members(organization: Organization, member_ids: Any, errors: ErrorCollector) -> list[Member]:
    chosen = set(member_ids)
    found = list(members_on_roll(organization).filter(pk__in=chosen))
    if len(found) != len(chosen):
        errors.add("members", f"有{len(chosen) - len(found)}名所选党员不是“{organization.name}”的在册党员")
    return found


@service
def create_party_group(
    *, actor: Any, organization: Organization, name: str, member_ids: Any = (), leader: Member | None = None
) -> PartyGroup:
    """设立党小组 in a branch. A member joins one group at most: joining this one leaves any other."""
    scope.require_role(actor, lambda role: role.writes_members, "设立党小组")
    organization = _lock_organization(actor, organization)
    errors = ErrorCollector()
    name = name.strip()
    if not name:
        errors.add("name", "请填写党小组名称")
    elif len(name) > 50:
        errors.add("name", "党小组名称不能超过50个字")
    elif PartyGroup.objects.filter(organization=organization, name=name, dissolved_date__isnull=True).exists():
        errors.add("name", f"“{organization.name}”已有党小组“{name}”")
    if problem := org_rules.member_holding_problem(organization.kind_enum, organization.holds_members_directly):
        errors.add("organization", problem)
    members = _group_members(organization, member_ids, errors)
    if leader is not None and leader.pk not in {m.pk for m in members}:
        errors.add("leader", "党小组长应是该党小组的党员")
    errors.raise_if_any()
    group = PartyGroup.objects.create(organization=organization, name=name, leader=leader)
    Member.objects.filter(pk__in=[m.pk for m in members]).update(party_group=group)
    return group


@service
def update_party_group(
    *, actor: Any, group: PartyGroup, member_ids: Any = None, leader: Member | None = None, name: str | None = None
) -> PartyGroup:
    """Change a group's members, leader or name."""
    scope.require_role(actor, lambda role: role.writes_members, "调整党小组")
    group = scope.get_scoped_or_404(actor, PartyGroup.objects.select_for_update(), pk=group.pk)
    errors = ErrorCollector()
    if name is not None:
        name = name.strip()
        taken = PartyGroup.objects.filter(organization=group.organization, name=name, dissolved_date__isnull=True)
        if not name:
            errors.add("name", "请填写党小组名称")
        elif taken.exclude(pk=group.pk).exists():
            errors.add("name", f"已有党小组“{name}”")
    current = set(group.members.values_list("pk", flat=True))
    members = current if member_ids is None else {m.pk for m in _group_members(group.organization, member_ids, errors)}
    if leader is not None and leader.pk not in members:
        errors.add("leader", "党小组长应是该党小组的党员")
    errors.raise_if_any()
    if member_ids is not None:
        Member.objects.filter(party_group=group).exclude(pk__in=members).update(party_group=None)
        Member.objects.filter(pk__in=members).update(party_group=group)
        if group.leader_id is not None and group.leader_id not in members:
            group.leader = None
    if leader is not None:
        group.leader = leader
    if name is not None:
        group.name = name
    group.save()
    return group


@service
def dissolve_party_group(*, actor: Any, group: PartyGroup, date: dt.date) -> None:
    """撤销党小组: its members stay in the branch, in no group."""
    scope.require_role(actor, lambda role: role.writes_members, "撤销党小组")
    group = scope.get_scoped_or_404(actor, PartyGroup.objects.select_for_update(), pk=group.pk)
    if date > timezone.localdate():
        raise DomainError({"date": "撤销日期不能晚于今天"})
    Member.objects.filter(party_group=group).update(party_group=None)
    group.dissolved_date = date
    group.leader = None
    group.save(update_fields=["dissolved_date", "leader"])
