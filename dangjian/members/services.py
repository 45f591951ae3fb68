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
from dangjian.core.crypto import lookup_hash
from dangjian.core.enums import Degree, Education, Ethnicity, Gender, Occupation
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.core.idnumber import IdNumber, InvalidIdNumber, parse_id_number
from dangjian.core.models import Event, Role
from dangjian.core.pinyin import name_keys
from dangjian.core.services import check_knowledge, grant_role, member_grant, save_changes
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Organization

from . import moves, rules
from .access import may_reveal
from .models import (
    Category,
    CorrectionRequest,
    CorrectionStatus,
    LeftReason,
    Member,
    MembershipPeriod,
    PartyGroup,
    Status,
    StatusPeriod,
)

# Corrected with update_member. The status changes with its date (change_status); the
# organization only by a transfer or a restructuring.
EDITABLE_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "native_place",
    "birth_date",
    "id_number",
    "education",
    "degree",
    "occupation",
    "job",
    "phone",
    "address",
    "category",
    "joined_date",
    "regularized_date",
    "is_central_household",
)
STATUS_FIELDS = ("status", "status_date", "status_reason", "left_reason")
TEXT_LIMITS = {"name": ("姓名", 50), "native_place": ("籍贯", 50), "job": ("工作单位及职务", 100)}
TEXT_LIMITS |= {"address": ("家庭住址", 200), "status_reason": ("状态变更原因", 200)}
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
    "degree": (Degree, "学位"),
    "occupation": (Occupation, "职业类别"),
    "category": (Category, "人员类别"),
    "status": (Status, "党籍状态"),
    "left_reason": (LeftReason, "出党方式"),
}
ON_ROLL = [status for status in Status if status.is_on_roll]


def members_on_roll(organization: Organization) -> QuerySet[Member]:
    return Member.objects.filter(organization=organization, deleted_at__isnull=True, status__in=ON_ROLL)


@service
def create_member(*, actor: Any, organization: Organization, since: dt.date | None = None, **fields: Any) -> Member:
    """Register a member in a branch (登记党员). ``since`` is the day the member came to this
    organization: by default the joined date, or the organization's founding if that is later.
    A member registered with a status other than 正常 gives its date (``status_date``)."""
    scope.require_role(actor, lambda role: role.writes_members, "登记党员")
    organization = _lock_organization(actor, organization)
    errors = ErrorCollector()
    values = _clean(fields, errors, allowed=EDITABLE_FIELDS + STATUS_FIELDS)
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
    status = values.setdefault("status", Status.NORMAL)
    if status != Status.NORMAL and not values.get("status_date"):
        errors.add("status_date", f"党籍状态为{status.label}时，请填写状态变更日期")
    _check_status(values, errors)
    errors.raise_if_any()
    assert isinstance(idn, IdNumber)
    assert start is not None
    phone = values.pop("phone", "")
    values["name_pinyin"], values["name_initials"] = name_keys(values["name"])
    values |= Member.id_columns(idn.number) | Member.phone_columns(phone)
    member = Member(organization=organization, org_path=organization.path, **values)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:  # a concurrent registration of the same person won the race
        raise DomainError({"id_number": "该公民身份号码已在其他党组织登记"}) from None
    MembershipPeriod.objects.create(member=member, organization=organization, start=start, reason="登记入册")
    StatusPeriod.objects.create(
        member=member,
        status=status,
        start=values.get("status_date") or values["joined_date"],
        reason=values.get("status_reason", ""),
        left_reason=values.get("left_reason", ""),
    )
    return member


@service
def update_member(*, actor: Any, member: Member, **changes: Any) -> Member:
    """Correct a member's data: only the given fields, checked together with the rest.

    The organization is not changed here: moving a member is a transfer (组织关系转接)."""
    scope.require_role(actor, lambda role: role.writes_members, "修改党员信息")
    member = scope.get_scoped_or_404(actor, Member.objects.select_for_update(), pk=member.pk)
    refuse_if_transferred_out(member, "修改")
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
        values |= Member.id_columns(new_idn.number)
    if "phone" in values:
        values |= Member.phone_columns(values["phone"])
    if "name" in values:
        values["name_pinyin"], values["name_initials"] = name_keys(values["name"])
    save_changes(member, values, DomainError({"id_number": "该公民身份号码已在其他党组织登记"}))
    return member


