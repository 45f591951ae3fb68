"""Rules of member development (发展党员, RULES.md §1). Pure functions: no database.

The intervals between steps are data (``IntervalRule`` rows, edited by the county); this module
checks one interval with calendar arithmetic (``core.dates``: one year from 2023-03-01 is
2024-03-01, three months from 31 March is 30 June) and holds the rules that are not intervals:
half-yearly assessments (of the activist, and of the probationary member), introducers, political
review, training, leaving the unit, extension of probation and the branch-meeting vote arithmetic
(RULES.md §1.3). Publicity (公示) rows of the same table count working days: Monday to Friday,
without a holiday calendar.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from dangjian.core.dates import add_months, add_years


class Stage(StrEnum):
    APPLICATION = "一、申请入党"
    ACTIVIST = "二、入党积极分子的确定和培养教育"
    CANDIDATE = "三、发展对象的确定和考察"
    ADMISSION = "四、预备党员的接收"
    PROBATION = "五、预备党员的教育考察和转正"


class Record(StrEnum):
    """What a step records besides its date and 情况说明; the values are ``StepInput``'s names.
    Each step's set (``StepInfo.records``) decides what its form shows and what is kept."""

    TALKERS = "talkers"  # 谈话人
    CONTACTS = "contacts"  # 培养联系人
    INTRODUCERS = "introducers"  # 入党介绍人
    TRAINING = "training"  # 集中培训天数、学时
    REVIEW = "review_passed"  # 政审结论
    VOTE = "vote"  # 支部大会的到会和表决人数、不计入应到会人数的党员
    OUTCOME = "outcome"  # 转正讨论结果
    EXTENSION = "extension_months"  # 延长预备期
    PARTY_GROUP = "party_group"  # 编入党小组
    REJECT = "reject"  # 上级党委不同意


PEOPLE = (Record.TALKERS, Record.CONTACTS, Record.INTRODUCERS)  # the members a step names


@dataclass(frozen=True)
class StepInfo:
    number: int
    stage: Stage
    name: str
    records: frozenset[Record] = frozenset()

    @property
    def people(self) -> Record | None:
        """The role of the members this step names (谈话人, 培养联系人, 入党介绍人), if any."""
        return next((r for r in PEOPLE if r in self.records), None)


def _records(*names: Record) -> frozenset[Record]:
    return frozenset(names)


# RULES.md §1.2: the 25 steps of the 中组部 flow chart, in order, with what each records. The
# upper committee may refuse the pre-review, the admission and the branch's resolution on the
# regularization (党章第七条: conversion, extension and cancellation each need the higher approval).
STEPS: tuple[StepInfo, ...] = tuple(
    StepInfo(number, stage, name, records)
    for number, (stage, name, records) in enumerate(
        [
            (Stage.APPLICATION, "递交入党申请书", _records()),
            (Stage.APPLICATION, "党组织派人谈话", _records(Record.TALKERS)),
            (Stage.ACTIVIST, "推荐和确定入党积极分子", _records()),
            (Stage.ACTIVIST, "上级党委备案", _records()),
            (Stage.ACTIVIST, "指定培养联系人", _records(Record.CONTACTS)),
            (Stage.ACTIVIST, "培养教育考察", _records()),
            (Stage.CANDIDATE, "确定发展对象", _records()),
            (Stage.CANDIDATE, "报上级党委备案", _records()),
            (Stage.CANDIDATE, "确定入党介绍人", _records(Record.INTRODUCERS)),
            (Stage.CANDIDATE, "进行政治审查", _records(Record.REVIEW)),
            (Stage.CANDIDATE, "开展集中培训", _records(Record.TRAINING)),
            (Stage.ADMISSION, "支部委员会审查", _records()),
            (Stage.ADMISSION, "上级党委预审", _records(Record.REJECT)),
            (Stage.ADMISSION, "填写入党志愿书", _records()),
            (Stage.ADMISSION, "支部大会讨论", _records(Record.VOTE)),
            (Stage.ADMISSION, "上级党委派人谈话", _records(Record.TALKERS)),
            (Stage.ADMISSION, "上级党委审批", _records(Record.REJECT)),
            (Stage.ADMISSION, "再上一级党委组织部门备案", _records()),
            (Stage.PROBATION, "编入党支部和党小组", _records(Record.PARTY_GROUP)),
            (Stage.PROBATION, "入党宣誓", _records()),
            (Stage.PROBATION, "继续教育考察", _records()),
            (Stage.PROBATION, "提出转正申请", _records()),
            (Stage.PROBATION, "支部大会讨论", _records(Record.VOTE, Record.OUTCOME, Record.EXTENSION)),
            (Stage.PROBATION, "上级党委审批", _records(Record.REJECT)),
            (Stage.PROBATION, "材料归档", _records()),
        ],
        start=1,
    )
)
STEP_CHOICES = [(s.number, f"{s.number}. {s.name}") for s in STEPS]
BIRTH = 0  # the "from" of the age rule: the person's birth date

