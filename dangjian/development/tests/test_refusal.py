"""The upper committee not approving the branch's resolution on a regularization (step 24 不同意,
党章第七条): a reason is required, nothing of the resolution takes effect, the file goes back to
the branch for a new step 23 in a new round, and the refusal stays in the step records, the
approval log and the member's timeline."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dangjian.approvals.services import steps_for
from dangjian.core.errors import DomainError
from dangjian.development import services
from dangjian.development.models import FileStatus, StepRecord
from dangjian.development.services import StepInput
from dangjian.members import timeline
from dangjian.members.models import Category, Status

from .conftest import walk

D = dt.date
VOTE = {"present": 2, "yes": 2, "no": 0, "abstain": 0}
REASON = "转正材料中预备期考察不充分"


def step(world, applicant, number, date, who="branch", **data):
    actor = world.town_admin if who == "town" else world.branch_admin
    return services.enter_step(actor=actor, applicant=applicant, step=number, date=date, data=StepInput(**data))


def refused(message, call, *args, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert message in str(caught.value), str(caught.value)


def member_state(member):
    member.refresh_from_db()
    return (member.category, member.regularized_date, member.status, member.organization_id)


def test_a_refused_regularization_goes_back_to_the_branch_and_a_second_vote_regularizes(world, applicant):
    walk(world, applicant, 23)  # the branch voted 2024-10-10 to regularize
    member = applicant.member
    before = member_state(member)
    logged = steps_for(applicant).count()
    refused("上级党委不同意时，请写明理由", step, world, applicant, 24, D(2024, 11, 1), "town", reject=True, note=" ")
    assert steps_for(applicant).count() == logged and not StepRecord.objects.filter(step=24).exists()

    step(world, applicant, 24, D(2024, 11, 1), "town", reject=True, note=REASON)
    applicant.refresh_from_db()
    assert (applicant.status, applicant.step, applicant.round) == (FileStatus.PROBATION, 22, 1)
    assert member_state(member) == before  # still a 预备党员, nothing regularized
    assert member.category == Category.PROBATIONARY and member.regularized_date is None
    refusal = StepRecord.objects.get(applicant=applicant, step=24, round=0)
    assert (refusal.refused, refusal.outcome, refusal.note) == (True, "regularize", REASON)
    entry = list(steps_for(applicant))[-1]
    assert (entry.step, entry.decision, entry.organization) == ("上级党委审批", "reject", world.town)
    assert entry.reason == f"不同意支部大会“按期转正”的决议，退回党支部重新讨论：{REASON}"
    texts = [e.text for e in timeline.entries(member)]
    assert "第24步 上级党委审批：不同意按期转正" in texts

    # The branch discusses again: step 23, after the refusal, not step 24 again.
    refused("下一步应为第23步", step, world, applicant, 24, D(2024, 12, 1), "town")
    refused(
        "日期不能早于已办理的“上级党委审批”的日期2024-11-01",
        step,
        world,
        applicant,
        23,
        D(2024, 10, 20),
        outcome="regularize",
        vote=VOTE,
    )
    step(world, applicant, 23, D(2024, 12, 5), outcome="regularize", vote=VOTE)
    step(world, applicant, 24, D(2024, 12, 20), "town")
    applicant.refresh_from_db()
    assert applicant.status == FileStatus.REGULARIZED
    member.refresh_from_db()
    # 党龄 from the end of probation (one year from the 2023-10-10 vote), not the approval date
    assert (member.category, member.regularized_date) == (Category.FULL, D(2024, 10, 10))
    log = [(s.step, s.decision) for s in steps_for(applicant) if s.step in ("支部大会讨论", "上级党委审批")]
    assert log[-4:] == [
        ("支部大会讨论", "pass"),
        ("上级党委审批", "reject"),
        ("支部大会讨论", "pass"),
        ("上级党委审批", "pass"),
    ]
    texts = [e.text for e in timeline.entries(member)]
    assert "第23步 支部大会讨论（上级党委不同意后重新讨论）：按期转正" in texts
    assert "第24步 上级党委审批（上级党委不同意后重新讨论）：按期转正" in texts


def test_a_refused_extension_does_not_count_as_the_one_extension(world, applicant):
    walk(world, applicant, 22)
    step(world, applicant, 23, D(2024, 10, 10), outcome="extend", extension_months=6, vote=VOTE)
    step(world, applicant, 24, D(2024, 10, 20), "town", reject=True, note="延长预备期的理由不充分")
    applicant.refresh_from_db()
    assert (applicant.round, applicant.step, applicant.extension_months) == (1, 22, 0)
    # The branch may still extend once (the refused extension was never in force) …
    step(world, applicant, 23, D(2024, 11, 5), outcome="extend", extension_months=12, vote=VOTE)
    step(world, applicant, 24, D(2024, 11, 20), "town")
    applicant.refresh_from_db()
    assert (applicant.round, applicant.step, applicant.extension_months) == (2, 21, 12)
    # … but not twice
    step(world, applicant, 22, D(2025, 10, 1))
    refused(
        "只能延长一次", step, world, applicant, 23, D(2025, 10, 10), outcome="extend", extension_months=6, vote=VOTE
    )
    step(world, applicant, 23, D(2025, 10, 10), outcome="regularize", vote=VOTE)
    step(world, applicant, 24, D(2025, 11, 1), "town")
    applicant.member.refresh_from_db()
    assert applicant.member.regularized_date == D(2025, 10, 10)  # probation 2023-10-10 + 1 year + 12 months
    # The page tells the rounds apart.
    page = world.client(world.branch_admin).get(reverse("development:detail", args=[applicant.pk])).text
    assert "上级党委不同意</span>" in page
    assert "23. 支部大会讨论（上级党委不同意后重新讨论）" in page
    assert "23. 支部大会讨论（延长预备期后）" in page


def test_a_refused_cancellation_leaves_the_member_on_the_roll(world, applicant):
    walk(world, applicant, 21)
    step(world, applicant, 22, D(2024, 3, 1))
    step(world, applicant, 23, D(2024, 3, 5), outcome="cancel", vote=VOTE)
    before = member_state(applicant.member)
    step(world, applicant, 24, D(2024, 3, 20), "town", reject=True, note="事实不清")
    applicant.refresh_from_db()
    assert member_state(applicant.member) == before and before[2] != Status.LEFT
    assert (applicant.status, applicant.step, applicant.round) == (FileStatus.PROBATION, 22, 1)


def test_only_the_upper_committee_refuses_and_through_the_api(world, applicant):
    walk(world, applicant, 23)
    # the branch cannot enter step 24
    with pytest.raises(PermissionDenied, match="第24步“上级党委审批”须由上级党委办理"):
        step(world, applicant, 24, D(2024, 11, 1), reject=True, note="x")
    client = world.client(world.town_admin)
    url = f"/api/v1/development-files/{applicant.pk}/step/"
    response = client.post(url, {"step": 24, "date": "2024-11-01", "reject": True}, content_type="application/json")
    assert response.status_code == 400 and "请写明理由" in str(response.json())
    response = client.post(
        url, {"step": 24, "date": "2024-11-01", "reject": True, "note": REASON}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["step"], body["status"]) == (22, "probation")
    assert body["steps"][-1] | {"warnings": []} == {
        "step": 24,
        "name": "上级党委审批",
        "round": 0,
        "date": "2024-11-01",
        "note": REASON,
        "outcome": "regularize",
        "refused": True,
        "warnings": [],
    }