@service
def change_status(
    *, actor: Any, member: Member, status: str, date: dt.date, reason: str = "", left_reason: str = ""
) -> Member:
    """变更党籍状态 on a date: the open status period ends that day and the new one starts, so the
    status on any date can be looked up later. 出党 says how (left_reason)."""
    scope.require_role(actor, lambda role: role.writes_members, "变更党籍状态")
    member = scope.get_scoped_or_404(actor, Member.objects.select_for_update(), to_write=True, pk=member.pk)
    refuse_if_transferred_out(member, "变更党籍状态")
    errors = ErrorCollector()
    values = _clean(
        {"status": status, "status_date": date, "status_reason": reason, "left_reason": left_reason},
        errors,
        allowed=STATUS_FIELDS,
    )
    if not values.get("status") and "status" not in errors.errors:
        errors.add("status", "请选择党籍状态")
    current = member.status_periods.filter(end__isnull=True).first()
    if values.get("status") == member.status:
        errors.add("status", f"{member.name}的党籍状态已是{member.get_status_display()}")
    if current and date < current.start:
        errors.add("status_date", f"状态变更日期不能早于上一次变更的日期{current.start:%Y-%m-%d}")
    values["category"] = member.category
    values["joined_date"] = member.joined_date
    _check_status(values, errors)
    errors.raise_if_any()
    if current:
        current.end = date
        current.save(update_fields=["end"])
    StatusPeriod.objects.create(
        member=member, status=values["status"], start=date, reason=reason.strip(), left_reason=left_reason
    )
    member.status, member.status_date = values["status"], date
    member.status_reason, member.left_reason = reason.strip(), left_reason
    member.save(update_fields=[*STATUS_FIELDS, "updated_at"])
    return member


def _check_status(values: dict[str, Any], errors: ErrorCollector) -> None:
    facts = rules.StatusFacts(
        status=values.get("status") or Status.NORMAL,
        left_reason=values.get("left_reason") or "",
        date=values.get("status_date"),
        category=values.get("category") or "",
        joined_date=values.get("joined_date"),
    )
    for field, problem in rules.status_problems(facts, timezone.localdate()).items():
        errors.add(field, problem)


def reveal_numbers(*, actor: Any, member: Member) -> dict[str, str]:
    """The full ID and phone numbers for someone allowed to see them; the reveal goes into the
    security trail (which records that it happened, never the numbers)."""
    member = scope.get_scoped_or_404(actor, Member.objects.all(), pk=member.pk)
    if not may_reveal(actor, member):
        raise PermissionDenied("您当前的角色无权查看完整证件号码和联系电话")
    audit.record(Event.REVEAL, actor=actor, target=member, details={"fields": ["id_number", "phone"]})
    return {"id_number": member.id_number, "phone": member.phone or ""}


@service
def delete_member(*, actor: Any, member: Member) -> None:
    """Soft-delete a record entered by mistake. Leaving the Party (出党) or death is a status, not
    a deletion: those members stay in the registry and the statistics."""
    scope.require_role(actor, lambda role: role.writes_members, "删除党员记录")
    member = scope.get_scoped_or_404(actor, Member.objects.select_for_update(), pk=member.pk)
    refuse_if_transferred_out(member, "删除")
    member.deleted_at = timezone.now()
    member.save(update_fields=["deleted_at", "updated_at"])


def refuse_if_transferred_out(member: Member, action: str) -> None:
    """A record whose relation went outside the tree (已转出) stays as it was until the person
    comes back (登记系统外转入), so that the story it tells is the one of that day."""
    if member.status == Status.TRANSFERRED_OUT:
        when = f"于{member.status_date:%Y-%m-%d}" if member.status_date else ""
        where = f"（{member.status_reason}）" if member.status_reason else ""
        raise DomainError(
            f"{member.name}的组织关系已{when}转出本系统{where}，记录不能{action}；其组织关系转回时，请登记系统外转入"
        )


