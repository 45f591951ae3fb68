"""Entering a step of a development file (``enter_step``): what a step may carry
(``StepInput``) and what of it each step records, who enters which step (the branch, or the
upper committee for its own steps) and why someone may not (``step_refusal``), the step's own
rules (talkers, contacts, introducers, review, training, regularization), the upper committee's
refusal, and what a step sets off (the 预备党员 registered, regularized, extended or cancelled)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.members import services as member_services
from dangjian.members.models import Category, LeftReason, Member, PartyGroup, Status
from dangjian.orgs.models import Organization

from .. import rules
from ..inbox import file_changed
from ..models import ActorRole, Applicant, AssessmentKind, FileStatus, StepActor, StepRecord
from .base import (
    GROUPING,
    OPEN_STATUSES,
    OUTCOMES,
    REJECTABLE,
    _check_people,
    _log,
    _sync_with_member,
    _user,
    _writer,
    dates_of,
)
from .intervals import _apply, active_rules
from .votes import _vote


@dataclass
class StepInput:
    """What a step may carry besides its date; each step reads what it needs."""

    note: str = ""
    talkers: Sequence[Member] = ()
    contacts: Sequence[Member] = ()
    introducers: Sequence[Member] = ()
    training_days: int | None = None
    training_hours: int | None = None
    review_passed: bool | None = None
    vote: Mapping[str, int] | None = None
    excluded: Mapping[int, str] = field(default_factory=dict)  # member id → why not expected to vote
    outcome: str = ""  # step 23: regularize / extend / cancel
    extension_months: int | None = None
    reject: bool = False  # steps 13, 17, 24: the upper committee does not agree (note says why)
    party_group: PartyGroup | None = None  # step 19: 编入党小组


def _entering(actor: Any, applicant: Applicant, step: int) -> Organization:
    """The organization that enters ``step`` of the file: the branch for its own steps; for the
    upper committee's (``rules.UPPER_STEPS``: 4, 8, 13, 16, 17, 18, 24) the organization above the
    branch an 组织部/党委管理员 acts from. PermissionDenied for anyone else."""
    if step not in rules.UPPER_STEPS:
        return applicant.organization
    acting = scope.acting(actor)
    if acting is not None and acting.allows(lambda role: role.writes_organizations):
        above = acting.organization
        if above.path != applicant.org_path and applicant.org_path.startswith(above.path):
            return above
    raise PermissionDenied(f"第{step}步“{rules.step_name(step)}”须由上级党委办理，党支部不能自行录入")


def step_refusal(actor: Any, applicant: Applicant, step: int) -> str | None:
    """Why ``actor`` may not enter ``step`` of the file, in the words ``enter_step`` would refuse
    with; None when their role and place allow it. Pages offer a step only then. The step's rules
    (dates, people, votes) are checked when it is entered."""
    try:
        _writer(actor, "办理发展党员")
        _entering(actor, applicant, step)
    except PermissionDenied as error:
        return str(error)
    return None


def _recorded(step: int, data: StepInput) -> StepInput:
    """What of ``data`` the step records (``rules.STEPS``); the rest is dropped, so a step keeps
    its own fields only, however they came (a 谈话 keeps no 政审结论 nor 培训学时)."""
    info = rules.step_info(step)
    return replace(
        data,
        talkers=data.talkers if info.people == rules.Record.TALKERS else (),
        contacts=data.contacts if info.people == rules.Record.CONTACTS else (),
        introducers=data.introducers if info.people == rules.Record.INTRODUCERS else (),
        training_days=data.training_days if rules.Record.TRAINING in info.records else None,
        training_hours=data.training_hours if rules.Record.TRAINING in info.records else None,
        review_passed=data.review_passed if rules.Record.REVIEW in info.records else None,
    )


@dataclass(frozen=True)
class StepResult:
    record: StepRecord
    warnings: list[str]


@service
def enter_step(
    *, actor: Any, applicant: Applicant, step: int, date: dt.date, data: StepInput | None = None
) -> StepResult:
    """Record the next step of the file on ``date``. Steps come in order (no skipping, none twice);
    every active rule of the table whose checked step is ``step`` applies (blocking: refused with
    the rule's text; advisory: recorded as a warning), then the step's own rules. Step 17 makes
    the person a 预备党员 of the branch; step 24 regularizes, extends or cancels."""
    _writer(actor, "办理发展党员")
    data = data or StepInput()
    applicant = scope.get_scoped_or_404(actor, Applicant.objects.select_for_update(), to_write=True, pk=applicant.pk)
    _sync_with_member(applicant)
    if applicant.status not in OPEN_STATUSES:
        raise DomainError({"step": f"该档案{applicant.get_status_display()}，不能再办理"})
    expected = applicant.step + 1
    if step != expected:
        following = f"下一步应为第{expected}步“{rules.step_name(expected)}”"
        if step <= applicant.step:
            raise DomainError({"step": f"第{step}步“{rules.step_name(step)}”已办理，{following}"})
        raise DomainError({"step": f"发展党员须按步骤办理，不能跳过：{following}，不能直接办理第{step}步"})
    organization = _entering(actor, applicant, step)
    data = _recorded(step, data)
    errors = ErrorCollector()
    warnings: list[str] = []
    today = timezone.localdate()
    dates = dates_of(applicant)
    latest = applicant.steps.order_by("-date").first()
    assert latest is not None
    if date > today:
        errors.add("date", "日期不能晚于今天")
    if date < latest.date:
        errors.add("date", f"日期不能早于已办理的“{rules.step_name(latest.step)}”的日期{latest.date:%Y-%m-%d}")
    errors.raise_if_any()  # the rules below compute from the date: only from a plausible one
    round_ = applicant.round
    outcome = data.outcome
    if step == rules.REGULARIZATION_APPROVAL:
        outcome = applicant.steps.get(step=rules.REGULARIZATION_VOTE, round=round_).outcome
    for rule in active_rules(step):
        start = applicant.birth_date if rule.from_step == rules.BIRTH else dates.get(rule.from_step)
        if start is None:
            continue
        if outcome == "cancel" and rule.at_least:
            continue  # cancelling probation may come at any time during it
        if rule.kind == rules.PUBLICITY:
            # 拟转正公示: before approving a regularization, not an extension or a refusal.
            if not data.reject and (step != rules.REGULARIZATION_APPROVAL or outcome == "regularize"):
                periods = applicant.publicity.filter(step=rule.to_step).values_list("start", "end")
                if (problem := rules.publicity_problem(rule, start, date, periods)) and rule.blocking:
                    errors.add("date", problem)
                elif problem:
                    warnings.append(problem)
            continue
        _apply(rule, start, date, errors, warnings)
    people: dict[str, list[Member]] = {}
    if data.reject and step not in REJECTABLE:
        errors.add("reject", "只有上级党委的预审、接收预备党员的审批和预备党员转正的审批可以不同意")
    elif data.reject and not data.note.strip():
        errors.add("note", "上级党委不同意时，请写明理由")
    if not data.reject:
        _step_rules(actor, applicant, step, date, data, outcome, dates, errors, people)
        if step == rules.REGULARIZATION_VOTE and outcome in ("regularize", "extend") and applicant.member:
            # 预备期考察: advisory (RULES.md gives no hard rule for probation), kept on the step.
            end = rules.probation_end(applicant.member.joined_date, applicant.extension_months)
            assessed = applicant.assessments.filter(kind=AssessmentKind.PROBATION).values_list("date", flat=True)
            if problem := rules.probation_assessments_problem(applicant.member.joined_date, end, date, assessed):
                warnings.append(problem)
    vote = None
    if step in (rules.ADMISSION_VOTE, rules.REGULARIZATION_VOTE) and not errors:
        vote = _vote(applicant, date, data, errors)
    errors.raise_if_any()

    record = StepRecord.objects.create(
        applicant=applicant,
        step=step,
        round=round_,
        date=date,
        organization=organization,
        note=data.note.strip()[:500],
        outcome=outcome if step in (rules.REGULARIZATION_VOTE, rules.REGULARIZATION_APPROVAL) else "",
        training_days=data.training_days,
        training_hours=data.training_hours,
        review_passed=data.review_passed,
        refused=data.reject,
        warnings=warnings,
        created_by=_user(actor),
    )
    if step == rules.REGULARIZATION_VOTE and outcome == "extend":
        applicant.extension_months = data.extension_months or 0  # kept now, applied on approval
    for role, members in people.items():
        StepActor.objects.bulk_create(StepActor(record=record, member=m, role=role) for m in members)
    if vote is not None:
        vote.record = record
        vote.save()
    returned = data.reject and step == rules.REGULARIZATION_APPROVAL
    _log(
        actor,
        applicant,
        record,
        organization,
        reject=data.reject,
        reason=vote.arithmetic if vote else "",
        text=f"不同意支部大会“{OUTCOMES[outcome]}”的决议，退回党支部重新讨论：{record.note}" if returned else "",
    )
    applicant.step = step
    if returned:
        # Nothing of the resolution takes effect (the member record is untouched); the branch
        # discusses again: the next step is a new 23, in a new round, and an extension that was
        # refused is no longer pending.
        applicant.round = round_ + 1
        applicant.step = rules.REGULARIZATION_VOTE - 1
        if outcome == "extend":
            applicant.extension_months = 0
    elif data.reject:
        applicant.status = FileStatus.CLOSED
    else:
        _effects(actor, applicant, step, date, outcome, dates, data)
    applicant.save()
    file_changed(applicant)
    return StepResult(record, warnings)


def _step_rules(
    actor: Any,
    applicant: Applicant,
    step: int,
    date: dt.date,
    data: StepInput,
    outcome: str,
    dates: dict[int, dt.date],
    errors: ErrorCollector,
    people: dict[str, list[Member]],
) -> None:
    if step in (rules.TALK, 16):
        if not data.talkers:
            errors.add("talkers", "请选择谈话人")
        _check_people(actor, data.talkers, applicant, date, errors, "talkers")
        people[ActorRole.TALKER] = list(data.talkers)
    elif step == rules.CONTACTS:
        facts = _check_people(actor, data.contacts, applicant, date, errors, "contacts")
        for message in rules.contact_problems(facts):
            errors.add("contacts", message)
        people[ActorRole.CONTACT] = list(data.contacts)
    elif step == rules.TARGET:
        assessed = applicant.assessments.values_list("date", flat=True)
        if problem := rules.assessments_problem(dates[rules.ACTIVIST], date, assessed):
            errors.add("date", problem)
    elif step == rules.INTRODUCERS:
        facts = _check_people(actor, data.introducers, applicant, date, errors, "introducers")
        for message in rules.introducer_problems(facts):
            errors.add("introducers", message)
        people[ActorRole.INTRODUCER] = list(data.introducers)
    elif step == rules.POLITICAL_REVIEW:
        if data.review_passed is None:
            errors.add("review_passed", "政治审查须形成结论（《中国共产党发展党员工作细则》第十八条），请填写政审结论")
        elif not data.review_passed:
            errors.add("review_passed", "政治审查不合格的，不能发展入党（《中国共产党发展党员工作细则》第十八条）")
    elif step == rules.TRAINING:
        if problem := rules.training_problem(data.training_days, data.training_hours):
            errors.add("training_hours", problem)
    elif step == 12:
        review = applicant.steps.filter(step=rules.POLITICAL_REVIEW).first()
        if review is None or not review.review_passed:
            errors.add("step", "未经政治审查或政治审查不合格的，不能发展入党（《中国共产党发展党员工作细则》第十八条）")
    elif step == rules.PRE_REVIEW:
        if problem := rules.leaving_problem(date, applicant.leaving_date):
            errors.add("date", problem)
    elif step == rules.REGULARIZATION_VOTE:
        if outcome not in OUTCOMES:
            errors.add("outcome", "请选择支部大会讨论结果：按期转正、延长预备期或取消预备党员资格")
        elif outcome == "extend":
            extended = applicant.steps.filter(
                step=rules.REGULARIZATION_APPROVAL, outcome="extend", refused=False
            ).exists()  # an approved extension (a refused one does not count)
            if problem := rules.extension_problem(data.extension_months, extended):
                errors.add("extension_months", problem)
        elif outcome == "regularize":
            assert applicant.member is not None
            end = rules.probation_end(applicant.member.joined_date, applicant.extension_months)
            if date < end and not errors.errors.get("date"):  # the rule table's 预备期一年 says it already
                errors.add("date", f"预备期至{end:%Y-%m-%d}届满，届满前不能讨论转正（《中国共产党章程》第七条）")
    elif step == GROUPING and data.party_group is not None:
        group = data.party_group
        if group.organization_id != applicant.organization_id or group.dissolved_date is not None:
            errors.add("party_group", f"党小组“{group.name}”不是“{applicant.organization.name}”的现有党小组")
    elif step == rules.ARCHIVE and applicant.status != FileStatus.REGULARIZED:
        errors.add("step", "只有已转正的档案才能归档")


def _effects(
    actor: Any, applicant: Applicant, step: int, date: dt.date, outcome: str, dates: dict[int, dt.date], data: StepInput
) -> None:
    if step == rules.ADMISSION_APPROVAL:
        joined = dates[rules.ADMISSION_VOTE]  # 党籍 from the day the 支部大会 passed the admission
        try:
            member = member_services.create_member(
                actor=actor,
                organization=applicant.organization,
                name=applicant.name,
                id_number=applicant.id_number,
                gender=applicant.gender,
                ethnicity=applicant.ethnicity,
                education=applicant.education,
                occupation=applicant.occupation,
                job=applicant.job,
                category=Category.PROBATIONARY,
                joined_date=joined,
            )
        except DomainError as error:
            raise DomainError({"step": "不能登记为预备党员：" + str(error)}) from None
        applicant.member = member
        applicant.status = FileStatus.PROBATION
    elif step == rules.REGULARIZATION_APPROVAL:
        probationer = applicant.member
        assert probationer is not None
        if outcome == "regularize":
            end = rules.probation_end(probationer.joined_date, applicant.extension_months)
            member_services.update_member(actor=actor, member=probationer, category=Category.FULL, regularized_date=end)
            applicant.status = FileStatus.REGULARIZED
        elif outcome == "extend":
            applicant.round += 1  # steps 22–24 again, in the next round
            applicant.step = rules.REGULARIZATION_APPLICATION - 1  # next: a new 转正申请 at the new end
        else:
            member_services.change_status(
                actor=actor,
                member=probationer,
                status=Status.LEFT,
                date=date,
                reason="支部大会决定、上级党委批准取消预备党员资格",
                left_reason=LeftReason.PROBATION_CANCELLED,
            )
            applicant.status = FileStatus.CANCELLED
    elif step == GROUPING and data.party_group is not None and applicant.member is not None:
        group = data.party_group
        current = list(group.members.values_list("pk", flat=True))
        member_services.update_party_group(actor=actor, group=group, member_ids=[*current, applicant.member.pk])
    elif step == rules.ARCHIVE:
        applicant.status = FileStatus.ARCHIVED
