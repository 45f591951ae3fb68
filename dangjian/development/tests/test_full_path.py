"""One applicant through all 25 steps to regularization: the member record, the approval log
and the member's timeline at the end."""

import datetime as dt

from dangjian.approvals.services import steps_for
from dangjian.development.models import FileStatus, StepRecord
from dangjian.members import timeline
from dangjian.members.models import Category, MembershipPeriod

from .conftest import walk


def test_it_walks_one_applicant_through_the_25_steps_to_regularization(world, applicant):
    assert applicant.step == 1
    walk(world, applicant, 16)
    assert applicant.member is None  # not a member before the upper committee approves

    walk(world, applicant, 17)
    member = applicant.member
    assert member is not None
    assert applicant.status == FileStatus.PROBATION
    assert member.category == Category.PROBATIONARY
    assert member.joined_date == dt.date(2023, 10, 10)  # the day the 支部大会 passed the admission
    assert member.organization == world.village
    assert member.id_number == applicant.id_number
    period = MembershipPeriod.objects.get(member=member)
    assert (period.organization, period.start, period.end) == (world.village, dt.date(2023, 10, 10), None)

    walk(world, applicant, 25)
    member.refresh_from_db()
    assert applicant.status == FileStatus.ARCHIVED
    assert applicant.step == 25
    assert member.category == Category.FULL
    assert member.regularized_date == dt.date(2024, 10, 10)  # one year from the branch vote
    assert StepRecord.objects.filter(applicant=applicant).count() == 25

    log = list(steps_for(applicant))
    assert len(log) == 25
    assert [s.decision for s in log if s.step == "上级党委审批"] == ["pass", "pass"]
    assert {s.organization for s in log if s.step == "上级党委审批"} == {world.town}
    vote = StepRecord.objects.get(applicant=applicant, step=15).vote
    assert (vote.expected, vote.present, vote.yes) == (2, 2, 2)
    assert "应到会有表决权的正式党员2人" in vote.arithmetic

    texts = [(e.date, e.kind, e.text) for e in timeline.entries(member)]
    assert (dt.date(2022, 1, 10), "发展党员", "第1步 递交入党申请书") in texts
    assert (dt.date(2024, 11, 1), "发展党员", "第24步 上级党委审批：按期转正") in texts
    assert (dt.date(2023, 10, 10), "人员类别", "入党，为预备党员") in texts
    assert (dt.date(2024, 10, 10), "人员类别", "转为正式党员") in texts
    assert texts[0][0] == dt.date(2024, 11, 15)  # newest first: the archive


def test_the_new_probationary_member_does_not_vote_on_their_own_regularization(world, applicant):
    walk(world, applicant, 22)
    from dangjian.development.services import expected_voters

    voters = set(expected_voters(world.village, dt.date(2024, 10, 10)))
    assert voters == {world.zhangsan, world.lisi}