def transferred_out_record(id_number: Any) -> Member | None:
    """The record (已转出, not deleted) of the person with this ID number, if their relation went
    outside the tree: a letter bringing them back reopens it (``readmit_member``)."""
    try:
        number = parse_id_number(str(id_number or "").strip(), today=timezone.localdate())
    except InvalidIdNumber:
        return None
    return Member.objects.filter(
        id_hash=lookup_hash(number.number), status=Status.TRANSFERRED_OUT, deleted_at__isnull=True
    ).first()


# What the letter and the record must agree on: the person is the same one. Anything else on the
# letter may have changed while they were away and is updated (with its history).
SAME_PERSON = {"name": "姓名", "gender": "性别", "birth_date": "出生日期", "joined_date": "入党日期"}
RETURN_FIELDS = tuple(field for field in EDITABLE_FIELDS if field not in ("is_central_household",))


@service
def readmit_member(*, actor: Any, member: Member, organization: Organization, since: dt.date, **fields: Any) -> Member:
    """A person whose relation went outside the tree (已转出) comes back by a letter from outside
    (组织关系转入（系统外）): the same record moves into ``organization`` with a new membership
    period from ``since``, its status 正常 again from that day, and what the letter says that
    changed (education, job, phone, category…) is updated with its history. The record may be in
    another subtree than the actor's: the ID number on the letter is what finds it, and the
    refusals name the field that differs, never what the record holds."""
    scope.require_role(actor, lambda role: role.writes_members, "接收组织关系")
    organization = _lock_organization(actor, organization)
    member = Member.objects.select_for_update().get(pk=member.pk)
    errors = ErrorCollector()
    values = _clean(fields, errors, allowed=RETURN_FIELDS)
    idn = values.pop("id_number", None)
    if isinstance(idn, IdNumber) and lookup_hash(idn.number) != member.id_hash:
        raise TypeError("readmit_member is given the record of another ID number")
    # What the letter leaves blank it does not say: the record keeps its value.
    values = {field: value for field, value in values.items() if value not in (None, "")}
    for field, label in SAME_PERSON.items():
        if field in values and values[field] != getattr(member, field):
            errors.add(field, f"{label}与该公民身份号码原有的党员记录不一致，请核对介绍信")
    _check_placement(organization, errors)
    if problem := moves.return_problem(member, since):
        errors.add("date", problem)
    merged = {field: getattr(member, field) for field in EDITABLE_FIELDS} | values
    if not errors.errors:
        _check_identity(actor, merged, parse_id_number(member.id_number), member.pk, errors)
    errors.raise_if_any()
    try:
        member = moves.move_back_into_tree(member, organization, since)
    except moves.MoveRefused as refused:
        raise DomainError({"date": str(refused)}) from None
    changes = {field: value for field, value in values.items() if field not in SAME_PERSON}
    if "phone" in changes:
        changes |= Member.phone_columns(changes.pop("phone"))
    member._change_reason = moves.BACK_REASON  # type: ignore[attr-defined]
    save_changes(member, changes, DomainError({"id_number": "该公民身份号码已在其他党组织登记"}))
    return member


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
    others = Member.objects.filter(id_hash=lookup_hash(idn.number)).select_related("organization")
    existing = (others.exclude(pk=own_pk) if own_pk is not None else others).first()
    if existing is None:
        return
    # Say where only when the user may see that place: one person, one record, no leak.
    if scope.is_in_scope(actor, existing) and existing.status == Status.TRANSFERRED_OUT:
        errors.add(
            "id_number",
            f"该公民身份号码属于组织关系已转出本系统的党员{existing.name}（原在“{existing.organization.name}”）；"
            "其组织关系转回时，请登记系统外转入",
        )
    elif scope.is_in_scope(actor, existing):
        errors.add("id_number", f"该公民身份号码已登记为“{existing.organization.name}”的党员{existing.name}")
    else:
        errors.add("id_number", "该公民身份号码已在其他党组织登记，一人只能有一条党员记录")


