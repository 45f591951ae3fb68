"""Every change to a mobile member's record (流动党员, RULES.md §3.2–3.3): going out, the inflow
organization taking the member into its organizational life, contacts, the yearly review of the
activity certificate, the return."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.members.models import Member, Status
from dangjian.members.services import change_status
from dangjian.orgs.models import Organization

from . import rules
from .inbox import mobile_changed
from .models import MobileMember

TEXTS = {"destination": ("外出地点", 100), "reason": ("外出原因", 100), "contact": ("联系方式", 100)}


def _writes(actor: Any, what: str) -> None:
    scope.require_role(actor, lambda role: role.writes_members, what)


def _lock(actor: Any, mobile: MobileMember) -> MobileMember:
    return scope.get_scoped_or_404(actor, MobileMember.objects.select_for_update(of=("self",)), pk=mobile.pk)


def _date_problem(date: dt.date, label: str, since: dt.date | None = None) -> str | None:
    if date > timezone.localdate():
        return f"{label}不能晚于今天"
    if since is not None and date < since:
        return f"{label}不能早于外出日期{since:%Y-%m-%d}"
    return None


@service
def register_outflow(
    *,
    actor: Any,
    member: Member,
    destination: str,
    reason: str,
    contact: str,
    expected_months: int,
    left_date: dt.date,
    certificate_number: str = "",
) -> MobileMember:
    """登记流出: the member's branch records where the member went, why, how to reach them, for
    how long, and the 流动党员活动证 number. The member's status becomes 流动 on ``left_date``."""
    _writes(actor, "登记流动党员")
    member = scope.get_scoped_or_404(actor, Member.objects.select_for_update(), to_write=True, pk=member.pk)
    errors = ErrorCollector()
    values = {"destination": destination.strip(), "reason": reason.strip(), "contact": contact.strip()}
    for field, (label, limit) in TEXTS.items():
        if not values[field]:
            errors.add(field, f"请填写{label}")
        elif len(values[field]) > limit:
            errors.add(field, f"{label}不能超过{limit}个字")
    if not 1 <= expected_months <= 120:
        errors.add("expected_months", "预计外出时间应为1至120个月")
    if problem := _date_problem(left_date, "外出日期"):
        errors.add("left_date", problem)
    if member.status != Status.NORMAL:
        errors.add(None, f"{member.name}的党籍状态为{member.get_status_display()}，不能登记为流动党员")
    if MobileMember.objects.filter(member=member, returned_date__isnull=True).exists():
        errors.add(None, f"{member.name}已登记为流动党员，尚未返回")
    certificate_number = certificate_number.strip()
    if (
        certificate_number
        and MobileMember.objects.filter(certificate_number=certificate_number, returned_date__isnull=True).exists()
    ):
        errors.add("certificate_number", f"活动证编号“{certificate_number}”已被使用")
    errors.raise_if_any()
    try:
        with transaction.atomic():
            mobile = MobileMember.objects.create(
                member=member,
                outflow_org=member.organization,
                expected_months=expected_months,
                left_date=left_date,
                last_contact_date=left_date,
                certificate_number=certificate_number,
                **values,
            )
    except IntegrityError:
        raise DomainError(f"{member.name}已登记为流动党员，或活动证编号已被使用") from None
    change_status(
        actor=actor, member=member, status=Status.MOBILE, date=left_date, reason=f"外出：{values['destination']}"
    )
    mobile_changed(mobile)
    return mobile


@service
def register_inflow(*, actor: Any, organization: Organization, certificate_number: str) -> MobileMember:
    """登记流入: the member presents the activity certificate at an organization of the tree, which
    takes them into its organizational life (they pay dues and join meetings there, but have no
    表决权, 选举权 or 被选举权 there: RULES.md §3.2)."""
    _writes(actor, "登记流入党员")
    organization = scope.get_scoped_or_404(actor, Organization.objects.all(), to_write=True, pk=organization.pk)
    number = certificate_number.strip()
    if not number:
        raise DomainError({"certificate_number": "请填写流动党员活动证编号"})
    # Found by the certificate the member presents, wherever the outflow side is.
    mobile = (
        MobileMember.objects.select_for_update(of=("self",))
        .filter(certificate_number=number, returned_date__isnull=True, member__deleted_at__isnull=True)
        .first()
    )
    if mobile is None:
        raise DomainError({"certificate_number": f"未找到活动证编号为“{number}”的在外流动党员，请核对"})
    if mobile.inflow_org_id == organization.pk:
        raise DomainError({"certificate_number": f"该党员已在“{organization.name}”登记流入"})
    if mobile.member.org_path.startswith(organization.path):
        raise DomainError({"organization": "流入组织不能是该党员组织关系所在的组织或其上级"})
    mobile.inflow_org = organization
    mobile.save(update_fields=["inflow_org"])
    return mobile


