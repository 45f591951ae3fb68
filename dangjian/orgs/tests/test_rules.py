"""Organization structure rules (RULES.md §4)."""

import datetime as dt

import pytest

from dangjian.orgs.models import OrgKind
from dangjian.orgs.rules import child_kind_problem, date_problems, member_holding_problem

K = OrgKind


@pytest.mark.parametrize(
    ("parent", "child", "refused"),
    [
        (K.COMMITTEE, K.BRANCH, False),
        (K.COMMITTEE, K.GENERAL_BRANCH, False),
        (K.COMMITTEE, K.COMMITTEE, False),
        (K.WORKING_COMMITTEE, K.COMMITTEE, False),
        (K.GENERAL_BRANCH, K.BRANCH, False),
        (K.GENERAL_BRANCH, K.JOINT_BRANCH, False),
        (K.GENERAL_BRANCH, K.GENERAL_BRANCH, True),
        (K.GENERAL_BRANCH, K.COMMITTEE, True),
        (K.BRANCH, K.BRANCH, True),
        (K.JOINT_BRANCH, K.TEMPORARY_BRANCH, True),
        (K.TEMPORARY_BRANCH, K.BRANCH, True),
    ],
)
def test_which_kinds_may_sit_under_which(parent, child, refused):
    assert (child_kind_problem(parent, child) is not None) == refused


@pytest.mark.parametrize(
    ("kind", "direct", "refused"),
    [
        (K.BRANCH, False, False),
        (K.JOINT_BRANCH, False, False),
        (K.TEMPORARY_BRANCH, False, False),
        (K.GENERAL_BRANCH, False, True),
        (K.GENERAL_BRANCH, True, False),
        (K.COMMITTEE, False, True),
        (K.WORKING_COMMITTEE, False, True),
    ],
)
def test_members_sit_in_branches_or_approved_direct_holders(kind, direct, refused):
    assert (member_holding_problem(kind, direct) is not None) == refused


def test_date_problems():
    today = dt.date(2026, 11, 23)
    assert date_problems(dt.date(2000, 1, 1), None, today) == {}
    assert "founded_date" in date_problems(dt.date(2027, 1, 1), None, today)
    assert "早于成立日期" in date_problems(dt.date(2000, 1, 1), dt.date(1999, 1, 1), today)["abolished_date"]
