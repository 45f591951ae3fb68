"""应到会有表决权的正式党员 as of the meeting date, from membership and status periods."""

import datetime as dt

from conftest import make_id_number
from dangjian.development.services import expected_voters
from dangjian.members.moves import move_member
from dangjian.members.services import change_status, create_member

D = dt.date


def voters(world, on):
    return {m.name for m in expected_voters(world.village, on)}


def test_expected_voters_as_of_the_meeting_date(world):
    assert voters(world, D(2024, 6, 1)) == {"张三", "李四"}
    assert voters(world, D(2001, 6, 30)) == set()  # both still probationary then (regularized 2001-07-01)
    assert voters(world, D(2001, 7, 1)) == {"张三", "李四"}  # 正式 from the regularized date


def test_a_member_who_moved_counts_where_they_were_that_day(world):
    move_member(world.lisi, world.community, D(2024, 3, 1), "转接")
    assert voters(world, D(2024, 2, 29)) == {"张三", "李四"}
    assert voters(world, D(2024, 3, 1)) == {"张三"}
    assert {m.name for m in expected_voters(world.community, D(2024, 3, 1))} == {"王芳", "李四"}


def test_suspended_members_lose_the_vote_from_the_date(world):
    change_status(actor=world.county_admin, member=world.lisi, status="suspended", date=D(2024, 3, 1))
    assert voters(world, D(2024, 2, 29)) == {"张三", "李四"}
    assert voters(world, D(2024, 3, 1)) == {"张三"}
    change_status(actor=world.county_admin, member=world.zhangsan, status="mobile", date=D(2024, 3, 1))
    assert voters(world, D(2024, 3, 2)) == {"张三"}  # a mobile member keeps the vote at home


def test_probationary_members_and_members_who_came_later_do_not_vote(world):
    create_member(
        actor=world.county_admin,
        organization=world.village,
        name="新党员",
        id_number=make_id_number("1990-02-02", male=True, sequence=70),
        education="bachelor",
        category="probationary",
        joined_date=D(2024, 5, 1),
    )
    assert voters(world, D(2024, 6, 1)) == {"张三", "李四"}
