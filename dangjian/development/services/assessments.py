"""The records kept beside the steps: the half-yearly assessments (培养考察 of an activist,
预备期考察 of a probationary member) and the publicity (公示) held before steps 3, 7, 17 and 24;
when the file takes each, and recording them."""

import datetime as dt
from typing import Any

from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import ErrorCollector
from dangjian.core.history import service

from .. import rules
from ..inbox import file_changed
from ..models import Applicant, Assessment, AssessmentKind, FileStatus, Publicity
from .base import OPEN_STATUSES, _user, _writer, dates_of

ASSESSMENT_PERIODS = (
    "培养考察从确定为入党积极分子起、到确定为发展对象止登记；预备期考察从接收为预备党员起、到支部大会讨论转正前登记"
)


def assessment_kind(applicant: Applicant) -> AssessmentKind | None:
    """The assessment the file takes now: 培养考察 from step 3 (确定为入党积极分子) until the
    development target (7), 预备期考察 while a 预备党员 (until the regularization vote of the
    current round); None otherwise. Pages offer the assessment form only then."""
    if applicant.status == FileStatus.PROBATION and applicant.step < rules.REGULARIZATION_VOTE:
        return AssessmentKind.PROBATION
    if rules.ACTIVIST <= applicant.step < rules.TARGET:
        return AssessmentKind.ACTIVIST
    return None


def publicity_open(applicant: Applicant) -> list[int]:
    """The publicity items (by the step each precedes) the file may record now: begun after the
    step that opens it (``rules.PUBLICITY_AFTER``), before the step it precedes. Pages offer
    only these."""
    if applicant.status not in OPEN_STATUSES:
        return []
    return [step for step, after in rules.PUBLICITY_AFTER.items() if after <= applicant.step < step]


@service
def record_assessment(*, actor: Any, applicant: Applicant, date: dt.date, note: str) -> Assessment:
    """The half-yearly assessment (每半年一次): of an activist (培养考察, from step 3 until the
    development target), or of a probationary member (预备期考察, step 21 继续教育考察: from the
    admission's approval until the regularization vote of the current round, an extended
    probation included). The kind follows from where the file stands."""
    _writer(actor, "登记考察")
    applicant = scope.get_scoped_or_404(actor, Applicant.objects.select_for_update(), to_write=True, pk=applicant.pk)
    errors = ErrorCollector()
    kind = assessment_kind(applicant)
    if kind == AssessmentKind.PROBATION:
        assert applicant.member is not None
        joined = applicant.member.joined_date
        if date < joined:
            errors.add("date", f"预备期从支部大会通过之日{joined:%Y-%m-%d}算起，考察日期不能早于该日")
    elif kind is None:
        errors.add("date", ASSESSMENT_PERIODS)
    elif date < (activist := dates_of(applicant)[rules.ACTIVIST]):
        errors.add("date", f"考察日期不能早于确定为入党积极分子的日期{activist:%Y-%m-%d}")
    if date > timezone.localdate():
        errors.add("date", "考察日期不能晚于今天")
    if not note.strip():
        errors.add("note", "请填写考察意见")
    errors.raise_if_any()
    assert kind is not None
    assessment = Assessment.objects.create(
        applicant=applicant, kind=kind, date=date, note=note.strip()[:500], created_by=_user(actor)
    )
    file_changed(applicant)
    return assessment


@service
def record_publicity(
    *, actor: Any, applicant: Applicant, step: int, start: dt.date, end: dt.date, result: str
) -> Publicity:
    """公示: the publicity held before step 3, 7, 17 or 24, with its dates and result. It may begin
    on or after the step that opens it (``rules.PUBLICITY_AFTER``) and is recorded once it is over,
    before the step it precedes; the rule table's publicity rows check it at that step."""
    _writer(actor, "登记公示")
    applicant = scope.get_scoped_or_404(actor, Applicant.objects.select_for_update(), to_write=True, pk=applicant.pk)
    errors = ErrorCollector()
    after = rules.PUBLICITY_AFTER.get(step)
    if applicant.status not in OPEN_STATUSES:
        errors.add("step", f"该档案{applicant.get_status_display()}，不能再登记公示")
    elif after is None:
        errors.add("step", "公示事项应为确定入党积极分子、确定发展对象、接收预备党员或预备党员转正")
    elif step not in publicity_open(applicant):
        errors.add(
            "step",
            f"该公示应在第{after}步“{rules.step_name(after)}”之后、第{step}步“{rules.step_name(step)}”之前登记，"
            f"该档案已办理至第{applicant.step}步",
        )
    else:
        opened = dates_of(applicant)[after]
        if start < opened:
            errors.add("start", f"公示开始日期不能早于“{rules.step_name(after)}”的日期{opened:%Y-%m-%d}")
    if end < start:
        errors.add("end", "公示结束日期不能早于开始日期")
    if end > timezone.localdate():
        errors.add("end", "公示结束后登记公示结果：结束日期不能晚于今天")
    if not result.strip():
        errors.add("result", "请填写公示结果（有无反映问题及核实处理情况）")
    errors.raise_if_any()
    return Publicity.objects.create(
        applicant=applicant,
        step=step,
        round=applicant.round,
        start=start,
        end=end,
        result=result.strip()[:500],
        created_by=_user(actor),
    )