# Steps with a role of their own.
APPLICATION, TALK, ACTIVIST, CONTACTS, EDUCATION, TARGET, INTRODUCERS = 1, 2, 3, 5, 6, 7, 9
POLITICAL_REVIEW, TRAINING, PRE_REVIEW, ADMISSION_VOTE, ADMISSION_APPROVAL = 10, 11, 13, 15, 17
REGULARIZATION_APPLICATION, REGULARIZATION_VOTE, REGULARIZATION_APPROVAL, ARCHIVE = 22, 23, 24, 25
# Decided or filed by the upper committee (基层党委 or above): the branch cannot enter them.
UPPER_STEPS = frozenset({4, 8, 13, 16, 17, 18, 24})
# Decisions that go into the one approval log as 通过 (the others as 办理).
APPROVAL_STEPS = frozenset({12, 13, 15, 17, 23, 24})
# The upper committee's decisions that it may refuse (the note says why).
REJECTABLE = frozenset(s.number for s in STEPS if Record.REJECT in s.records)


def step_info(number: int) -> StepInfo:
    return STEPS[number - 1]


def step_name(number: int) -> str:
    if number == BIRTH:
        return "出生"
    return STEPS[number - 1].name


def stage_of(number: int) -> Stage:
    return STEPS[max(number, 1) - 1].stage


class Unit(StrEnum):
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"
    WORKDAYS = "workdays"  # publicity rules only: Monday to Friday


UNIT_LABELS = {Unit.DAYS: "天", Unit.MONTHS: "个月", Unit.YEARS: "年", Unit.WORKDAYS: "个工作日"}
INTERVAL, PUBLICITY = "interval", "publicity"  # the kinds of rule (models.RuleKind)


def add_interval(day: dt.date, amount: int, unit: str) -> dt.date:
    """Calendar arithmetic: months and years by the calendar, never as day counts."""
    if unit == Unit.YEARS:
        return add_years(day, amount)
    if unit == Unit.MONTHS:
        return add_months(day, amount)
    return day + dt.timedelta(days=amount)


@dataclass(frozen=True)
class Interval:
    """One row of the rule table: step ``to_step`` at least / at most ``amount`` ``unit`` after
    ``from_step`` (0: after birth, the age rule)."""

    code: str
    from_step: int
    to_step: int
    at_least: bool
    amount: int
    unit: str
    blocking: bool
    source: str
    kind: str = INTERVAL

    @property
    def cited(self) -> str:
        """The regulation the rule rests on, in brackets; nothing for a rule without one (a local
        rule the county keeps without naming it)."""
        return f"（{self.source}）" if self.source.strip() else ""

    @property
    def text(self) -> str:
        """The rule as an official writes it: ``第7步“确定发展对象”应在第3步“推荐和确定入党积极分子”
        满1年后办理（《中国共产党发展党员工作细则》第十三条）``. The steps carry their numbers: two
        of them share a name (支部大会讨论, 15 and 23)."""
        to = f"第{self.to_step}步“{step_name(self.to_step)}”"
        if self.kind == PUBLICITY:
            where = f"；{self.source}" if self.source.strip() else ""
            return (
                f"{to}前应在一定范围内公示，公示期不少于{self.amount}个工作日"
                f"（按周一至周五计，未扣除法定节假日{where}）"
            )
        if self.from_step == BIRTH:
            return f"{step_name(self.to_step)}时应年满{self.age_text}{self.cited}"
        span = f"{self.amount}{UNIT_LABELS[Unit(self.unit)]}"
        since = f"第{self.from_step}步“{step_name(self.from_step)}”"
        if self.at_least:
            return f"{to}应在{since}满{span}后办理{self.cited}"
        return f"{to}应在{since}后{span}内办理{self.cited}"

    @property
    def age_text(self) -> str:
        return f"{self.amount}周岁" if self.unit == Unit.YEARS else f"{self.amount}{UNIT_LABELS[Unit(self.unit)]}"


