"""Submitting the annual report upward (报送) and returning it (退回); what has changed since.

A committee submits its report for a year as of 31 December: the figures are frozen with the
time, the person and who was on the roll. The level above sees it, counts it in its own subtree
check in place of the live figures, and may return it with a reason; a returned report stays as
history and a new one is submitted. Late corrections (data entered into January) change the live
figures, never the submitted ones: the difference is shown, member by member.
"""

import datetime as dt
import zlib
from array import array
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone

from dangjian.approvals.models import Decision
from dangjian.approvals.services import record_step
from dangjian.core import inbox, scope
from dangjian.core.errors import DomainError
from dangjian.core.history import service
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import checks, engine
from .models import Submission, SubmissionState

WORKFLOW = "党内统计年报报送"
INBOX = "stats"
ROLL_CELL = "2:total:total"  # who is counted: the members on the roll on the report date


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def pack_ids(ids: list[int]) -> bytes:
    """Sorted ids as deltas in a compressed array: a county's 10^5 members in a few hundred KB."""
    ordered = sorted(set(ids))
    deltas = array("q", (b - a for a, b in zip([0, *ordered], ordered, strict=False)))
    return zlib.compress(deltas.tobytes(), 6)


def unpack_ids(blob: bytes | memoryview) -> list[int]:
    deltas = array("q")
    deltas.frombytes(zlib.decompress(bytes(blob)))
    total, ids = 0, []
    for delta in deltas:
        total += delta
        ids.append(total)
    return ids


def standing(organization: Organization, year: int) -> Submission | None:
    return Submission.objects.filter(organization=organization, year=year, state=SubmissionState.SUBMITTED).first()


def children_submitted(organization: Organization, year: int) -> dict[str, dict[str, int]]:
    """The standing submissions of the organization's direct children for the year: path → cells."""
    rows = (
        Submission.objects.filter(org_path__startswith=organization.path, year=year, state=SubmissionState.SUBMITTED)
        .annotate(depth=Length("org_path"))
        .filter(depth=len(organization.path) + 4)
        .values_list("org_path", "figures")
    )
    return dict(rows)


def run_checks(report: engine.Report) -> list[checks.Result]:
    """The checks, with the children's submitted figures where the report is a year's."""
    submitted = children_submitted(report.organization, report.year) if report.day == year_end(report.year) else {}
    return checks.run(report, submitted)


@service
def submit(*, actor: Any, organization: Organization, year: int, note: str = "") -> Submission:
    """报送 the year's report. Refused before 31 December has passed, while one is standing, and,
    when checks fail, without a note saying why (the 审核说明 of the reporting tool)."""
    scope.require_role(actor, lambda role: role.writes_members, "报送党内统计年报")
    organization = scope.get_scoped_or_404(
        actor,
        Organization.objects.select_for_update().filter(deleted_at__isnull=True),
        to_write=True,
        pk=organization.pk,
    )
    today = timezone.localdate()
    note = note.strip()
    if organization.depth == 1:
        raise DomainError({"organization": f"{organization.name}是最高一级党组织，年报不再向上报送"})
    if year_end(year) >= today:
        raise DomainError({"year": f"{year}年年报的统计截止日期为{year}年12月31日，截止日期过后方可报送"})
    if year < 2000:
        raise DomainError({"year": "年度应为2000年以后"})
    if standing(organization, year):
        raise DomainError({"year": f"{organization.name}{year}年年报已报送；如需更正，请上级党组织退回后重新报送"})
    report = engine.compute(organization, year_end(year))
    results = run_checks(report)
    failed = checks.failed(results)
    if failed and not note:
        names = "；".join(f"{r.check.code} {r.check.name}" for r in failed[:5])
        raise DomainError(
            {"note": f"有{len(failed)}条审核公式未通过（{names}），请核对数据；确需报送的，请在报送说明中写明原因"}
        )
    roll = engine.subject_ids(report.form, ROLL_CELL, organization, report.day)
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                organization=organization,
                org_path=organization.path,
                year=year,
                day=report.day,
                form_code=report.form.code,
                figures=report.figures,
                parts=report.parts,
                roll=pack_ids(roll),
                checks_failed=len(failed),
                note=note[:500],
                submitted_by=actor,
            )
    except IntegrityError:  # a concurrent submission won
        raise DomainError({"year": f"{organization.name}{year}年年报已报送"}) from None
    record_step(
        actor=actor,
        target=submission,
        workflow=WORKFLOW,
        step="报送",
        decision=Decision.PASS,
        organization=organization,
        reason=note,
    )
    inbox.refresh_soon(INBOX, organization.path)
    return submission


