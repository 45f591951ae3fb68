"""The development file as a whole: opening it (step 1, 递交入党申请书), its uploaded documents,
ending it before admission (终止培养), and moving it to another branch with its person, by hand or
following a 预备党员's transfer (``follow_member``, the transfers app's hook)."""

import datetime as dt
import os
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from dangjian.approvals.models import Decision
from dangjian.approvals.services import record_step
from dangjian.core import scope
from dangjian.core.dates import add_years
from dangjian.core.enums import Education, Ethnicity, Occupation
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.core.idnumber import InvalidIdNumber, parse_id_number
from dangjian.members.models import Member
from dangjian.members.rules import gender_of
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Organization

from .. import rules
from ..inbox import file_changed
from ..models import Applicant, Document, DocumentKind, FileStatus, StepRecord
from .base import WORKFLOW, _log, _sync_with_member, _user, _writer, dates_of
from .intervals import _apply, active_rules

DOCUMENT_TYPES = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx"})
DOCUMENT_MAX_BYTES = 20 * 2**20


def _branch(actor: Any, organization: Organization, errors: ErrorCollector) -> Organization | None:
    try:
        organization = scope.get_scoped_or_404(
            actor, Organization.objects.select_for_update(), to_write=True, pk=organization.pk
        )
    except Http404:
        errors.add("organization", "所选党组织不存在或不在您的管理范围内")
        return None
    if problem := org_rules.member_holding_problem(organization.kind_enum, organization.holds_members_directly):
        errors.add("organization", f"“{organization.name}”不能培养发展党员：{problem}")
    elif organization.is_abolished:
        errors.add("organization", f"“{organization.name}”已撤销")
    return organization


@service
def create_applicant(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    id_number: str,
    application_date: dt.date,
    education: str,
    ethnicity: str = Ethnicity.HAN,
    occupation: str = "",
    job: str = "",
    leaving_date: dt.date | None = None,
    note: str = "",
) -> Applicant:
    """Step 1, 递交入党申请书: the file is opened. A member, or someone with an open file, is
    refused; so is anyone under 18 on the application date (the rule table's age rule)."""
    _writer(actor, "登记入党申请")
    errors = ErrorCollector()
    branch = _branch(actor, organization, errors)
    name = name.strip()
    if not name:
        errors.add("name", "请填写姓名")
    elif len(name) > 50:
        errors.add("name", "姓名不能超过50个字")
    if education not in Education.values:
        errors.add("education", f"学历“{education}”不在可选范围内")
    if occupation and occupation not in Occupation.values:
        errors.add("occupation", f"职业类别“{occupation}”不在可选范围内")
    if ethnicity not in Ethnicity.values:
        errors.add("ethnicity", f"民族“{ethnicity}”不在可选范围内")
    today = timezone.localdate()
    if application_date > today:
        errors.add("application_date", "申请日期不能晚于今天")
    if leaving_date is not None and not application_date <= leaving_date <= add_years(today, 50):
        errors.add("leaving_date", "预计离开工作单位日期应在申请日期之后")
    try:
        idn = parse_id_number(id_number, today=today)
    except InvalidIdNumber as error:
        errors.add("id_number", str(error))
        idn = None
    if idn is not None:
        columns = Applicant.id_columns(idn.number)
        existing = Member.objects.filter(id_hash=columns["id_hash"]).select_related("organization").first()
        if existing is not None:
            where = f"“{existing.organization.name}”的" if scope.is_in_scope(actor, existing) else ""
            errors.add("id_number", f"该公民身份号码已登记为{where}党员，不能再作为入党申请人建档")
        elif Applicant.objects.filter(id_hash=columns["id_hash"]).exclude(
            status__in=[FileStatus.CLOSED, FileStatus.CANCELLED]
        ):
            errors.add("id_number", "该公民身份号码已有发展党员档案：一人一档，不能重复建档")
        for rule in active_rules(rules.APPLICATION):
            _apply(rule, idn.birth_date, application_date, errors, [], field="application_date")
    errors.raise_if_any()
    assert idn is not None and branch is not None
    applicant = Applicant(
        name=name,
        gender=gender_of(idn),
        ethnicity=ethnicity,
        birth_date=idn.birth_date,
        education=education,
        occupation=occupation,
        job=job.strip(),
        leaving_date=leaving_date,
        organization=branch,
        org_path=branch.path,
        **Applicant.id_columns(idn.number),
    )
    try:
        with transaction.atomic():
            applicant.save()
    except IntegrityError:  # the same person registered by someone else at the same moment
        raise DomainError({"id_number": "该公民身份号码已有发展党员档案：一人一档，不能重复建档"}) from None
    record = StepRecord.objects.create(
        applicant=applicant,
        step=rules.APPLICATION,
        date=application_date,
        organization=branch,
        note=note.strip(),
        created_by=_user(actor),
    )
    _log(actor, applicant, record, branch)
    return applicant