def interval_problem(rule: Interval, start: dt.date, end: dt.date) -> str | None:
    """The rule's message with the dates, if ``end`` breaks it; None when it holds.

    At least: the limit day itself is allowed (one year from 2023-03-01: 2024-03-01 is fine,
    2024-02-29 is not). At most: the limit day is the last one allowed."""
    limit = add_interval(start, rule.amount, rule.unit)
    typed = f"所填日期为{end:%Y-%m-%d}"
    if rule.from_step == BIRTH:
        if rule.at_least and end < limit:
            return f"{rule.text}：出生日期为{start:%Y-%m-%d}，{limit:%Y-%m-%d}年满{rule.age_text}，{typed}"
        return None
    dates = f"“{step_name(rule.from_step)}”的日期为{start:%Y-%m-%d}"
    if rule.at_least and end < limit:
        return f"{rule.text}：{dates}，最早可于{limit:%Y-%m-%d}办理，{typed}"
    if not rule.at_least and end > limit:
        return f"{rule.text}：{dates}，最迟应于{limit:%Y-%m-%d}办理，{typed}"
    return None


# The values of RULES.md §1.2, shipped by migration 0002 as the first rows of the table (their
# sources as migration 0005 rewrote them). ``source`` is what a message cites: the regulation and
# its article, or nothing for a local rule (部分地方规定) that rests on no regulation.
DETAILED_RULES = "《中国共产党发展党员工作细则》"
CONSTITUTION = "《中国共产党章程》"
DEFAULT_INTERVALS: tuple[Interval, ...] = (
    # 细则第五条: 年满十八岁
    Interval("age", BIRTH, 1, True, 18, Unit.YEARS, True, f"{DETAILED_RULES}第五条"),
    # 细则第七条: 一个月内派人谈话
    Interval("talk", 1, 2, False, 1, Unit.MONTHS, False, f"{DETAILED_RULES}第七条"),
    # 部分地方规定: 递交申请半年以上方可确定为积极分子
    Interval("activist_wait", 1, 3, True, 6, Unit.MONTHS, False, ""),
    # 细则第十三条: 经过一年以上培养教育
    Interval("target_after_year", 3, 7, True, 1, Unit.YEARS, True, f"{DETAILED_RULES}第十三条"),
    # 部分地方规定: 上级党委一个月内预审
    Interval("pre_review", 12, 13, False, 1, Unit.MONTHS, False, ""),
    # 部分地方规定: 预审后一个月内召开支部大会
    Interval("meeting_after_pre_review", 13, 15, False, 1, Unit.MONTHS, False, ""),
    # 部分地方规定: 政治审查结论一年内有效
    Interval("review_valid", 10, 15, False, 1, Unit.YEARS, False, ""),
    # 细则第二十三条: 三个月内审批，特殊情况可延长，最长不超过六个月
    Interval("approval_3m", 15, 17, False, 3, Unit.MONTHS, False, f"{DETAILED_RULES}第二十三条"),
    Interval("approval_6m", 15, 17, False, 6, Unit.MONTHS, True, f"{DETAILED_RULES}第二十三条"),
    # 党章第七条: 预备期为一年，从支部大会通过之日算起
    Interval("probation_year", 15, 23, True, 1, Unit.YEARS, True, f"{CONSTITUTION}第七条"),
    # 细则第三十三条: 三个月内审批
    Interval("regularization_approval", 23, 24, False, 3, Unit.MONTHS, True, f"{DETAILED_RULES}第三十三条"),
    # 公示 ≥ 5 working days (RULES.md §1.2 derived rules [P]: a local rule, citing nothing):
    # shipped by migration 0004, advisory; the county may make them blocking. ``from_step``: the
    # publicity begins on or after that step's date; it must be over before ``to_step``'s.
    *(
        Interval(f"publicity_{name}", after, before, True, 5, Unit.WORKDAYS, False, "", PUBLICITY)
        for name, after, before in (
            ("activist", 2, 3),  # 确定入党积极分子前公示
            ("target", 6, 7),  # 确定发展对象前公示
            ("admission", 15, 17),  # 支部大会通过后、上级党委审批前公示拟接收的预备党员
            ("regularization", 23, 24),  # 支部大会通过后、上级党委审批前公示拟转正的预备党员
        )
    ),
)