def _clean(
    fields: dict[str, Any], errors: ErrorCollector, allowed: tuple[str, ...] = EDITABLE_FIELDS
) -> dict[str, Any]:
    """Normalise and check the format of each given field; the ID number becomes an IdNumber."""
    if unknown := set(fields) - set(allowed):
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    values: dict[str, Any] = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    for field, (label, limit) in TEXT_LIMITS.items():
        if len(values.get(field) or "") > limit:
            errors.add(field, f"{label}不能超过{limit}个字")
        elif field in values and values[field] is None:
            values[field] = ""
    if values.get("phone"):
        values["phone"] = rules.normalize_phone(values["phone"])
        if problem := rules.phone_problem(values["phone"]):
            errors.add("phone", problem)
    elif "phone" in values:
        values["phone"] = ""
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
    if actor is not None:
        check_knowledge(actor, user, member_grant(user, member.organization))
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


# What a member may ask to have corrected in their own record (the rest is the branch's to keep).
CORRECTABLE = {
    "name": "姓名",
    "ethnicity": "民族",
    "native_place": "籍贯",
    "education": "学历",
    "degree": "学位",
    "occupation": "职业类别",
    "job": "工作单位及职务",
    "phone": "联系电话",
    "address": "家庭住址",
}


def correction_labels(changes: dict[str, Any]) -> str:
    """The fields of a request in the form's order (a JSON column may not keep the keys' order)."""
    return "、".join(label for field, label in CORRECTABLE.items() if field in changes)


@service
def request_correction(*, actor: Any, member: Member, changes: dict[str, Any], reason: str = "") -> CorrectionRequest:
    """信息更正申请: a member asks for their own record to change. The values are checked now, so
    the administrator decides on a request that can be applied; one open request at a time."""
    member = scope.get_scoped_or_404(actor, Member.objects.select_for_update(), pk=member.pk)
    if member.user_id is None or member.user_id != actor.pk:
        raise PermissionDenied("只能为本人的党员信息申请更正")
    refuse_if_transferred_out(member, "申请更正")
    if unknown := set(changes) - set(CORRECTABLE):
        raise DomainError({"changes": f"以下内容不能由本人申请更正：{'、'.join(sorted(unknown))}"})
    wanted = {field: value for field, value in changes.items() if value != getattr(member, field)}
    errors = ErrorCollector()
    if not wanted:
        errors.add("changes", "请填写要更正的内容（与现有信息相同的不算更正）")
    values = _clean(wanted, errors)
    if len(reason) > 500:
        errors.add("reason", "说明不能超过500个字")
    if member.corrections.filter(status=CorrectionStatus.PENDING).exists():
        errors.add("changes", "您已有一份待处理的更正申请，请等待支部处理后再提交")
    errors.raise_if_any()
    stored = {field: str(value) if value is not None else "" for field, value in values.items()}
    try:
        with transaction.atomic():
            return CorrectionRequest.objects.create(
                member=member, requested_by=actor, changes=stored, reason=reason.strip()
            )
    except IntegrityError:  # a second request submitted at the same moment
        raise DomainError({"changes": "您已有一份待处理的更正申请，请等待支部处理后再提交"}) from None


@service
def decide_correction(*, actor: Any, request: CorrectionRequest, accept: bool, note: str = "") -> CorrectionRequest:
    """The branch's administrator accepts (the change goes through update_member, with its checks)
    or rejects (with a note saying why) a member's correction request."""
    scope.require_role(actor, lambda role: role.writes_members, "处理信息更正申请")
    request = scope.get_scoped_or_404(actor, CorrectionRequest.objects.select_for_update(), pk=request.pk)
    if request.status != CorrectionStatus.PENDING:
        raise DomainError({"status": f"该申请已{request.get_status_display()}，不能再次处理"})
    if not accept and not note.strip():
        raise DomainError({"note": "不采纳时请写明理由，申请人会看到"})
    if accept:
        update_member(actor=actor, member=request.member, **request.changes)
    request.status = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REJECTED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return request