@service
def add_document(*, actor: Any, applicant: Applicant, kind: str, upload: Any) -> Document:
    """Keep an uploaded document of the file (stored under MEDIA_ROOT)."""
    _writer(actor, "上传发展党员材料")
    applicant = scope.get_scoped_or_404(actor, Applicant.objects.all(), to_write=True, pk=applicant.pk)
    errors = ErrorCollector()
    if kind not in DocumentKind.values:
        errors.add("kind", f"材料类别“{kind}”不在可选范围内")
    name = getattr(upload, "name", "") or "材料"
    if os.path.splitext(name)[1].lower() not in DOCUMENT_TYPES:
        errors.add("upload", f"材料“{name}”的格式不支持，请上传{'、'.join(sorted(DOCUMENT_TYPES))}文件")
    if (getattr(upload, "size", 0) or 0) > DOCUMENT_MAX_BYTES:
        errors.add("upload", f"材料“{name}”超过{DOCUMENT_MAX_BYTES // 2**20}MB")
    errors.raise_if_any()
    return Document.objects.create(
        applicant=applicant, kind=kind, file=upload, file_name=name[:200], uploaded_by=_user(actor)
    )


@service
def close_file(*, actor: Any, applicant: Applicant, date: dt.date, reason: str) -> Applicant:
    """终止培养 (before admission: the applicant withdraws, fails the review, …)."""
    _writer(actor, "终止发展党员培养")
    applicant = scope.get_scoped_or_404(actor, Applicant.objects.select_for_update(), to_write=True, pk=applicant.pk)
    if applicant.status != FileStatus.OPEN:
        raise DomainError({"status": "已接收为预备党员的，按转正、延长或取消预备党员资格办理"})
    if not reason.strip():
        raise DomainError({"reason": "请写明终止的理由"})
    applicant.status = FileStatus.CLOSED
    applicant.save(update_fields=["status", "updated_at"])
    record_step(
        actor=actor,
        target=applicant,
        workflow=WORKFLOW,
        step="终止培养",
        decision=Decision.REJECT,
        organization=applicant.organization,
        reason=f"{date:%Y-%m-%d} {reason}",
    )
    file_changed(applicant)
    return applicant


@service
def move_applicant(*, actor: Any, applicant: Applicant, organization: Organization, date: dt.date) -> Applicant:
    """The file follows its person to another branch (the applicant's work or residence changed):
    the steps stay, the time already served counts on (可连续计算), nothing restarts. A file
    whose person is already a member follows the member's transfer instead (``follow_member``)."""
    _writer(actor, "转接发展党员档案")
    applicant = scope.get_scoped_or_404(actor, Applicant.objects.select_for_update(), to_write=True, pk=applicant.pk)
    errors = ErrorCollector()
    if applicant.member_id is not None:
        errors.add("organization", "已是预备党员的，随其组织关系转接")
    if applicant.status != FileStatus.OPEN:
        errors.add("organization", f"该档案{applicant.get_status_display()}，不能转接")
    target = Organization.objects.filter(pk=organization.pk, deleted_at__isnull=True).first()
    if target is None or target.pk == applicant.organization_id:
        errors.add("organization", "请选择另一个党支部")
    elif problem := org_rules.member_holding_problem(target.kind_enum, target.holds_members_directly):
        errors.add("organization", f"“{target.name}”不能培养发展党员：{problem}")
    if date > timezone.localdate() or date < dates_of(applicant)[applicant.step]:
        errors.add("date", "转接日期应在最近一步之后、不晚于今天")
    errors.raise_if_any()
    assert target is not None
    source = applicant.organization
    applicant.organization, applicant.org_path = target, target.path
    applicant.save(update_fields=["organization", "org_path", "updated_at"])
    record_step(
        actor=actor,
        target=applicant,
        workflow=WORKFLOW,
        step="档案转接",
        decision=Decision.RECORD,
        organization=source,
        reason=f"{date:%Y-%m-%d} 由“{source.name}”转至“{target.name}”，培养时间连续计算",
    )
    file_changed(applicant)
    return applicant


def follow_member(member: Member) -> None:
    """Hook for the transfers app: after a member's organization relation moved, the member's
    development file (a 预备党员's) moves with it. Runs inside the caller's transaction."""
    applicant = Applicant.objects.select_for_update().filter(member=member).first()
    if applicant is not None:
        _sync_with_member(applicant)