# --- Publicity (公示) ------------------------------------------------------------------------

# The steps a publicity precedes, and where each one may begin (the step whose date opens it).
PUBLICITY_AFTER = {
    ACTIVIST: 2,
    TARGET: 6,
    ADMISSION_APPROVAL: ADMISSION_VOTE,
    REGULARIZATION_APPROVAL: REGULARIZATION_VOTE,
}
PUBLICITY_CHOICES = [
    (ACTIVIST, "拟确定入党积极分子公示"),
    (TARGET, "拟确定发展对象公示"),
    (ADMISSION_APPROVAL, "拟接收预备党员公示"),
    (REGULARIZATION_APPROVAL, "拟转为正式党员公示"),
]


def working_days(start: dt.date, end: dt.date) -> int:
    """Monday to Friday from ``start`` to ``end``, both included. No holiday calendar: a public
    holiday on a weekday counts, a working Saturday (调休) does not."""
    if end < start:
        return 0
    weeks, rest = divmod((end - start).days + 1, 7)
    extra = sum(1 for i in range(rest) if (start.weekday() + i) % 7 < 5)
    return weeks * 5 + extra


def publicity_problem(
    rule: Interval, opened: dt.date, on: dt.date, periods: Iterable[tuple[dt.date, dt.date]]
) -> str | None:
    """The rule's message if no publicity begun on or after ``opened`` (the date of the step
    that opens it) and over before ``on`` (the checked step's date) lasted ``rule.amount``
    working days; None when one did."""
    inside = sorted((p for p in periods if p[0] >= opened), key=lambda p: p[1])
    if any(end < on and working_days(start, end) >= rule.amount for start, end in inside):
        return None
    if not inside:
        return f"{rule.text}：{step_name(rule.from_step)}（{opened:%Y-%m-%d}）之后没有公示记录"
    start, end = inside[-1]
    if end >= on:
        return f"{rule.text}：公示期{start:%Y-%m-%d}至{end:%Y-%m-%d}，应在公示期满后办理，所填日期为{on:%Y-%m-%d}"
    return f"{rule.text}：公示期{start:%Y-%m-%d}至{end:%Y-%m-%d}，只有{working_days(start, end)}个工作日"


# --- Rules that are not intervals -------------------------------------------------------------

ASSESSMENT_MONTHS = 6  # 每半年考察一次
MIN_TRAINING_DAYS, MIN_TRAINING_HOURS = 3, 24  # 细则第十七条
LEAVING_MONTHS = 3  # 细则第十九条: 三个月内将离开工作单位的，一般不办理接收手续
EXTENSION_MIN, EXTENSION_MAX = 6, 12  # 细则第三十二条: 延长一次，不少于半年，最长不超过一年
CONTACTS_MIN, CONTACTS_MAX = 1, 2
INTRODUCER_COUNT = 2


def missing_assessments(activist_date: dt.date, on: dt.date, assessments: Iterable[dt.date]) -> list[dt.date]:
    """The ends of the completed half years as activist (from ``activist_date`` to ``on``) that
    have no assessment dated within them: each half year needs one (每半年考察一次)."""
    dates = sorted(assessments)
    missing = []
    half = 1
    while (end := add_months(activist_date, ASSESSMENT_MONTHS * half)) <= on:
        start = add_months(activist_date, ASSESSMENT_MONTHS * (half - 1))
        if not any(start <= d < end for d in dates):
            missing.append(end)
        half += 1
    return missing


def assessments_problem(activist_date: dt.date, on: dt.date, assessments: Iterable[dt.date]) -> str | None:
    if missing := missing_assessments(activist_date, on, assessments):
        ends = "、".join(f"{end:%Y-%m-%d}" for end in missing)
        return f"党支部应每半年对入党积极分子考察一次（{DETAILED_RULES}第十二条）：截至{ends}的半年内没有考察记录"
    return None


def next_assessment_due(activist_date: dt.date, on: dt.date, assessments: Iterable[dt.date]) -> dt.date:
    """The end of the half year that ``on`` falls in, if it still lacks its assessment; else the
    end of the next one."""
    dates = list(assessments)
    half = 1
    while add_months(activist_date, ASSESSMENT_MONTHS * half) <= on:
        half += 1
    start = add_months(activist_date, ASSESSMENT_MONTHS * (half - 1))
    end = add_months(activist_date, ASSESSMENT_MONTHS * half)
    if any(start <= d < end for d in dates):
        return add_months(activist_date, ASSESSMENT_MONTHS * (half + 1))
    return end


