"""The rules of party dues (《关于中国共产党党费收缴、使用和管理的规定》, 中组部 2008; RULES.md §2) as pure
functions: the monthly amount of a member from a versioned standard, a category and a base; the
checks a standard's brackets must pass. Amounts are Decimals in yuan, never floats."""

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
JIAO = Decimal("0.1")


class Category(enum.StrEnum):
    """How a member's dues are worked out (第二至六条)."""

    IN_SERVICE = "in_service"  # 在职: the after-tax fixed monthly pay (第一、二条)
    ANNUAL_SALARY = "annual_salary"  # 年薪制: the pay actually received that month (第三条)
    NO_FIXED_INCOME = "no_fixed_income"  # 无固定收入: the previous quarter's monthly average (第四条)
    RETIRED = "retired"  # 离退休: the pension actually received (第五条)
    FARMER = "farmer"  # 农民: the province's fixed amount (第六条)
    STUDENT = "student"  # 学生: 0.2 yuan (第六条)
    UNEMPLOYED = "unemployed"  # 下岗失业
    RELIEF = "relief"  # 依靠抚恤或救济生活
    SUBSISTENCE = "subsistence"  # 领取最低生活保障金

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def has_base(self) -> bool:
        """The categories whose amount is a rate of a base; the others pay a fixed amount."""
        return self in BASED


LABELS = {
    Category.IN_SERVICE: "在职党员",
    Category.ANNUAL_SALARY: "实行年薪制的党员",
    Category.NO_FIXED_INCOME: "无固定工资收入的党员",
    Category.RETIRED: "离退休干部、职工党员",
    Category.FARMER: "农民党员",
    Category.STUDENT: "学生党员",
    Category.UNEMPLOYED: "下岗失业的党员",
    Category.RELIEF: "依靠抚恤或救济生活的党员",
    Category.SUBSISTENCE: "领取当地最低生活保障金的党员",
}
BASED = {Category.IN_SERVICE, Category.ANNUAL_SALARY, Category.NO_FIXED_INCOME, Category.RETIRED}


class Rounding(enum.StrEnum):
    """RULES.md §2 [U]: the regulation names no rounding; the county chooses, half up to the fen
    by default."""

    FEN_HALF_UP = "fen_half_up"
    JIAO_HALF_UP = "jiao_half_up"
    FEN_DOWN = "fen_down"


ROUNDING = {
    Rounding.FEN_HALF_UP: (FEN, ROUND_HALF_UP),
    Rounding.JIAO_HALF_UP: (JIAO, ROUND_HALF_UP),
    Rounding.FEN_DOWN: (FEN, ROUND_DOWN),
}

# A bracket: the base up to ``upper`` yuan inclusive (None: no upper bound) pays ``rate`` of the
# whole base (not marginally: 5,400 yuan pays 1.5% of 5,400, i.e. 81.00).
Bracket = tuple[Decimal | None, Decimal]


@dataclass(frozen=True)
class Standard:
    """What a versioned standard (models.DuesStandard) says, as the rules read it."""

    in_service: Sequence[Bracket]
    retired: Sequence[Bracket]
    retired_base_share: Decimal  # the part of a pension counted as the base (1: all of it)
    farmer_amount: Decimal
    small_fixed_amount: Decimal
    rounding: Rounding


def rate_for(brackets: Sequence[Bracket], base: Decimal) -> Decimal:
    """The rate of the first bracket whose upper bound (inclusive) the base does not exceed."""
    for upper, rate in brackets:
        if upper is None or base <= upper:
            return rate
    raise ValueError("the brackets end below the base: the last one must have no upper bound")


def monthly_amount(standard: Standard, category: Category, base: Decimal | None) -> Decimal:
    """The dues a member owes for one month (第二至六条), rounded by the standard's rule. The
    categories with a base need one (≥ 0); the fixed ones take none."""
    if category.has_base:
        if base is None or base < 0:
            raise ValueError("a category paid by rate needs a base of 0 or more")
        if category is Category.RETIRED:
            counted = base * standard.retired_base_share
            raw = counted * rate_for(standard.retired, counted)
        else:
            raw = base * rate_for(standard.in_service, base)
    elif base is not None:
        raise ValueError("a fixed-amount category takes no base")
    elif category is Category.FARMER:
        raw = standard.farmer_amount
    else:
        raw = standard.small_fixed_amount
    step, mode = ROUNDING[standard.rounding]
    return raw.quantize(step, rounding=mode)


def brackets_problem(brackets: Sequence[Sequence[str | None]]) -> str | None:
    """A standard's brackets as stored (``[["3000", "0.005"], …, [null, "0.02"]]``): rising upper
    bounds, the last open, rates between 0 and 1."""
    if not brackets:
        return "至少应有一档"
    last: Decimal | None = None
    for index, pair in enumerate(brackets, start=1):
        if len(pair) != 2:
            return f"第{index}档应写明上限和比例"
        try:
            upper = None if pair[0] is None else Decimal(str(pair[0]))
            rate = Decimal(str(pair[1]))
        except (InvalidOperation, TypeError):
            return f"第{index}档的上限或比例不是数字"
        if not Decimal(0) <= rate <= Decimal(1):
            return f"第{index}档的比例应在0至1之间"
        if upper is None and index != len(brackets):
            return "只有最后一档可以不设上限"
        if upper is not None and (upper <= 0 or (last is not None and upper <= last)):
            return f"第{index}档的上限应大于上一档"
        last = upper
    if last is not None:
        return "最后一档不应设上限（适用于高于上一档的全部基数）"
    return None


