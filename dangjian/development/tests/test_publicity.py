"""公示: publicity periods recorded with the file and checked by the rule table's publicity rows
(at least 5 working days, Monday to Friday, no holiday calendar; advisory as shipped, blocking
when the county says so) before steps 3, 7, 17 and 24."""

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse

from dangjian.core.errors import DomainError
from dangjian.development import services
from dangjian.development.models import IntervalRule, Publicity, StepRecord
from dangjian.development.services import StepInput

from .conftest import PATH, walk

D = dt.date
RULE_TEXT = "公示期不少于5个工作日（按周一至周五计"


def publicize(world, applicant, step, start, end, result="无异议", actor=None):
    return services.record_publicity(
        actor=actor or world.branch_admin, applicant=applicant, step=step, start=start, end=end, result=result
    )


def publicity_warnings(applicant, step):
    return [w for w in StepRecord.objects.get(applicant=applicant, step=step).warnings if RULE_TEXT in w]


def test_a_step_without_its_publicity_warns_and_the_warning_is_kept(world, applicant):
    walk(world, applicant, 3)
    [warning] = publicity_warnings(applicant, 3)
    assert "“推荐和确定入党积极分子”前应在一定范围内公示" in warning
    assert "党组织派人谈话（2022-01-25）之后没有公示记录" in warning
    assert "未扣除法定节假日" in warning


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (D(2023, 7, 3), D(2023, 7, 7), None),  # Monday to Friday: 5 working days
        (D(2023, 7, 6), D(2023, 7, 12), None),  # Thursday to Wednesday, across a weekend: 5
        (D(2023, 7, 6), D(2023, 7, 11), "只有4个工作日"),  # Thursday to Tuesday: 4
        (D(2023, 7, 3), D(2023, 7, 6), "只有4个工作日"),  # Monday to Thursday: 4
        (D(2023, 7, 8), D(2023, 7, 14), None),  # Saturday to Friday: 5
    ],
)
def test_the_development_target_publicity_needs_five_working_days(world, applicant, start, end, message):
    walk(world, applicant, 6)
    publicize(world, applicant, 7, start, end)
    walk(world, applicant, 7)  # 2023-07-15
    found = publicity_warnings(applicant, 7)
    assert len(found) == (0 if message is None else 1)
    if message:
        assert message in found[0] and f"公示期{start:%Y-%m-%d}至{end:%Y-%m-%d}" in found[0]


def test_the_county_can_make_the_publicity_rule_blocking(world, applicant):
    rule = IntervalRule.objects.get(code="publicity_target")
    assert (rule.kind, rule.amount, rule.unit, rule.blocking, rule.active) == ("publicity", 5, "workdays", False, True)
    services.set_rule(actor=world.county_admin, rule=rule, amount=5, blocking=True, active=True, source="本县规定")
    walk(world, applicant, 6)
    publicize(world, applicant, 7, D(2023, 7, 3), D(2023, 7, 6))
    with pytest.raises(DomainError) as caught:
        walk(world, applicant, 7)
    assert "只有4个工作日" in str(caught.value) and "本县规定" in str(caught.value)
    applicant.refresh_from_db()
    assert applicant.step == 6
    publicize(world, applicant, 7, D(2023, 7, 7), D(2023, 7, 13))
    walk(world, applicant, 7)


@pytest.mark.parametrize(
    ("step", "start", "end", "result", "field", "message"),
    [
        (3, D(2022, 9, 1), D(2022, 9, 7), "无异议", "step", "该公示应在第2步“党组织派人谈话”之后、第3步"),
        (17, D(2022, 9, 1), D(2022, 9, 7), "无异议", "step", "该档案已办理至第6步"),
        (5, D(2022, 9, 1), D(2022, 9, 7), "无异议", "step", "公示事项应为"),
        (7, D(2022, 7, 31), D(2022, 8, 5), "无异议", "start", "不能早于“培养教育考察”的日期2022-08-01"),
        (7, D(2022, 9, 7), D(2022, 9, 1), "无异议", "end", "结束日期不能早于开始日期"),
        (7, D(2022, 9, 1), D(2099, 9, 7), "无异议", "end", "结束日期不能晚于今天"),
        (7, D(2022, 9, 1), D(2022, 9, 7), " ", "result", "请填写公示结果"),
    ],
)
def test_a_publicity_is_refused_out_of_its_window_or_incomplete(
    world, applicant, step, start, end, result, field, message
):
    walk(world, applicant, 6)
    with pytest.raises(DomainError) as caught:
        publicize(world, applicant, step, start, end, result)
    assert any(message in m for m in caught.value.errors.get(field, [])), caught.value.errors
    assert not Publicity.objects.exists()


