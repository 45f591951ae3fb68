"""Organization-structure rules as pure functions (RULES.md §4). No database."""

import datetime as dt
from dataclasses import dataclass

from .models import OrgKind


def member_holding_problem(kind: OrgKind, holds_members_directly: bool) -> str | None:
    """Members sit in branch-level organizations, or a 党总支/党委 approved to hold them directly."""
    if kind.is_branch_level or holds_members_directly:
        return None
    return f"{kind.label}不直接管理党员：党员应编入党支部（联合党支部、临时党支部），或该组织经批准直接管理党员"


def child_kind_problem(parent_kind: OrgKind, child_kind: OrgKind) -> str | None:
    """党支部一级 has no sub-organizations (党小组 are not organizations of the tree);
    a 党总支 has branches under it; 党委 and 党工委 may have any kind."""
    if parent_kind.is_branch_level:
        return f"{parent_kind.label}下不能再设立党组织"
    if parent_kind == OrgKind.GENERAL_BRANCH and not child_kind.is_branch_level:
        return f"党总支下只能设立党支部一级组织，不能设立{child_kind.label}"
    return None


def date_problems(founded: dt.date | None, abolished: dt.date | None, today: dt.date) -> dict[str, str]:
    problems = {}
    if founded and founded > today:
        problems["founded_date"] = "成立日期不能晚于今天"
    if abolished and abolished > today:
        problems["abolished_date"] = "撤销日期不能晚于今天"
    if founded and abolished and abolished < founded:
        problems["abolished_date"] = "撤销日期不能早于成立日期"
    return problems


@dataclass(frozen=True)
class OrgFacts:
    """What the structure rules look at, for one organization."""

    kind: OrgKind
    depth: int
    holds_members_directly: bool
    has_approval: bool
    members: int  # on the roll, directly in this organization
    full_members: int
    subtree_members: int
    has_term: bool
    officers: int
    has_secretary: bool
    term_overdue: bool
    covered_units: int


@dataclass(frozen=True)
class Thresholds:
    branch_min_full_members: int = 3
    branch_max_members: int = 50
    committee_from_full_members: int = 7
    general_branch_min_members: int = 50
    committee_min_members: int = 100
    joint_branch_max_units: int = 5


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    rule: str  # the rule it cites


BRANCH_RULES = "《中国共产党支部工作条例（试行）》"


def structure_findings(facts: OrgFacts, limits: Thresholds) -> list[Finding]:
    """What the rules flag in one organization's setup (组织设置体检), each with its rule."""
    found = []
    if facts.kind.is_branch_level:
        if facts.full_members < limits.branch_min_full_members:
            found.append(
                Finding(
                    "too_few",
                    f"正式党员{facts.full_members}名，不足{limits.branch_min_full_members}名",
                    f"{BRANCH_RULES}第二章：有正式党员3人以上的应当成立党支部，不足3人的可成立联合党支部",
                )
            )
        if facts.members > limits.branch_max_members:
            found.append(
                Finding(
                    "too_many",
                    f"党员{facts.members}名，超过{limits.branch_max_members}名",
                    f"{BRANCH_RULES}第二章：党支部党员人数一般不超过50人",
                )
            )
        if facts.full_members >= limits.committee_from_full_members and facts.officers < 3:
            found.append(
                Finding(
                    "no_committee",
                    f"正式党员{facts.full_members}名，未设支部委员会",
                    f"{BRANCH_RULES}第二十条：正式党员7人以上的党支部应当设立支部委员会",
                )
            )
        if facts.kind == OrgKind.JOINT_BRANCH and facts.covered_units > limits.joint_branch_max_units:
            found.append(
                Finding(
                    "too_many_units",
                    f"覆盖{facts.covered_units}个单位，超过{limits.joint_branch_max_units}个",
                    f"{BRANCH_RULES}第二章：联合党支部覆盖单位一般不超过5个",
                )
            )
    small_general = facts.subtree_members < limits.general_branch_min_members
    small_committee = facts.subtree_members < limits.committee_min_members
    if facts.kind == OrgKind.GENERAL_BRANCH and small_general and not facts.has_approval:
        found.append(
            Finding(
                "small_general_branch",
                f"党员{facts.subtree_members}名，不足{limits.general_branch_min_members}名且未登记批准文件",
                f"{BRANCH_RULES}第二章：党员50人以上的设立党总支，不足50人因工作需要经批准也可设立",
            )
        )
    if facts.kind == OrgKind.COMMITTEE and facts.depth > 1 and small_committee and not facts.has_approval:
        found.append(
            Finding(
                "small_committee",
                f"党员{facts.subtree_members}名，不足{limits.committee_min_members}名且未登记批准文件",
                "《中国共产党基层组织选举工作条例》第四条：党员100人以上的设立基层党委，不足100人经批准也可设立",
            )
        )
    if facts.holds_members_directly and not facts.kind.is_branch_level and not facts.has_approval:
        found.append(
            Finding(
                "direct_without_approval",
                "直接管理党员，未登记批准文件",
                f"{BRANCH_RULES}第二章：党委、党总支直接管理党员须经上级批准",
            )
        )
    if facts.depth > 1 and not facts.has_secretary:
        found.append(
            Finding("no_secretary", "未登记书记", f"{BRANCH_RULES}第二十条：党支部（党组织）设书记，必要时设副书记")
        )
    if facts.term_overdue:
        found.append(
            Finding("term_overdue", "任期已届满，尚未换届", f"{BRANCH_RULES}第二十一条：任期届满应当按期进行换届选举")
        )
    return found
