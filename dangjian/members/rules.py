"""Rules about a member's own data (RULES.md §1.2, §9). Pure functions: no database."""

import datetime as dt
from dataclasses import dataclass

from dangjian.core.dates import add_years
from dangjian.core.enums import Gender
from dangjian.core.idnumber import IdNumber

from .models import Category, LeftReason, Status

MIN_AGE_TO_JOIN = 18  # 发展党员工作细则 第五条: 年满十八岁
PROBATION_YEARS = 1  # 党章 第七条: 预备期为一年


@dataclass(frozen=True)
class MemberFacts:
    id_number: IdNumber | None  # None: the number itself is wrong (reported on its own)
    gender: str | None
    birth_date: dt.date | None
    category: str
    joined_date: dt.date | None
    regularized_date: dt.date | None


def gender_of(idn: IdNumber) -> Gender:
    """The 17th character of the ID number is odd for men, even for women (GB 11643)."""
    return Gender.MALE if idn.is_male else Gender.FEMALE


def member_problems(facts: MemberFacts, today: dt.date) -> dict[str, str]:
    """Field → what is wrong, for a member's identity and dates; empty when all is consistent.

    Without a valid ID number the checks that need it (birth date and gender against it) are left
    out, and the age is checked against the birth date given, if any: a wrong number is one
    problem, and it does not hide the others of the same record."""
    problems: dict[str, str] = {}
    idn = facts.id_number
    birth = facts.birth_date
    if idn is not None:
        if birth and birth != idn.birth_date:
            problems["birth_date"] = f"出生日期{birth:%Y-%m-%d}与公民身份号码中的{idn.birth_date:%Y-%m-%d}不一致"
        expected_gender = gender_of(idn)
        if facts.gender and facts.gender != expected_gender:
            problems["gender"] = f"性别与公民身份号码不一致（按号码第17位应为{expected_gender.label}）"
        birth = idn.birth_date
    joined = facts.joined_date
    if joined:
        if joined > today:
            problems["joined_date"] = "入党日期不能晚于今天"
        elif birth and joined < add_years(birth, MIN_AGE_TO_JOIN):
            problems["joined_date"] = (
                f"入党日期{joined:%Y-%m-%d}时未满{MIN_AGE_TO_JOIN}周岁（出生于{birth:%Y-%m-%d}），"
                "依据《中国共产党发展党员工作细则》第五条"
            )
    regularized = facts.regularized_date
    if facts.category == Category.PROBATIONARY and regularized:
        problems["regularized_date"] = "预备党员不能有转正日期"
    elif facts.category == Category.FULL and not regularized:
        problems["regularized_date"] = "正式党员请填写转正日期"
    if regularized and joined and "joined_date" not in problems:
        if regularized > today:
            problems["regularized_date"] = "转正日期不能晚于今天"
        elif regularized < add_years(joined, PROBATION_YEARS):
            problems["regularized_date"] = (
                f"转正日期应在入党日期满一年之后（不早于{add_years(joined, PROBATION_YEARS):%Y-%m-%d}），"
                "依据《中国共产党章程》第七条，预备期为一年"
            )
    return problems


# Age bands of the 党内统计公报 since 2017 (RULES.md §8): (lowest age, highest age, label).
AGE_BANDS: tuple[tuple[int | None, int | None, str], ...] = (
    (None, 30, "30岁及以下"),
    (31, 35, "31-35岁"),
    (36, 40, "36-40岁"),
    (41, 45, "41-45岁"),
    (46, 50, "46-50岁"),
    (51, 55, "51-55岁"),
    (56, 60, "56-60岁"),
    (61, None, "61岁及以上"),
)
# The code of a band is its position: the registry's filter (?age_band=5) and the summary agree.
AGE_BAND_CHOICES = [(str(index), label) for index, (_, _, label) in enumerate(AGE_BANDS)]