def parsed(brackets: Sequence[Sequence[str | None]]) -> list[Bracket]:
    return [(None if upper is None else Decimal(str(upper)), Decimal(str(rate))) for upper, rate in brackets]


# --- The ledger: amounts in fen (integers), months as their first day -------------------------

BACK_PAYMENT_MONTHS = 6  # 第十二条: 补交党费的时间一般不超过6个月
SILENT_MONTHS = 6  # 第十三条: 连续6个月不交纳党费 … 按自行脱党处理
EXTRA_REMITTED = 100_000  # 第十一条: 一次自愿多交1000元以上的，全部上缴中央 (in fen)
REGULATION = "《关于中国共产党党费收缴、使用和管理的规定》"


def fen(yuan: Decimal) -> int:
    return int((yuan * 100).to_integral_value(rounding=ROUND_HALF_UP))


def yuan(amount: int) -> str:
    """Fen as the ledgers write yuan: 1234 → "12.34"."""
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 100)
    return f"{sign}{whole:,}.{part:02d}"


def owed(
    standard: Standard,
    category: Category,
    base: Decimal | None,
    *,
    relief: str = "",
    relief_amount: Decimal | None = None,
) -> int:
    """A month's dues in fen: the standard's amount, or what the committee approved for a member
    in hardship (第七条: 少交 a smaller amount, 免交 nothing)."""
    if relief == "exempt":
        return 0
    if relief == "reduced":
        if relief_amount is None or relief_amount < 0:
            raise ValueError("a reduction needs the reduced amount")
        return fen(relief_amount)
    return fen(monthly_amount(standard, category, base))


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The months from ``first`` to ``last``, both included."""
    count = (last.year - first.year) * 12 + last.month - first.month
    return [add_months(first_of(first), step) for step in range(count + 1)]


@dataclass(frozen=True)
class Allocation:
    parts: list[tuple[dt.date, int]]  # (month, fen), oldest first
    extra: int  # fen beyond every month offered, for a voluntary extra payment


def allocate(amount: int, outstanding: Sequence[tuple[dt.date, int]]) -> Allocation:
    """Share a payment among the months still owed, the oldest first (第十二条: 补交 goes to the
    months missed); ``outstanding`` lists each month with what is still owed on it, and may
    include months paid ahead. What is left over is returned as ``extra``."""
    parts: list[tuple[dt.date, int]] = []
    left = amount
    for month, due in sorted(outstanding):
        if left <= 0:
            break
        if due <= 0:
            continue
        share = min(due, left)
        parts.append((month, share))
        left -= share
    return Allocation(parts=parts, extra=left)


def too_old(month: dt.date, paid_on: dt.date) -> bool:
    """A month more than six months before the month of payment (第十二条: needs a reason)."""
    return month < add_months(first_of(paid_on), -BACK_PAYMENT_MONTHS)


def months_without_paying(
    owing: Iterable[dt.date], payments: Iterable[dt.date], excused: Iterable[dt.date], today: dt.date
) -> int:
    """The consecutive finished months, counted back from the last one, in which the member owed
    dues, paid nothing and had no recorded valid reason (第十三条). ``owing``: the months with dues
    still outstanding; ``payments``: the days money was received; ``excused``: months covered by
    a valid reason. An exempted month owes nothing, so it ends a run."""
    owing_months = set(owing)
    paid_months = {first_of(day) for day in payments}
    excused_months = set(excused)
    count = 0
    month = add_months(first_of(today), -1)
    while month in owing_months and month not in paid_months and month not in excused_months:
        count += 1
        month = add_months(month, -1)
    return count


def paid_through(months: Sequence[tuple[dt.date, int]]) -> dt.date | None:
    """The month dues are paid through (党费交至): the month before the oldest one still owed,
    or the last month of the ledger when nothing is owed. ``months``: each ledger month with what
    is still owed on it. None: no ledger."""
    if not months:
        return None
    ordered = sorted(months)
    for month, due in ordered:
        if due > 0:
            return add_months(month, -1)
    return ordered[-1][0]


# --- Remittance (上缴, 第十五、十六条) ---------------------------------------------------------

PROVINCE_SHARE = Decimal("0.05")  # 省级党委每年将党费总额的5%上缴中央


def province_deadline(year: int) -> dt.date:
    """第十五条: the provincial level remits the year's 5% by the end of April of the next year."""
    return dt.date(year + 1, 4, 30)


def passed_up(
    organizations: Sequence[tuple[int, int | None]], collected: dict[int, int], share: dict[int, Decimal]
) -> dict[int, int]:
    """What each organization should pass to the one above for a year: its share (1 when none
    is set: all of it) of what reached it, its own members' dues and what its children passed
    up. ``organizations``: (id, parent id) in path order, parents before their children."""
    reached = {pk: collected.get(pk, 0) for pk, _ in organizations}
    due: dict[int, int] = {}
    for pk, parent in reversed(organizations):
        part = reached[pk] * share.get(pk, Decimal(1))
        due[pk] = int(part.to_integral_value(rounding=ROUND_HALF_UP))
        if parent in reached:
            reached[parent] += due[pk]
    return due
