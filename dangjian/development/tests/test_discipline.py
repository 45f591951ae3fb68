"""留党察看 in member development (RULES.md §1.2 step 9, §1.3, §6.1): a member under it cannot be an
introducer and has no vote, so the branch meeting's expected count leaves them out by itself."""

import datetime as dt

import pytest

from dangjian.core.errors import DomainError
from dangjian.development import services
from dangjian.discipline.services import record_sanction, restore_rights

from .conftest import PATH, step_input, walk

D = dt.date


def probation(world, member, decided_on, months=12):
    return record_sanction(
        actor=world.county_admin,
        member=member,
        kind="probation",
        decided_on=decided_on,
        deciding_org=world.town,
        reason="违反组织纪律",
        months=months,
    )


def enter(world, applicant, step, **extra):
    date, who, default = PATH[step]
    actor = world.town_admin if who == "town" else world.branch_admin
    data = step_input(world, default | extra)
    return services.enter_step(actor=actor, applicant=applicant, step=step, date=date, data=data)


def test_an_introducer_under_probation_discipline_on_the_date_is_refused(world, applicant):
    walk(world, applicant, 8)
    probation(world, world.lisi, D(2023, 7, 25))  # the day of step 9: already in force
    with pytest.raises(DomainError) as caught:
        enter(world, applicant, 9)
    assert "李四受留党察看处分、尚未恢复党员权利，不能担任入党介绍人" in str(caught.value)
    assert applicant.steps.filter(step=9).count() == 0


def test_an_introducer_whose_rights_were_restored_before_the_date_may_introduce(world, applicant):
    sanction = probation(world, world.lisi, D(2022, 1, 5))
    restore_rights(actor=world.county_admin, sanction=sanction, date=D(2023, 1, 5))
    walk(world, applicant, 8)
    assert enter(world, applicant, 9).record.step == 9


def test_the_vote_leaves_out_a_member_under_probation_discipline_and_says_so(world, applicant):
    walk(world, applicant, 14)
    probation(world, world.lisi, D(2023, 10, 10))  # decided on the meeting day
    # Two full members, one under 留党察看: 1 expected, so 1 present voting yes passes.
    result = enter(world, applicant, 15, vote={"present": 1, "yes": 1, "no": 0, "abstain": 0})
    vote = result.record.vote
    assert vote.expected == 1
    assert vote.excluded == [{"member": world.lisi.pk, "name": "李四", "reason": services.DISCIPLINED, "rule": True}]


def test_the_branch_cannot_also_leave_out_a_member_the_rule_already_leaves_out(world, applicant):
    walk(world, applicant, 14)
    probation(world, world.lisi, D(2023, 6, 1))
    with pytest.raises(DomainError) as caught:
        enter(world, applicant, 15, excluded={world.lisi.pk: "留党察看"})
    assert "李四在会议当日处于留党察看期间，没有表决权，已不计入应到会人数" in str(caught.value)


def test_a_probation_discipline_ended_before_the_meeting_keeps_the_vote(world, applicant):
    sanction = probation(world, world.lisi, D(2022, 1, 5))
    restore_rights(actor=world.county_admin, sanction=sanction, date=D(2023, 1, 5))
    walk(world, applicant, 14)
    with pytest.raises(DomainError) as caught:  # both expected again: 1 present is no quorum
        enter(world, applicant, 15, vote={"present": 1, "yes": 1, "no": 0, "abstain": 0})
    assert "应到会有表决权的正式党员2人，实到1人" in str(caught.value)
