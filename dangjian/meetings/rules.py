"""The rules of organizational life (RULES.md §4; RULES-2.md §2, §7) as pure functions: the periods
a rule counts in, what an organization owes in a period it only partly existed in, the status of a
duty on a date, the colour of a month, back-filling, the quorum of a 支委会, which kinds one
meeting may fulfil, and the six months without organizational life (RULES.md §6.2)."""

import datetime as dt
import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from dangjian.core.dates import add_months


@dataclass(frozen=True)
class Span:
    """The days ``start`` ≤ d ≤ ``end`` (both inclusive, as a quarter is written)."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlap(self, start: dt.date | None, end: dt.date | None) -> int:
        """Days of this span on which something existing from ``start`` to ``end`` existed."""
        first = max(self.start, start) if start else self.start
        last = min(self.end, end) if end else self.end
        return max((last - first).days + 1, 0)


def months_span(year: int, first_month: int, months: int) -> Span:
    start = dt.date(year, first_month, 1)
    return Span(start, add_months(start, months) - dt.timedelta(days=1))


PERIOD_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}


def periods(period: str, year: int, in_quarter: int | None = None) -> list[Span]:
    """The periods of a year a rule counts in: 12 months, 4 quarters, 2 halves or the year; a
    yearly duty fixed to a quarter (组织生活会 in Q4) counts in that quarter only."""
    if in_quarter is not None:
        return [months_span(year, 3 * in_quarter - 2, 3)]
    length = PERIOD_MONTHS[period]
    return [months_span(year, first, length) for first in range(1, 13, length)]


def owed(min_count: int, span: Span, founded: dt.date | None, abolished: dt.date | None) -> int:
    """What an organization owes in ``span``: the full count if it existed every day of it, else the
    pro-rated share rounded down to whole meetings. So a branch founded on 15 January owes no
    January 支委会 and no first-quarter 党员大会, but 2 of a year's 4 党课 if founded on 1 July; a branch
    merged away on 10 February owes nothing for February or the first quarter. ``abolished`` is the
    first day it no longer existed (撤销日期)."""
    last_day = abolished - dt.timedelta(days=1) if abolished else None
    existed = span.overlap(founded, last_day)
    if existed >= span.days:
        return min_count
    return min_count * existed // span.days


class Duty(enum.IntEnum):
    """The status of one duty in one period, ordered by how much it needs attention."""

    NONE = 0  # nothing owed (not yet founded, a partial period, no party group)
    DONE = 1
    NOT_YET = 2  # the period has not begun or is far from its end
    DUE = 3  # open and ending within the reminder days
    OVERDUE = 4


def reading_day(year: int, today: dt.date) -> dt.date:
    """The day a year is read as of: today for the current year; a past one once it is over (its
    last day counted, so December's duties are overdue, not due)."""
    return today if year == today.year else dt.date(year + 1, 1, 1)


def duty(held: int, owed_count: int, span: Span, as_of: dt.date, due_soon_days: int) -> Duty:
    """Done when the meetings held reach what is owed (counted by the day they were held, up to
    ``as_of``); overdue once the period has ended short; due within ``due_soon_days`` of its end."""
    if owed_count <= 0:
        return Duty.NONE
    if held >= owed_count:
        return Duty.DONE
    if span.end < as_of:
        return Duty.OVERDUE
    if span.start <= as_of and (span.end - as_of).days < due_soon_days:
        return Duty.DUE
    return Duty.NOT_YET


class Colour(enum.IntEnum):
    BLANK = 0  # nothing to show yet (a month to come, an organization not yet founded)
    GREEN = 1
    YELLOW = 2
    RED = 3

    @property
    def css(self) -> str:
        return ("blank", "green", "yellow", "red")[self]

    @property
    def label(self) -> str:
        return ("未到期或无要求", "已完成", "临期或长期无组织生活", "有逾期未完成")[self]


def colour(duties: Iterable[Duty], *, silent: bool = False) -> Colour:
    """Red when something is overdue; yellow when something is due soon or the organization has had
    no organizational life of any kind for the silence days (静默支部); green when everything owed in
    the month is done; blank while something is still open and not yet due, or nothing is owed."""
    found = set(duties)
    if Duty.OVERDUE in found:
        return Colour.RED
    if Duty.DUE in found or silent:
        return Colour.YELLOW
    if Duty.NOT_YET in found or Duty.DONE not in found:
        return Colour.BLANK
    return Colour.GREEN


def is_backfilled(held_on: dt.date, entered_on: dt.date, backfill_days: int) -> bool:
    """补录: entered more than ``backfill_days`` after the meeting was held."""
    return (entered_on - held_on).days > backfill_days


def quorum_met(present: int, committee_size: int) -> bool:
    """支委会: 须有半数以上委员到会 (支部工作条例 第十二条): more than half, not half."""
    return committee_size > 0 and 2 * present > committee_size


def combination_problem(
    kinds: Collection[str], combines: Mapping[str, Collection[str]], names: Mapping[str, str]
) -> str | None:
    """Two kinds that neither allows with the other cannot be one meeting (a 支委会 is not a 党员大会:
    their attendees differ)."""
    ordered = sorted(kinds)
    for i, one in enumerate(ordered):
        for other in ordered[i + 1 :]:
            if other not in combines.get(one, ()) and one not in combines.get(other, ()):
                return f"“{names[one]}”与“{names[other]}”不能合并为一次会议召开"
    return None


def lapse_window(as_of: dt.date, months: int) -> Span:
    """The consecutive months (RULES.md §6.2: 连续六个月) ending on ``as_of``."""
    return Span(add_months(as_of + dt.timedelta(days=1), -months), as_of)


def lapsed(took_part: int, excused: int, missed: int) -> bool:
    """No organizational life in the whole window without a valid reason (自行脱党 condition (a)):
    at no meeting present, none on approved leave, and at least one the member was expected at
    and missed (a branch that held nothing is the branch's failure, shown on its own)."""
    return took_part == 0 and excused == 0 and missed > 0


def excellent_cap(rated: int, divisor: int | None) -> int | None:
    """优秀 一般不超过参评党员的1/3 (RULES-2.md §2): floor(rated ÷ divisor); None: no cap."""
    return None if divisor is None else rated // divisor


def tally_problem(counts: Mapping[str, int], voters: int) -> str | None:
    """民主测评: each rating's votes a whole number ≥ 0, all of them at most the voters."""
    if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in counts.values()):
        return "票数应为不小于0的整数"
    if sum(counts.values()) > voters:
        return f"各等次票数合计{sum(counts.values())}票，超过参加测评的{voters}人"
    return None