def _is_above(actor: Any, submission: Submission) -> scope.Acting:
    acting = scope.require_role(actor, lambda role: role.writes_members, "退回下级报送的年报")
    path = acting.organization.path
    if not (submission.org_path.startswith(path) and len(submission.org_path) > len(path)):
        raise DomainError({"submission": "只有上级党组织可以退回报送的年报"})
    return acting


@service
def return_submission(*, actor: Any, submission: Submission, reason: str) -> Submission:
    """退回: the level above (or higher) sends the report back with a reason; the reporting
    organization then corrects and submits again."""
    submission = scope.get_scoped_or_404(actor, Submission.objects.select_for_update(), to_write=True, pk=submission.pk)
    acting = _is_above(actor, submission)
    reason = reason.strip()
    if not reason:
        raise DomainError({"reason": "请填写退回原因"})
    if submission.state != SubmissionState.SUBMITTED:
        raise DomainError({"submission": "该年报已退回"})
    submission.state = SubmissionState.RETURNED
    submission.returned_by = actor
    submission.returned_at = timezone.now()
    submission.return_reason = reason[:500]
    submission.save(update_fields=["state", "returned_by", "returned_at", "return_reason"])
    record_step(
        actor=actor,
        target=submission,
        workflow=WORKFLOW,
        step="退回",
        decision=Decision.RETURN,
        organization=acting.organization,
        reason=reason,
    )
    inbox.refresh_soon(INBOX, submission.org_path)
    return submission


@dataclass
class Changes:
    """What differs between a submission and the live figures for the same date."""

    cells: list[tuple[str, int, int]]  # (cell, submitted, now)
    joined: list[Member] = field(default_factory=list)  # on the roll now, not in the submission
    gone: list[Member] = field(default_factory=list)  # in the submission, not on the roll now
    edited: list[tuple[Member, list[str]]] = field(default_factory=list)  # counted both times, record changed since
    more: int = 0  # members beyond those listed

    @property
    def any(self) -> bool:
        return bool(self.cells or self.joined or self.gone or self.edited)


LISTED = 100


def changes(user: Any, submission: Submission) -> Changes:
    """The cells whose live value differs from the submitted one, and the members that explain it:
    those who joined or left the report date's roll since (a late transfer, a corrected date), and
    those counted both times whose record was corrected after the submission (gender, birth date,
    education… move them between cells)."""
    report = engine.compute(submission.organization, submission.day)
    cells = [
        (key, submission.figures.get(key, 0), report.value(key))
        for key in report.figures
        if submission.figures.get(key, 0) != report.value(key)
    ]
    then = set(unpack_ids(submission.roll))
    now = set(engine.subject_ids(report.form, ROLL_CELL, submission.organization, submission.day))
    visible = scope.scoped(user, Member.objects.all()).select_related("organization")
    joined_ids, gone_ids = sorted(now - then), sorted(then - now)
    result = Changes(cells=cells)
    result.joined = list(visible.filter(pk__in=joined_ids[:LISTED]))
    # Only the members the user may see are named (one who left may now be outside the scope).
    result.gone = list(visible.filter(pk__in=gone_ids[:LISTED]))
    result.more = len(joined_ids) - len(result.joined) + len(gone_ids) - len(result.gone)
    result.edited = _edited_since(visible, then & now, submission.submitted_at)
    return result


FIELDS = ("gender", "ethnicity", "birth_date", "education", "occupation", "joined_date", "regularized_date", "category")


def _edited_since(members: Any, ids: set[int], since: dt.datetime) -> list[tuple[Member, list[str]]]:
    """Members whose counted fields changed after ``since`` (their history rows say so)."""
    history = Member.history.model
    changed = history.objects.filter(history_date__gt=since, history_type="~").values_list("id", flat=True).distinct()
    candidates = [pk for pk in changed if pk in ids][:LISTED]
    edited = []
    for member in members.filter(pk__in=candidates):
        before = history.objects.filter(id=member.pk, history_date__lte=since).order_by("-history_date").first()
        if before is None:
            continue
        labels = [
            str(getattr(Member._meta.get_field(name), "verbose_name", name))
            for name in FIELDS
            if getattr(before, name) != getattr(member, name)
        ]
        if labels:
            edited.append((member, labels))
    return edited
