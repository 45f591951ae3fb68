"""Term rules (支部工作条例 第二十一条; 基层组织选举工作条例). Pure functions."""

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from dangjian.core.dates import add_months, add_years
from dangjian.members.models import Category, Status
from dangjian.orgs.models import OrgKind, UnitCategory

from .models import Position

LONG_TERM_UNITS = (UnitCategory.VILLAGE, UnitCategory.COMMUNITY)
SINGLE_HOLDER_POSITIONS = frozenset({Position.SECRETARY})
# Only 正式党员 with their rights stand for a committee (基层组织选举工作条例 第五条): not a member whose
# membership is suspended, nor one out of contact or abroad, who cannot take part in the work.
OFFICER_STATUSES = (Status.NORMAL, Status.MOBILE)


def officer_problem(name: str, organization: str, category: Category, status: Status) -> str | None:
    """Why a member of the organization (or, for a 党委 or 党总支, of its subtree) cannot hold office."""
    if category != Category.FULL:
        return f"{name}是预备党员：班子成员须是“{organization}”的正式党员"
    if status not in OFFICER_STATUSES:
        return f"{name}目前{status.label}，不能担任班子成员"
    return None


def term_years(kind: OrgKind, unit: UnitCategory) -> int:
    """基层党委: generally 5 years; village and community branches (and 总支) 5; other branches and
    总支 generally 3 (支部工作条例 第二十一条)."""
    if kind in (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE) or unit in LONG_TERM_UNITS:
        return 5
    return 3


def expected_end(start: dt.date, kind: OrgKind, unit: UnitCategory) -> dt.date:
    return add_years(start, term_years(kind, unit))


class TermState(StrEnum):
    CURRENT = "current"
    EXPIRING = "expiring"
    OVERDUE = "overdue"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return {"current": "在任", "expiring": "即将届满", "overdue": "已到期未换届", "ended": "已结束"}[self.value]


def term_state(expected: dt.date, actual_end: dt.date | None, today: dt.date, warning_months: int) -> TermState:
    """The higher organization reminds a branch 6 months before its term ends (第二十一条)."""
    if actual_end is not None:
        return TermState.ENDED
    if expected < today:
        return TermState.OVERDUE
    if expected <= add_months(today, warning_months):
        return TermState.EXPIRING
    return TermState.CURRENT


def overlap_problem(start: dt.date, earlier: Sequence[tuple[int, dt.date, dt.date | None]]) -> str | None:
    """A new term may not start inside an earlier one that has ended: (number, start, actual end)."""
    for number, other_start, other_end in earlier:
        if start < other_start or (other_end is not None and start < other_end):
            return f"新一届的开始日期{start:%Y-%m-%d}与第{number}届任期重叠"
    return None