def test_a_publicity_is_recorded_only_in_scope(world, applicant):
    walk(world, applicant, 2)
    with pytest.raises(Http404):
        publicize(world, applicant, 3, D(2022, 7, 4), D(2022, 7, 8), actor=world.other_admin)


def test_the_admission_publicity_follows_the_branch_vote(world, applicant):
    walk(world, applicant, 14)
    with pytest.raises(DomainError, match="第15步“支部大会讨论”之后"):
        publicize(world, applicant, 17, D(2023, 9, 25), D(2023, 9, 29))
    walk(world, applicant, 16)
    publicize(world, applicant, 17, D(2023, 10, 16), D(2023, 10, 20), "收到一条反映，经核实不影响发展")
    walk(world, applicant, 17)
    assert publicity_warnings(applicant, 17) == []
    publicity = applicant.publicity.get()
    assert (publicity.step, publicity.working_days, publicity.result) == (17, 5, "收到一条反映，经核实不影响发展")


def test_the_regularization_publicity_is_checked_before_approving_a_regularization_only(world, applicant):
    walk(world, applicant, 23)  # the first vote: 2024-10-10
    publicize(world, applicant, 24, D(2024, 10, 14), D(2024, 10, 18))
    result = services.enter_step(
        actor=world.town_admin, applicant=applicant, step=24, date=D(2024, 11, 1), data=StepInput(reject=True, note="x")
    )
    assert not [w for w in result.warnings if RULE_TEXT in w]  # a refusal needs no publicity
    services.enter_step(
        actor=world.branch_admin, applicant=applicant, step=23, date=D(2024, 11, 5), data=StepInput(**PATH[23][2])
    )
    with pytest.raises(DomainError, match="公示开始日期不能早于“支部大会讨论”的日期2024-11-05"):
        publicize(world, applicant, 24, D(2024, 11, 4), D(2024, 11, 8))
    # The first round's publicity was of the refused resolution: the new one needs its own.
    result = services.enter_step(actor=world.town_admin, applicant=applicant, step=24, date=D(2024, 11, 20), data=None)
    [warning] = [w for w in result.warnings if RULE_TEXT in w]
    assert "“上级党委审批”前应在一定范围内公示" in warning and "支部大会讨论（2024-11-05）之后没有公示记录" in warning
    assert [p.round for p in applicant.publicity.all()] == [0]


def test_no_regularization_publicity_for_an_extension(world, applicant):
    walk(world, applicant, 22)
    vote = {"present": 2, "yes": 2, "no": 0, "abstain": 0}
    services.enter_step(
        actor=world.branch_admin,
        applicant=applicant,
        step=23,
        date=D(2024, 10, 10),
        data=StepInput(outcome="extend", extension_months=6, vote=vote),
    )
    result = services.enter_step(actor=world.town_admin, applicant=applicant, step=24, date=D(2024, 11, 1), data=None)
    assert not [w for w in result.warnings if RULE_TEXT in w]


def test_publicity_through_the_page_and_the_api(world, applicant):
    client = world.client(world.branch_admin)
    url = reverse("development:detail", args=[applicant.pk])
    data = {"publicity_step": 3, "starts": "2022-07-04", "ends": "2022-07-08", "result": "无异议"}
    response = client.post(url, data | {"ends": "2022-07-01"})
    assert response.status_code == 200
    assert "公示结束日期不能早于开始日期" in response.text
    assert not Publicity.objects.exists()
    walk(world, applicant, 2)
    assert client.post(url, data).status_code == 302
    page = client.get(url).text
    assert "拟确定入党积极分子公示：2022-07-04至2022-07-08（5个工作日）无异议" in page
    api = f"/api/v1/development-files/{applicant.pk}/publicity/"
    response = client.post(
        api,
        {"step": 7, "start": "2022-07-04", "end": "2022-07-08", "result": "无异议"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "该公示应在第6步" in str(response.json())
    response = client.post(
        api,
        {"step": 3, "start": "2022-07-06", "end": "2022-07-12", "result": "无异议"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["publicity"][-1] == {
        "step": 3,
        "round": 0,
        "start": "2022-07-06",
        "end": "2022-07-12",
        "working_days": 5,
        "result": "无异议",
    }
    assert world.client(world.other_admin).post(api, {}, content_type="application/json").status_code == 404


def test_the_rule_page_shows_the_publicity_rows_in_working_days(world):
    page = world.client(world.branch_admin).get(reverse("development:rules")).text
    assert "公示：2. 党组织派人谈话之后、3. 推荐和确定入党积极分子之前，至少" in page
    assert "个工作日" in page and "周一至周五" in page
    assert IntervalRule.objects.filter(kind="publicity", active=True, blocking=False).count() == 4
