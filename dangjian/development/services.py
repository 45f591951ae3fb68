"""Every change to a development file (发展党员). Each takes the acting user, checks scope, applies
the rule table and the rules of ``rules.py``, and writes in one transaction (``@service``), or
raises DomainError and writes nothing. Each step also goes into the one approval log
(approvals.services.record_step)."""

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
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
from dangjian.discipline.queries import probation_discipline_q, under_probation_discipline
from dangjian.members import services as member_services
from dangjian.members.models import (
    Category,
    LeftReason,
    Member,
    MembershipPeriod,
    PartyGroup,
    Status,
    StatusPeriod,
)
from dangjian.members.rules import gender_of
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Organization

from . import rules
from .models import (
    ActorRole,
    Applicant,
    Assessment,
    AssessmentKind,
    BranchVote,
    Document,
    DocumentKind,
    FileStatus,
    IntervalRule,
    Publicity,
    Quota,
    StepActor,
    StepRecord,
)

WORKFLOW = "发展党员"
DOCUMENT_TYPES = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx"})
DOCUMENT_MAX_BYTES = 20 * 2**20
OUTCOMES = {"regularize": "按期转正", "extend": "延长预备期", "cancel": "取消预备党员资格"}
# Who may vote at the branch meeting, by 党籍状态 on the meeting date (RULES.md §1.3): 停止党籍
# takes the rights away; 预备党员 are left out by their category, members under 留党察看 by their
# sanction (dangjian.discipline); the branch may leave out others with ``excluded``, with a reason.
VOTING_STATUSES = (Status.NORMAL, Status.MOBILE, Status.LOST_CONTACT, Status.ABROAD)
DISCIPLINED = "留党察看期间，没有表决权"
GROUPING = 19  # 编入党支部和党小组
# The upper committee may refuse the pre-review or the admission (the file then ends), and the
# branch's resolution on the regularization (党章第七条: conversion, extension and cancellation each
# need the branch's vote and the higher approval): the file then goes back to the branch, which
# discusses again (steps 23–24 in a new round). The steps are those recording ``Record.REJECT``.
REJECTABLE = rules.REJECTABLE
OPEN_STATUSES = (FileStatus.OPEN, FileStatus.PROBATION, FileStatus.REGULARIZED)


def _writer(actor: Any, action: str) -> scope.Acting:
    return scope.require_role(actor, lambda role: role.writes_members, action)


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


def active_rules(to_step: int) -> list[rules.Interval]:
    return [row.as_rule() for row in IntervalRule.objects.filter(to_step=to_step, active=True)]


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


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _apply(
    rule: rules.Interval,
    start: dt.date,
    end: dt.date,
    errors: ErrorCollector,
    warnings: list[str],
    field: str = "date",
) -> None:
    if problem := rules.interval_problem(rule, start, end):
        if rule.blocking:
            errors.add(field, problem)
        else:
            warnings.append(problem)


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


def ship_default_rules(using: str = "default", apps: Any = None, **_: Any) -> None:
    """The rows of ``rules.DEFAULT_INTERVALS`` missing from the rule table, put back; a row that is
    there (maybe edited by the county) is left as it is. Migrations 0002 and 0004 ship the rows;
    this runs after every ``migrate`` and after a flush (Django's post_migrate), so a database
    whose rows were flushed away (a transactional test) has its rule table again. ``apps``: the
    migrated state (a database migrated back to before the table, or its columns, is left alone)."""
    try:
        model = apps.get_model("development", "IntervalRule") if apps is not None else IntervalRule
    except LookupError:
        return
    columns = {"code", "kind", "from_step", "to_step", "at_least", "amount", "unit", "blocking", "source"}
    if not columns <= {f.name for f in model._meta.get_fields()}:
        return
    model.objects.using(using).bulk_create(
        [model(**{name: getattr(rule, name) for name in columns}) for rule in rules.DEFAULT_INTERVALS],
        ignore_conflicts=True,  # on the unique code: the county's edits stay
    )


def dates_of(applicant: Applicant) -> dict[int, dt.date]:
    """Each step's date; for a step done in several rounds (after an extension or a refused
    regularization), the latest one."""
    return {r.step: r.date for r in applicant.steps.order_by("round")}


