"""Term rules (支部工作条例 第二十一条; 基层组织选举工作条例). Pure functions."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from dangjian.core.dates import add_months, add_years
from dangjian.members.models import Category, Status
from dangjian.orgs.models import OrgKind, UnitCategory
from dangjian.orgs.rules import Finding

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


TERM_STATE_CHOICES = [(state.value, state.label) for state in TermState]


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


def position_order(position: str) -> int:
    """Where a position is listed: 书记, 副书记, then the 委员 as the choices declare them."""
    values = list(Position.values)
    return values.index(position) if position in values else len(values)


# The rank of a party post, for 《中国共产党纪律处分条例》's "不得担任与其原任职务相当或者高于其原任职务的
# 职务" (RULES.md §6.1): first the organization (基层党委 and 党工委 above 党总支 above 党支部; among
# 党委, the one above ranks higher), then the position in it (书记 above 副书记 above every 委员,
# the 委员 of each kind being equal).
ORG_LEVELS = {OrgKind.COMMITTEE: 3, OrgKind.WORKING_COMMITTEE: 3, OrgKind.GENERAL_BRANCH: 2}
POSITION_LEVELS = {Position.SECRETARY: 3, Position.DEPUTY_SECRETARY: 2}


@dataclass(frozen=True)
class Post:
    """A party post: the position, and the kind and depth in the tree of its organization."""

    position: str
    kind: str
    depth: int
    organization: str = ""  # its name, for messages

    @property
    def title(self) -> str:
        return f"{self.organization}{Position(self.position).label}"


def post_rank(post: Post) -> tuple[int, int, int]:
    level = ORG_LEVELS.get(OrgKind(post.kind), 1)
    above = -post.depth if level == 3 else 0  # only 党委 rank by height; every 党支部书记 is one rank
    return (level, above, POSITION_LEVELS.get(Position(post.position), 1))


def equal_or_higher(new: Post, old: Post) -> bool:
    return post_rank(new) >= post_rank(old)


@dataclass(frozen=True)
class Seat:
    """An officer of an open term, as the vacancy rule reads it."""

    position: str
    member_name: str
    since: dt.date
    until: dt.date | None
    removal: str  # why a 党纪处分 took the post away; empty otherwise


def vacancies(seats: Sequence[Seat]) -> list[Seat]:
    """The posts a 党纪处分 took away that nobody has been appointed to since (on or after the day)."""
    return [
        seat
        for seat in seats
        if seat.removal
        and seat.until is not None
        and not any(
            other.position == seat.position and other is not seat and other.since >= seat.until for other in seats
        )
    ]


VACANCY_RULE = "《中国共产党纪律处分条例》：党员受到撤销党内职务以上处分的，其党内职务予以撤销"


def vacancy_findings(vacant: Sequence[Seat]) -> list[Finding]:
    return [
        Finding(
            "vacant_post",
            f"{Position(seat.position).label}空缺：{seat.member_name}{seat.until:%Y-%m-%d}{seat.removal}，尚未补选",
            VACANCY_RULE,
        )
        for seat in sorted(vacant, key=lambda seat: position_order(seat.position))
        if seat.until is not None
    ]
