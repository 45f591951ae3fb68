"""The rules of transfers and mobile members (RULES.md §3), as pure functions."""

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from dangjian.core.dates import add_months, add_years

# The kinds of organization that are a 基层党委 with authority to send and receive relations
# (RULES.md §3.1: "any 基层党委 with authority to approve probationary members").
COMMITTEE_KINDS = frozenset({"committee", "working_committee"})
DEFAULT_VALID_DAYS = 30  # local guidance: 10 days in-city, 30 out of city
MAX_VALID_DAYS = 90  # "generally ≤ 3 months"; settings.TRANSFER_LETTER_MAX_DAYS may say otherwise
RECEIPT_MONTHS = 1  # the 回执联 goes back within 1 month of receiving the member
LOST_CONTACT_MONTHS = 6  # RULES.md §3.3: lost contact ≥ 6 months → 停止党籍
REMOVAL_YEARS = 2  # … and 2 years later still unreachable → 除名 (自行脱党)
REVIEW_MONTHS = 12  # 流动党员活动证 年审: once a year
CONTACT_MONTHS = 6  # the outflow organization reaches a member away at least every 6 months
# [U] No regulation says how soon the sending 基层党委 approves a request and issues the letter
# (only that refusing without cause is forbidden): a week, a setting where the county has its own.
HANDLING_DAYS = 7


def approving_committee(lineage: Sequence[tuple[int, str]]) -> int | None:
    """The id of the 基层党委 that sends (or receives) for an organization: the nearest of the
    organization and its ancestors that is a 党委 or 党工委. ``lineage``: (id, kind) from the root
    down to the organization itself."""
    for pk, kind in reversed(lineage):
        if kind in COMMITTEE_KINDS:
            return pk
    return None


def valid_days_problem(days: int | None, max_days: int) -> str | None:
    if days is None:
        return "请填写介绍信有效期（天）"
    if days < 1:
        return "介绍信有效期至少1天"
    if days > max_days:
        return f"介绍信有效期一般不超过{max_days}天"
    return None


def letter_valid_until(issued: dt.date, days: int) -> dt.date:
    """The last day on which the letter may be presented."""
    return issued + dt.timedelta(days=days)


def letter_expired(valid_until: dt.date | None, on: dt.date) -> bool:
    return valid_until is not None and on > valid_until


def receipt_due(accepted: dt.date) -> dt.date:
    return add_months(accepted, RECEIPT_MONTHS)


def receipt_overdue(accepted: dt.date | None, receipt: dt.date | None, today: dt.date) -> bool:
    """The receiving 基层党委 owes the 回执 within one month of receiving the member."""
    return accepted is not None and receipt is None and today > receipt_due(accepted)


@dataclass(frozen=True)
class AcceptFacts:
    issued: dt.date
    valid_until: dt.date
    date: dt.date  # the day the receiving side received the member
    today: dt.date


def accept_problems(facts: AcceptFacts) -> dict[str, str]:
    problems: dict[str, str] = {}
    if facts.date > facts.today:
        problems["date"] = "接收日期不能晚于今天"
    elif facts.date < facts.issued:
        problems["date"] = f"接收日期不能早于介绍信开具日期{facts.issued:%Y-%m-%d}"
    elif facts.date > facts.valid_until:
        problems["date"] = (
            f"介绍信已于{facts.valid_until:%Y-%m-%d}过期，不能凭此信接收；请转出方查明原因后重新开具（补转）"
        )
    return problems


# Capital numerals (大写数字), as the letter's form requires for the dues month and the days.
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]


def capital_number(n: int) -> str:
    """0 ≤ n < 10000 in capital numerals: 30 → 叁拾, 105 → 壹佰零伍, 10 → 壹拾."""
    if not 0 <= n < 10000:
        raise ValueError("only 0–9999")
    if n == 0:
        return _DIGITS[0]
    digits = [int(d) for d in str(n)]
    out: list[str] = []
    zero = False
    for position, digit in enumerate(digits):
        unit = _UNITS[len(digits) - position - 1]
        if digit == 0:
            zero = True
            continue
        if zero and out:
            out.append(_DIGITS[0])
        zero = False
        out.append(_DIGITS[digit] + unit)
    return "".join(out)


def capital_year(year: int) -> str:
    """A year digit by digit, as dates are written: 2026 → 贰零贰陆."""
    return "".join(_DIGITS[int(d)] for d in str(year))


def capital_month(day: dt.date) -> str:
    """The dues-paid-through month: 2026-03 → 贰零贰陆年叁月."""
    return f"{capital_year(day.year)}年{capital_number(day.month)}月"


# 流动党员 (RULES.md §3.2, §3.3)


class ContactAlert(enum.StrEnum):
    NONE = ""
    SUSPEND = "suspend"  # 失联满6个月：列入停止党籍名单
    REMOVE = "remove"  # 停止党籍满2年仍无法联系：列入除名名单

    @property
    def label(self) -> str:
        return {"": "", "suspend": "失联满6个月，应按规定停止党籍", "remove": "停止党籍满2年仍无法联系，应予除名"}[
            self.value
        ]


def contact_alert(last_contact: dt.date, suspended_since: dt.date | None, today: dt.date) -> ContactAlert:
    """A mobile member out of contact: ≥ 6 months → listed for 停止党籍; suspended (or, if the
    suspension was never recorded, out of contact) 2 years more → listed for 除名."""
    since = suspended_since or add_months(last_contact, LOST_CONTACT_MONTHS)
    if today >= add_years(since, REMOVAL_YEARS):
        return ContactAlert.REMOVE
    if suspended_since is None and today >= add_months(last_contact, LOST_CONTACT_MONTHS):
        return ContactAlert.SUSPEND
    return ContactAlert.NONE


def review_date(left: dt.date, last_review: dt.date | None) -> dt.date:
    """The day the activity certificate's next yearly review (年审) falls due."""
    return add_months(last_review or left, REVIEW_MONTHS)


def review_due(left: dt.date, last_review: dt.date | None, today: dt.date) -> bool:
    """The activity certificate is reviewed once a year (年审)."""
    return today > review_date(left, last_review)