@service
def record_contact(*, actor: Any, mobile: MobileMember, date: dt.date) -> MobileMember:
    """联系: the outflow organization reached the member (at least every 6 months)."""
    _writes(actor, "登记联系情况")
    mobile = _lock(actor, mobile)
    if mobile.returned_date is not None:
        raise DomainError("该党员已返回，无需再登记联系")
    if problem := _date_problem(date, "联系日期", mobile.left_date):
        raise DomainError({"date": problem})
    mobile.last_contact_date = max(mobile.last_contact_date, date)
    mobile.save(update_fields=["last_contact_date"])
    mobile_changed(mobile)
    return mobile


@service
def review_certificate(*, actor: Any, mobile: MobileMember, date: dt.date) -> MobileMember:
    """年审: the activity certificate is reviewed once a year, with the 民主评议; it counts as a contact."""
    _writes(actor, "年审流动党员活动证")
    mobile = _lock(actor, mobile)
    if mobile.returned_date is not None:
        raise DomainError("该党员已返回，活动证无需年审")
    if not mobile.certificate_number:
        raise DomainError("该党员未登记流动党员活动证编号，请先补登")
    if problem := _date_problem(date, "年审日期", mobile.left_date):
        raise DomainError({"date": problem})
    mobile.last_review_date = date
    mobile.last_contact_date = max(mobile.last_contact_date, date)
    mobile.save(update_fields=["last_review_date", "last_contact_date"])
    mobile_changed(mobile)
    return mobile


@service
def record_return(*, actor: Any, mobile: MobileMember, date: dt.date) -> MobileMember:
    """返回: the member is back; their status returns to 正常 (if it is still 流动)."""
    _writes(actor, "登记流动党员返回")
    mobile = _lock(actor, mobile)
    if mobile.returned_date is not None:
        raise DomainError(f"该党员已于{mobile.returned_date:%Y-%m-%d}登记返回")
    if problem := _date_problem(date, "返回日期", mobile.left_date):
        raise DomainError({"date": problem})
    mobile.returned_date = date
    mobile.save(update_fields=["returned_date"])
    member = mobile.member
    if member.status == Status.MOBILE:
        change_status(actor=actor, member=member, status=Status.NORMAL, date=date, reason="流动党员返回")
    mobile_changed(mobile)
    return mobile


def alert(mobile: MobileMember, today: dt.date | None = None) -> rules.ContactAlert:
    member = mobile.member
    suspended = member.status_date if member.status == Status.SUSPENDED else None
    return rules.contact_alert(mobile.last_contact_date, suspended, today or timezone.localdate())


def mobile_list(user: Any, side: str) -> QuerySet[MobileMember]:
    """Out (流出: relation here) or in (流入: organizational life here), open records only."""
    acting = scope.acting(user)
    rows = scope.scoped(user, MobileMember.objects.filter(returned_date__isnull=True)).select_related(
        "member", "outflow_org", "inflow_org"
    )
    if acting is None:
        return rows.none()
    path = acting.organization.path
    if side == "in":
        return rows.filter(inflow_org__path__startswith=path)
    return rows.filter(member__org_path__startswith=path)


def summary(user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The subtree summary: for the acting organization and each organization directly under it,
    the members out (relation there), in (organizational life there), and out of contact ≥ 6
    months. Open records are few (a branch has a handful), so they are counted in one pass."""
    acting = scope.acting(user)
    if acting is None or not acting.allows(lambda role: role.reads_members):
        return []
    root = acting.organization
    children = list(scope.scoped(user, Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1)))
    rows = {
        org.path: {"organization": org.pk, "organization_name": org.name, "out": 0, "in": 0, "lost_contact": 0}
        for org in [root, *children]
    }
    today = today or timezone.localdate()

    def bucket(path: str | None) -> dict[str, Any] | None:
        if not path or not path.startswith(root.path):
            return None
        for org in children:
            if path.startswith(org.path):
                return rows[org.path]
        return rows[root.path]

    open_records = scope.scoped(user, MobileMember.objects.filter(returned_date__isnull=True))
    for mobile in open_records.select_related("member", "inflow_org"):
        if (out := bucket(mobile.member.org_path)) is not None:
            out["out"] += 1
            if rules.contact_alert(mobile.last_contact_date, None, today) != rules.ContactAlert.NONE:
                out["lost_contact"] += 1
        if mobile.inflow_org and (inflow := bucket(mobile.inflow_org.path)) is not None:
            inflow["in"] += 1
    return list(rows.values())