def probation_assessments_problem(
    joined: dt.date, end: dt.date, on: dt.date, assessments: Iterable[dt.date]
) -> str | None:
    """预备期考察 (step 21 继续教育考察): the half years of probation, counted from the branch vote
    (``joined``) and completed by ``on`` but not after the end of probation ``end`` (a vote held
    late does not make the time after the end probation), that have no assessment. RULES.md gives
    no hard rule for probation: the service records this as an advisory warning."""
    if missing := missing_assessments(joined, min(on, end), assessments):
        ends = "、".join(f"{day:%Y-%m-%d}" for day in missing)
        return f"预备期内应对预备党员继续教育考察，每半年考察一次：截至{ends}的半年内没有预备期考察记录"
    return None


def next_probation_assessment_due(
    joined: dt.date, end: dt.date, on: dt.date, assessments: Iterable[dt.date]
) -> dt.date | None:
    """The first half year of probation without its assessment (missing, or the current one);
    None when every half year of probation has one or the next would end after probation."""
    dates = list(assessments)
    if missing := missing_assessments(joined, min(on, end), dates):
        return missing[0]
    due = next_assessment_due(joined, on, dates)
    return due if due <= end else None


@dataclass(frozen=True)
class PartyMemberFacts:
    """What the rules need of a member named as contact or introducer, on a date."""

    name: str
    is_full_member: bool  # 正式党员 on the date
    in_branch: bool  # in the applicant's branch (its scope)
    on_roll: bool  # 正常 status (not 停止党籍, 出党, …)
    under_probation_discipline: bool  # 留党察看 in force on the date (dangjian.discipline)


def introducer_problems(introducers: Sequence[PartyMemberFacts]) -> list[str]:
    """细则第十四条: two introducers, 正式党员, not under 留党察看 whose rights are not restored."""
    problems = []
    if len(introducers) != INTRODUCER_COUNT:
        problems.append(
            f"发展对象应有{INTRODUCER_COUNT}名正式党员作入党介绍人（{DETAILED_RULES}第十四条），所选为{len(introducers)}名"
        )
    if len({i.name for i in introducers}) < len(introducers):
        problems.append("两名入党介绍人不能是同一人")
    for person in introducers:
        problems.extend(_member_problems(person, "入党介绍人", f"{DETAILED_RULES}第十四条"))
        if person.under_probation_discipline:
            problems.append(
                f"{person.name}受留党察看处分、尚未恢复党员权利，不能担任入党介绍人（{DETAILED_RULES}第十四条）"
            )
    return problems


def contact_problems(contacts: Sequence[PartyMemberFacts]) -> list[str]:
    """细则第十一条: one or two 正式党员 as 培养联系人."""
    problems = []
    if not CONTACTS_MIN <= len(contacts) <= CONTACTS_MAX:
        problems.append(f"应指定1至2名正式党员作为培养联系人（{DETAILED_RULES}第十一条），所选为{len(contacts)}名")
    for person in contacts:
        problems.extend(_member_problems(person, "培养联系人", f"{DETAILED_RULES}第十一条"))
    return problems


def _member_problems(person: PartyMemberFacts, role: str, source: str) -> list[str]:
    problems = []
    if not person.in_branch:
        problems.append(f"{person.name}不是本支部的党员，不能担任{role}")
    if not person.on_roll:
        problems.append(f"{person.name}当前党籍状态不正常，不能担任{role}")
    if not person.is_full_member:
        problems.append(f"{person.name}不是正式党员，不能担任{role}（{source}）")
    return problems


def training_problem(days: int | None, hours: int | None) -> str | None:
    """细则第十七条: concentrated training of at least 3 days or 24 学时."""
    if (days or 0) >= MIN_TRAINING_DAYS or (hours or 0) >= MIN_TRAINING_HOURS:
        return None
    return (
        f"集中培训时间一般不少于{MIN_TRAINING_DAYS}天或{MIN_TRAINING_HOURS}个学时（{DETAILED_RULES}第十七条），"
        f"所填为{days or 0}天、{hours or 0}学时"
    )