def _full_members_with_rights(branch: Organization, on: dt.date) -> QuerySet[Member]:
    """The branch's members on ``on`` (membership periods), 正式 that day (regularized on or before
    it) and with a 党籍状态 that keeps the vote."""
    there = MembershipPeriod.objects.filter(organization=branch, start__lte=on).filter(
        Q(end__isnull=True) | Q(end__gt=on)
    )
    voting = StatusPeriod.objects.filter(start__lte=on, status__in=VOTING_STATUSES).filter(
        Q(end__isnull=True) | Q(end__gt=on)
    )
    return Member.objects.filter(
        pk__in=there.values("member"),
        deleted_at__isnull=True,
        regularized_date__isnull=False,
        regularized_date__lte=on,
    ).filter(pk__in=voting.values("member"))


def expected_voters(branch: Organization, on: dt.date) -> QuerySet[Member]:
    """应到会有表决权的正式党员 on the meeting date: the branch's full members with a voting 党籍状态
    that day, less those under 留党察看 that day (no 表决权 during it, RULES.md §1.3 and §6.1)."""
    return _full_members_with_rights(branch, on).exclude(probation_discipline_q(on))


def under_discipline_on(branch: Organization, on: dt.date) -> QuerySet[Member]:
    """The branch's full members who would vote on ``on`` but for a 留党察看 in force that day."""
    return _full_members_with_rights(branch, on).filter(probation_discipline_q(on))


def _facts(person: Member, branch: Organization, on: dt.date) -> rules.PartyMemberFacts:
    status = person.status_periods.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gt=on)).first()
    return rules.PartyMemberFacts(
        name=person.name,
        is_full_member=person.regularized_date is not None and person.regularized_date <= on,
        in_branch=person.deleted_at is None and person.org_path.startswith(branch.path),
        on_roll=status is not None and status.status in (Status.NORMAL, Status.MOBILE),
        under_probation_discipline=bool(under_probation_discipline([person.pk], on)),
    )


def _check_people(
    actor: Any, people: Iterable[Member], applicant: Applicant, on: dt.date, errors: ErrorCollector, field_: str
) -> list[rules.PartyMemberFacts]:
    facts = []
    for person in people:
        if not scope.is_in_scope(actor, person):
            errors.add(field_, "所选党员不存在或不在您的管理范围内")
            continue
        facts.append(_facts(person, applicant.organization, on))
    return facts


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


def _sync_with_member(applicant: Applicant) -> None:
    member = applicant.member
    if member is not None and member.organization_id != applicant.organization_id:
        applicant.organization, applicant.org_path = member.organization, member.org_path
        applicant.save(update_fields=["organization", "org_path", "updated_at"])


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


def _vote(applicant: Applicant, date: dt.date, data: StepInput, errors: ErrorCollector) -> BranchVote | None:
    counts = dict(data.vote or {})
    if not counts:
        errors.add("vote", "请填写支部大会的到会和表决人数")
        return None
    voters = {m.pk: m for m in expected_voters(applicant.organization, date)}
    disciplined = list(under_discipline_on(applicant.organization, date))
    excluded = []
    for pk, reason in data.excluded.items():
        if named := next((m for m in disciplined if m.pk == pk), None):
            errors.add("excluded", f"{named.name}在会议当日处于留党察看期间，没有表决权，已不计入应到会人数")
        elif pk not in voters:
            errors.add("excluded", "不计入应到会人数的党员应是会议当日本支部有表决权的正式党员")
        elif not reason.strip():
            errors.add("excluded", f"请写明{voters[pk].name}不计入应到会人数的理由")
        else:
            excluded.append({"member": pk, "name": voters[pk].name, "reason": reason.strip()})
    try:
        ballot = rules.Ballot(expected=len(voters) - len(excluded), **{k: int(v) for k, v in counts.items()})
    except (TypeError, ValueError):
        errors.add("vote", "表决人数填写不完整或不是整数")
        return None
    result = rules.tally(ballot)
    if refusal := rules.vote_refusal(result):
        errors.add("vote", refusal)
        return None
    # Kept with the vote so the minutes show who was left out and why, the rule's ones too.
    excluded += [{"member": m.pk, "name": m.name, "reason": DISCIPLINED, "rule": True} for m in disciplined]
    return BranchVote(
        expected=ballot.expected,
        present=ballot.present,
        yes=ballot.yes,
        no=ballot.no,
        abstain=ballot.abstain,
        written_yes=ballot.written_yes,
        written_no=ballot.written_no,
        written_abstain=ballot.written_abstain,
        excluded=excluded,
        arithmetic=result.arithmetic[:300],
    )


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