@dataclass(frozen=True)
class BirthRange:
    """Born after ``after`` (exclusive) and on or before ``until`` (inclusive); None is open."""

    label: str
    after: dt.date | None
    until: dt.date | None


def age_band_birth_ranges(as_of: dt.date) -> list[BirthRange]:
    """Each age band as a range of birth dates, so the database counts bands with plain
    comparisons. Age ≥ a ⇔ born on or before as_of − a years; age ≤ b ⇔ born after as_of − (b+1)."""
    return [
        BirthRange(
            label=label,
            after=add_years(as_of, -(high + 1)) if high is not None else None,
            until=add_years(as_of, -low) if low is not None else None,
        )
        for low, high, label in AGE_BANDS
    ]


_PHONE_CHARACTERS = set("0123456789-")


def normalize_phone(text: str) -> str:
    """Digits and dashes only; spaces and the +86 prefix people paste are dropped."""
    text = "".join(text.split())
    if text.startswith("+86"):
        text = text[3:]
    return text


def phone_problem(phone: str) -> str | None:
    """A mobile number (11 digits starting with 1) or a landline (0 + area code + number)."""
    if not set(phone) <= _PHONE_CHARACTERS:
        return f"联系电话“{phone}”只能包含数字和“-”"
    digits = phone.replace("-", "")
    if digits.startswith("1"):
        if len(digits) != 11 or "-" in phone:
            return f"手机号码“{phone}”应为以1开头的11位数字"
    elif not (digits.startswith("0") and 10 <= len(digits) <= 12):
        return f"联系电话“{phone}”应为11位手机号码或带区号的固定电话（如0731-84123456）"
    return None


@dataclass(frozen=True)
class StatusFacts:
    status: str
    left_reason: str
    date: dt.date | None
    category: str
    joined_date: dt.date | None


def status_problems(facts: StatusFacts, today: dt.date) -> dict[str, str]:
    """A status with its date and, for 出党, how the member left (RULES.md §6, §8)."""
    problems: dict[str, str] = {}
    status_date, joined = facts.date, facts.joined_date
    if facts.status == Status.TRANSFERRED_OUT:
        problems["status"] = "“已转出”由组织关系转往系统外的回执登记时记录，不能直接设置；请办理组织关系转接"
    if facts.status == Status.LEFT and not facts.left_reason:
        problems["left_reason"] = (
            "党籍状态为出党时，请选择出党方式（退党除名、除名、自行脱党除名、开除党籍或取消预备党员资格）"
        )
    elif facts.status != Status.LEFT and facts.left_reason:
        problems["left_reason"] = "党籍状态为出党时才填写出党方式"
    elif facts.left_reason == LeftReason.PROBATION_CANCELLED and facts.category != Category.PROBATIONARY:
        problems["left_reason"] = "取消预备党员资格只适用于预备党员"
    if status_date:
        if status_date > today:
            problems["status_date"] = "状态变更日期不能晚于今天"
        elif joined and status_date < joined:
            problems["status_date"] = f"状态变更日期不能早于入党日期{joined:%Y-%m-%d}"
    return problems


@dataclass(frozen=True)
class JoiningPeriod:
    """Joined on or after ``start`` and before ``end`` (None: open)."""

    label: str
    start: dt.date | None
    end: dt.date | None


# 入党时间 as the 党内统计公报 reports it since 2021 (RULES.md §8), bounded by the founding of the
# People's Republic (1949-10-01), the opening of the Third Plenum of the 11th Central Committee
# (1978-12-18) and of the 18th Party Congress (2012-11-08).
JOINING_PERIODS = (
    JoiningPeriod("新中国成立前", None, dt.date(1949, 10, 1)),
    JoiningPeriod("新中国成立后至十一届三中全会前", dt.date(1949, 10, 1), dt.date(1978, 12, 18)),
    JoiningPeriod("十一届三中全会后至党的十八大前", dt.date(1978, 12, 18), dt.date(2012, 11, 8)),
    JoiningPeriod("党的十八大以来", dt.date(2012, 11, 8), None),
)