def leaving_problem(pre_review: dt.date, leaving: dt.date | None) -> str | None:
    """细则第十九条: someone leaving the unit within 3 months of the pre-review is not admitted."""
    if leaving is None:
        return None
    limit = add_months(pre_review, LEAVING_MONTHS)
    if leaving < limit:
        return (
            f"预计{leaving:%Y-%m-%d}离开工作单位，在预审后三个月（{limit:%Y-%m-%d}）之内，"
            f"一般不办理接收手续（{DETAILED_RULES}第十九条）"
        )
    return None


def extension_problem(months: int | None, already_extended: bool) -> str | None:
    """细则第三十二条: probation is extended once, by at least 6 months and at most a year."""
    if already_extended:
        return f"预备期只能延长一次（{DETAILED_RULES}第三十二条），该预备党员已延长过预备期"
    if months is None or not EXTENSION_MIN <= months <= EXTENSION_MAX:
        return f"延长预备期的时间不能少于半年，最长不超过一年（{DETAILED_RULES}第三十二条），所填为{months or 0}个月"
    return None


def probation_end(joined: dt.date, extension_months: int = 0) -> dt.date:
    """党章第七条: one year from the branch vote, plus any extension: the regularization date."""
    return add_months(add_years(joined, 1), extension_months)


# --- The branch-meeting vote (RULES.md §1.3) ---------------------------------------------------


@dataclass(frozen=True)
class Ballot:
    expected: int  # 应到会有表决权的正式党员
    present: int  # 实到会有表决权的正式党员
    yes: int
    no: int
    abstain: int
    written_yes: int = 0  # 因故不能到会、会前正式提交书面意见的
    written_no: int = 0
    written_abstain: int = 0

    @property
    def written(self) -> int:
        return self.written_yes + self.written_no + self.written_abstain

    @property
    def total_yes(self) -> int:
        return self.yes + self.written_yes


@dataclass(frozen=True)
class VoteResult:
    quorum: bool
    passed: bool
    problems: tuple[str, ...]  # the counts contradict each other
    arithmetic: str  # how the result was reached, for the refusal and the record


def tally(ballot: Ballot) -> VoteResult:
    """Quorum: present > half of expected. Passed: yes (written opinions included) > half of
    expected, the denominator is expected, not present (细则第二十二条). Written opinions count in
    the tally, not toward the quorum (RULES.md §1.3 [U]: the texts say only "counted in the votes")."""
    problems = []
    b = ballot
    if min(b.expected, b.present, b.yes, b.no, b.abstain, b.written_yes, b.written_no, b.written_abstain) < 0:
        problems.append("人数不能为负数")
    if b.present > b.expected:
        problems.append(f"实到会有表决权人数{b.present}超过应到会人数{b.expected}")
    if b.yes + b.no + b.abstain > b.present:
        problems.append(f"到会表决票数（赞成{b.yes}、反对{b.no}、弃权{b.abstain}）超过实到会人数{b.present}")
    if b.present + b.written > b.expected:
        problems.append(f"实到会人数{b.present}与书面意见{b.written}份之和超过应到会人数{b.expected}")
    quorum = b.present * 2 > b.expected
    passed = quorum and b.total_yes * 2 > b.expected and not problems
    half = b.expected / 2
    arithmetic = (
        f"应到会有表决权的正式党员{b.expected}人，实到{b.present}人"
        f"（{'超过' if quorum else '未超过'}半数{half:g}）；赞成{b.yes}票"
        + (f"、书面赞成意见{b.written_yes}份，共{b.total_yes}票" if b.written_yes else "")
        + f"（{'超过' if b.total_yes * 2 > b.expected else '未超过'}应到会人数的半数{half:g}）"
        + f"，反对{b.no + b.written_no}，弃权{b.abstain + b.written_abstain}"
    )
    return VoteResult(quorum=quorum, passed=passed, problems=tuple(problems), arithmetic=arithmetic)


def vote_refusal(result: VoteResult) -> str | None:
    """The refusal of a resolution that does not meet the rules, with the arithmetic; None: passed."""
    if result.problems:
        return "表决人数不一致：" + "；".join(result.problems)
    source = f"{DETAILED_RULES}第二十二条"
    if not result.quorum:
        return f"到会有表决权的正式党员未超过应到会人数的半数，不能作出决议（{source}）：{result.arithmetic}"
    if not result.passed:
        return f"赞成人数未超过应到会有表决权的正式党员的半数，决议未通过（{source}）：{result.arithmetic}"
    return None