def _log(
    actor: Any,
    applicant: Applicant,
    record: StepRecord,
    organization: Organization,
    *,
    reject: bool = False,
    reason: str = "",
    text: str = "",
) -> None:
    """The step in the approval log; ``text`` replaces the reason (the note, else ``reason``)."""
    decision = Decision.REJECT if reject else Decision.PASS if record.step in rules.APPROVAL_STEPS else Decision.RECORD
    record_step(
        actor=actor,
        target=applicant,
        workflow=WORKFLOW,
        step=rules.step_name(record.step)[:30],
        decision=decision,
        organization=organization,
        reason=text or record.note or reason,
    )


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
    return Assessment.objects.create(
        applicant=applicant, kind=kind, date=date, note=note.strip()[:500], created_by=_user(actor)
    )


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
    return applicant


def follow_member(member: Member) -> None:
    """Hook for the transfers app: after a member's organization relation moved, the member's
    development file (a 预备党员's) moves with it. Runs inside the caller's transaction."""
    applicant = Applicant.objects.select_for_update().filter(member=member).first()
    if applicant is not None:
        _sync_with_member(applicant)


@service
def set_rule(*, actor: Any, rule: IntervalRule, amount: int, blocking: bool, active: bool, source: str) -> IntervalRule:
    """The county (an 组织部管理员 acting from the top of the tree) edits a row of the rule table.
    ``source`` is what the rule's messages cite (《中国共产党发展党员工作细则》第十三条, 本县规定);
    left blank, they cite nothing."""
    acting = scope.require_role(actor, lambda role: role.writes_organizations, "修改发展党员时限规则")
    if acting.organization.depth != 1:
        raise PermissionDenied("发展党员时限规则由县级组织部统一设置")
    errors = ErrorCollector()
    if amount < 1:
        errors.add("amount", "数量应为正整数")
    errors.raise_if_any()
    rule = IntervalRule.objects.select_for_update().get(pk=rule.pk)
    rule.amount, rule.blocking, rule.active, rule.source = amount, blocking, active, source.strip()[:200]
    rule.save()
    return rule


# --- Annual development plan (发展党员计划) ---------------------------------------------------


@service
def set_quota(*, actor: Any, organization: Organization, year: int, amount: int) -> Quota:
    """The county sets its own yearly quota; any other level is given its quota by a level above
    that holds one: not more than that level has left, and only inside its own subtree."""
    acting = scope.require_role(actor, lambda role: role.writes_organizations, "下达发展党员计划")
    giver = acting.organization
    errors = ErrorCollector()
    if amount < 0:
        errors.add("amount", "计划名额不能为负数")
    try:
        organization = scope.get_scoped_or_404(actor, Organization.objects.all(), to_write=True, pk=organization.pk)
    except Http404:
        raise DomainError({"organization": "只能向本组织及下级组织下达计划"}) from None
    if organization.pk == giver.pk:
        if giver.depth != 1:
            raise DomainError({"organization": "本级的计划由上级下达"})
        Quota.objects.update_or_create(
            organization=giver, year=year, defaults={"amount": amount, "org_path": giver.path, "given_by": None}
        )
        return Quota.objects.get(organization=giver, year=year)
    held = Quota.objects.select_for_update().filter(organization=giver, year=year).first()
    if held is None:
        errors.add("amount", f"本组织尚无{year}年度发展党员计划，不能向下分配")
    else:
        others = Quota.objects.filter(given_by=giver, year=year).exclude(organization=organization)
        given = sum(q.amount for q in others)
        if given + amount > held.amount:
            errors.add(
                "amount",
                f"分配数超过本组织持有的计划：本组织{year}年度计划{held.amount}名，已分配{given}名，"
                f"最多还能分配{held.amount - given}名",
            )
    errors.raise_if_any()
    Quota.objects.update_or_create(
        organization=organization,
        year=year,
        defaults={"amount": amount, "org_path": organization.path, "given_by": giver},
    )
    return Quota.objects.get(organization=organization, year=year)


def targets_in_year(path: str, year: int) -> int:
    """Applicants of a subtree who reached development target (step 7) in the year."""
    return (
        StepRecord.objects.filter(step=rules.TARGET, date__year=year, applicant__org_path__startswith=path)
        .values("applicant")
        .distinct()
        .count()
    )