def correction_problem(decided_on: dt.date, until: dt.date) -> str | None:
    """限期改正: the period runs from the decision, at most one year (RULES.md §6.2)."""
    if until <= decided_on:
        return "改正期限应晚于决定日期"
    if until > add_months(decided_on, 12):
        return "限期改正的期限最长不超过一年（《中国共产党党员教育管理工作条例》第三十条）"
    return None


REVIEW_STEPS = (("self_assessed_on", "个人自评"), ("mutual_assessed_on", "党员互评"), ("tallied_on", "民主测评"))


def review_steps_problems(year: int, steps: Mapping[str, dt.date | None], today: dt.date) -> dict[str, str]:
    """个人自评 → 党员互评 → 民主测评, in that order, within the review's year or after it, by today."""
    problems = {}
    last: tuple[str, dt.date] | None = None
    for field, label in REVIEW_STEPS:
        day = steps.get(field)
        if day is None:
            continue
        if day > today:
            problems[field] = f"{label}日期不能晚于今天"
        elif day < dt.date(year, 1, 1):
            problems[field] = f"{label}日期不能早于{year}年"
        elif last is not None and day < last[1]:
            problems[field] = f"{label}应在{last[0]}之后（{last[1]:%Y-%m-%d}）"
        last = (label, day)
    return problems
