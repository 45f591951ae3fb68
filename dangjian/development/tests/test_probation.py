"""预备期考察 (step 21 继续教育考察): assessments recorded during probation (an extended one too),
due on the due list, and checked at the regularization vote as an advisory warning kept on the
step (RULES.md gives no hard rule for probation assessments)."""

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.core.errors import DomainError
from dangjian.development import reports, services
from dangjian.development.models import AssessmentKind, StepRecord

from .conftest import walk

D = dt.date
MISSING = "没有预备期考察记录"


def assess(world, applicant, day):
    return services.record_assessment(actor=world.branch_admin, applicant=applicant, date=day, note="表现良好")


def refused_assessment(world, applicant, day, message):
    with pytest.raises(DomainError) as caught:
        assess(world, applicant, day)
    assert message in str(caught.value), str(caught.value)


def test_probation_assessments_are_recorded_from_the_admission_to_the_regularization_vote(world, applicant):
    walk(world, applicant, 16)  # voted, not yet approved: not a probationary member yet
    refused_assessment(world, applicant, D(2023, 12, 1), "预备期考察从接收为预备党员起、到支部大会讨论转正前登记")
    walk(world, applicant, 17)
    refused_assessment(world, applicant, D(2023, 10, 9), "预备期从支部大会通过之日2023-10-10算起")
    first = assess(world, applicant, D(2023, 10, 10))  # probation counts from the branch vote
    assert first.kind == AssessmentKind.PROBATION
    walk(world, applicant, 23)
    refused_assessment(world, applicant, D(2024, 10, 20), "到支部大会讨论转正前登记")
    # the activist's assessments stay what they were
    assert sorted(applicant.assessments.values_list("kind", flat=True)) == ["activist", "activist", "probation"]


@pytest.mark.parametrize(
    ("assessed", "warned"),
    [
        ((), "截至2024-04-10、2024-10-10的半年内" + MISSING),
        ((D(2024, 3, 1),), "截至2024-10-10的半年内" + MISSING),
        ((D(2024, 4, 10), D(2024, 9, 1)), "截至2024-04-10的半年内" + MISSING),  # 04-10 opens the second half
        ((D(2024, 4, 9), D(2024, 10, 9)), None),  # the last day of each half year
        ((D(2024, 3, 1), D(2024, 9, 1)), None),
    ],
)
def test_the_regularization_vote_warns_of_half_years_without_an_assessment(world, applicant, assessed, warned):
    walk(world, applicant, 21)
    for day in assessed:
        assess(world, applicant, day)
    walk(world, applicant, 23)  # 2024-10-10: advisory, the vote goes through either way
    record = StepRecord.objects.get(applicant=applicant, step=23)
    found = [w for w in record.warnings if MISSING in w]
    assert found == ([] if warned is None else [found[0]])
    if warned:
        assert warned in found[0]
        assert "每半年考察一次" in found[0]


def test_an_extended_probation_has_its_own_half_years(world, applicant):
    walk(world, applicant, 21)
    for day in (D(2024, 3, 1), D(2024, 9, 1)):
        assess(world, applicant, day)
    walk(world, applicant, 22)
    services.enter_step(
        actor=world.branch_admin,
        applicant=applicant,
        step=23,
        date=D(2024, 10, 10),
        data=services.StepInput(
            outcome="extend", extension_months=6, vote={"present": 2, "yes": 2, "no": 0, "abstain": 0}
        ),
    )
    assert not [w for w in StepRecord.objects.get(applicant=applicant, step=23).warnings if MISSING in w]
    services.enter_step(
        actor=world.town_admin, applicant=applicant, step=24, date=D(2024, 11, 1), data=services.StepInput()
    )
    applicant.refresh_from_db()
    assert (applicant.round, applicant.step) == (1, 21)
    # extended to 2025-04-10: a third half year, due on the list
    items = reports.due_items(world.town_admin, world.town, D(2025, 3, 20))
    assert [(i.kind, i.due, i.overdue) for i in items] == [
        ("预备期考察", D(2025, 4, 10), False),
        ("预备期届满", D(2025, 4, 10), False),
    ]
    vote = {"present": 2, "yes": 2, "no": 0, "abstain": 0}
    services.enter_step(
        actor=world.branch_admin, applicant=applicant, step=22, date=D(2025, 4, 1), data=services.StepInput()
    )
    result = services.enter_step(
        actor=world.branch_admin,
        applicant=applicant,
        step=23,
        date=D(2025, 4, 10),
        data=services.StepInput(outcome="regularize", vote=vote),
    )
    assert any("截至2025-04-10的半年内" + MISSING in w for w in result.warnings)


def test_an_assessment_recorded_in_an_extended_probation(world, applicant):
    walk(world, applicant, 22)
    services.enter_step(
        actor=world.branch_admin,
        applicant=applicant,
        step=23,
        date=D(2024, 10, 10),
        data=services.StepInput(
            outcome="extend", extension_months=6, vote={"present": 2, "yes": 2, "no": 0, "abstain": 0}
        ),
    )
    refused_assessment(world, applicant, D(2024, 10, 20), "到支部大会讨论转正前登记")  # awaiting approval
    services.enter_step(
        actor=world.town_admin, applicant=applicant, step=24, date=D(2024, 11, 1), data=services.StepInput()
    )
    assert assess(world, applicant, D(2025, 1, 15)).kind == AssessmentKind.PROBATION


@pytest.mark.parametrize(
    ("today", "assessed", "items"),
    [
        (D(2024, 3, 10), (), []),  # 2024-04-10 is 31 days away
        (D(2024, 3, 11), (), [("预备期考察", D(2024, 4, 10), False)]),  # 30 days away
        (D(2024, 4, 11), (), [("预备期考察", D(2024, 4, 10), True)]),
        (D(2024, 4, 11), (D(2024, 3, 1),), []),
        (D(2024, 5, 1), (D(2024, 4, 20),), [("预备期考察", D(2024, 4, 10), True)]),  # the first half still lacks one
        (
            D(2024, 9, 20),
            (D(2024, 3, 1),),
            [("预备期考察", D(2024, 10, 10), False), ("预备期届满", D(2024, 10, 10), False)],
        ),
    ],
)
def test_probation_assessments_on_the_due_list(world, applicant, today, assessed, items):
    walk(world, applicant, 21)
    for day in assessed:
        assess(world, applicant, day)
    found = reports.due_items(world.town_admin, world.town, today)
    assert [(i.kind, i.due, i.overdue) for i in found] == items


def test_the_due_page_and_api_show_a_probation_assessment(world, applicant):
    walk(world, applicant, 21)
    client = world.client(world.branch_admin)
    page = client.get(reverse("development:due")).text
    assert "预备期考察" in page and "应在2024-04-10前完成本半年的预备期考察" in page
    body = client.get("/api/v1/development-files/due/").json()
    found = [(i["kind"], i["due"], i["overdue"]) for i in body]
    assert ("预备期考察", "2024-04-10", True) in found and ("预备期届满", "2024-10-10", True) in found
    response = client.post(
        f"/api/v1/development-files/{applicant.pk}/assessment/",
        {"date": "2024-03-01", "note": "表现良好"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["assessments"][-1] == {"kind": "probation", "date": "2024-03-01", "note": "表现良好"}
    body = client.get("/api/v1/development-files/due/").json()  # now the second half year lacks one
    assert [i["due"] for i in body if i["kind"] == "预备期考察"] == ["2024-10-10"]
