"""The step form of a file (issue 15): each step shows and keeps its own fields only; a step the
acting user may not enter is not offered; a refusal, of the rules or of the role, shows the form
again with what was typed and the reason, never a 403 page; a page left open while someone else
entered the step is refused, not given to the step after. And the words: every message of member
development cites the regulation (《中国共产党发展党员工作细则》第N条) or nothing."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from dangjian.core.audit import Event
from dangjian.core.models import AuditEvent
from dangjian.development import rules, services
from dangjian.development.forms import StepForm
from dangjian.development.models import IntervalRule

from .conftest import walk

D = dt.date
VOTE = {"present", "yes", "no", "abstain", "written_yes", "excluded", "excluded_reason"}
# What each step is entered with besides its date and 情况说明 (the 25 steps of the flow chart).
OWN_FIELDS: dict[int, set[str]] = {
    2: {"people"},  # 谈话人
    5: {"people"},  # 培养联系人
    9: {"people"},  # 入党介绍人
    10: {"review_passed"},
    11: {"training_days", "training_hours"},
    13: {"reject"},
    15: VOTE,
    16: {"people"},  # 上级党委派人谈话
    17: {"reject"},
    19: {"party_group"},
    23: VOTE | {"outcome", "extension_months"},
    24: {"reject"},
}


@pytest.mark.parametrize("step", range(2, 26))
def test_each_step_form_has_the_fields_of_its_step_only(step):
    form = StepForm(step=step)
    assert set(form.fields) == {"date", "note"} | OWN_FIELDS.get(step, set())


def test_the_people_field_is_named_for_the_step():
    assert StepForm(step=2).fields["people"].label == "谈话人"
    assert str(StepForm(step=5).fields["people"].label).startswith("培养联系人")
    assert str(StepForm(step=9).fields["people"].label).startswith("入党介绍人")


def test_the_talk_page_shows_no_vote_review_or_extension(world, applicant):
    page = world.client(world.branch_admin).get(reverse("development:detail", args=[applicant.pk])).text
    assert "办理第2步：党组织派人谈话" in page and ">谈话人" in page
    for label in ("政审结论", "延长预备期", "赞成", "集中培训天数", "讨论结果", "编入党小组", "上级党委不同意"):
        assert label not in page, label


def test_the_step_keeps_only_what_it_records(world, applicant):
    """The API (or any caller) sending a 政审结论 and training hours with a 谈话: not kept."""
    client = world.client(world.branch_admin)
    body = {"step": 2, "date": "2022-01-25", "members": [world.zhangsan.pk], "review_passed": True}
    response = client.post(
        f"/api/v1/development-files/{applicant.pk}/step/", body | {"training_days": 5}, "application/json"
    )
    assert response.status_code == 200, response.json()
    record = applicant.steps.get(step=2)
    assert (record.review_passed, record.training_days) == (None, None)


def test_the_api_refuses_the_people_under_the_field_it_was_sent_in(world, applicant):
    response = world.client(world.branch_admin).post(
        f"/api/v1/development-files/{applicant.pk}/step/", {"step": 2, "date": "2022-01-25"}, "application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"members": ["请选择谈话人"]}


def test_who_may_enter_a_step_is_the_service_s_rule(world, applicant):
    walk(world, applicant, 3)
    refusal = services.step_refusal(world.branch_admin, applicant, 4)
    assert refusal == "第4步“上级党委备案”须由上级党委办理，党支部不能自行录入"
    assert services.step_refusal(world.town_admin, applicant, 4) is None
    assert services.step_refusal(world.county_admin, applicant, 4) is None
    assert services.step_refusal(world.branch_admin, applicant, 5) is None
    assert services.step_refusal(world.member_user, applicant, 5) == "您当前的角色无权办理发展党员"


def test_a_step_of_the_upper_committee_is_not_offered_to_the_branch(world, applicant):
    walk(world, applicant, 3)
    url = reverse("development:detail", args=[applicant.pk])
    page = world.client(world.branch_admin).get(url).text
    assert "办理第4步" not in page and 'name="step"' not in page
    assert "下一步：第4步“上级党委备案”" in page and "须由上级党委办理，党支部不能自行录入" in page
    assert "办理第4步：上级党委备案" in world.client(world.town_admin).get(url).text


def test_the_people_are_picked_in_the_branch_and_the_upper_talk_in_the_town(world, applicant):
    """The branch names its own members (谈话人, 培养联系人, 入党介绍人: the picker searches the
    branch); the upper committee's 谈话 is held by whom the town sends, so its picker searches
    the town's scope and takes a member of another branch."""
    url = reverse("development:detail", args=[applicant.pk])
    branch_page = world.client(world.branch_admin).get(url).text
    assert f"within={applicant.organization.pk}" in branch_page
    walk(world, applicant, 15)
    town = world.client(world.town_admin)
    town_page = town.get(url).text
    assert "办理第16步：上级党委派人谈话" in town_page and "within=" not in town_page
    outsider = world.wangfang  # of the community branch, in the town's scope
    assert outsider.organization != applicant.organization
    town.post(url, {"step": 16, "date": "2023-10-20", "people": [outsider.pk]})
    applicant.refresh_from_db()
    assert applicant.step == 16
    talk = applicant.steps.get(step=16)
    assert [actor.member for actor in talk.actors.all()] == [outsider]


def test_a_refusal_of_the_role_shows_the_input_again_not_a_403(world, applicant):
    walk(world, applicant, 3)
    url = reverse("development:detail", args=[applicant.pk])
    response = world.client(world.branch_admin).post(url, {"step": 4, "date": "2022-07-20", "note": "镇党委已备案"})
    assert response.status_code == 200
    assert "须由上级党委办理，党支部不能自行录入" in response.text
    assert 'value="镇党委已备案"' in response.text and 'value="2022-07-20"' in response.text
    applicant.refresh_from_db()
    assert applicant.step == 3
    assert AuditEvent.objects.filter(event=Event.PERMISSION_DENIED, actor=world.branch_admin).exists()


def test_a_page_left_open_is_refused_not_given_to_the_step_after(world, applicant):
    """The branch opened the file at step 2 (谈话) and typed; meanwhile the town entered it. The
    submit is refused with the reason, and the form of step 3 keeps the date and note typed."""
    walk(world, applicant, 2)
    data = {"step": 2, "date": "2022-01-26", "note": "支部书记谈话", "people": [world.zhangsan.pk]}
    response = world.client(world.branch_admin).post(reverse("development:detail", args=[applicant.pk]), data)
    assert response.status_code == 200
    assert "第2步“党组织派人谈话”已办理，下一步应为第3步“推荐和确定入党积极分子”" in response.text
    assert "办理第3步：推荐和确定入党积极分子" in response.text
    assert 'value="支部书记谈话"' in response.text
    applicant.refresh_from_db()
    assert applicant.step == 2


def test_assessments_and_publicity_are_offered_only_when_the_file_takes_them(world, applicant):
    client = world.client(world.branch_admin)
    url = reverse("development:detail", args=[applicant.pk])
    page = client.get(url).text  # step 1: neither an activist nor past the talk
    assert "登记考察" not in page and "登记公示" not in page
    assert "培养考察从确定为入党积极分子起" in page
    walk(world, applicant, 2)
    page = client.get(url).text
    assert "登记公示" in page and "拟确定入党积极分子公示" in page and "拟确定发展对象公示" not in page
    assert "登记考察" not in page
    walk(world, applicant, 3)
    page = client.get(url).text
    assert "登记考察" in page and "登记公示" not in page


# --- the words ------------------------------------------------------------------------------


def test_the_rule_texts_read_as_written_by_an_official():
    texts = {rule.code: rule.text for rule in rules.DEFAULT_INTERVALS}
    assert texts["age"] == "递交入党申请书时应年满18周岁（《中国共产党发展党员工作细则》第五条）"
    assert texts["target_after_year"] == (
        "第7步“确定发展对象”应在第3步“推荐和确定入党积极分子”满1年后办理（《中国共产党发展党员工作细则》第十三条）"
    )
    assert texts["talk"] == (
        "第2步“党组织派人谈话”应在第1步“递交入党申请书”后1个月内办理（《中国共产党发展党员工作细则》第七条）"
    )
    assert texts["activist_wait"] == "第3步“推荐和确定入党积极分子”应在第1步“递交入党申请书”满6个月后办理"
    assert texts["probation_year"].endswith("满1年后办理（《中国共产党章程》第七条）")
    for rule in rules.DEFAULT_INTERVALS:
        assert rule.source == "" or rule.source.startswith(("《中国共产党发展党员工作细则》第", "《中国共产党章程》第"))
    problem = rules.interval_problem(rules.DEFAULT_INTERVALS[0], D(2005, 3, 1), D(2023, 2, 28))
    assert problem == (
        "递交入党申请书时应年满18周岁（《中国共产党发展党员工作细则》第五条）："
        "出生日期为2005-03-01，2023-03-01年满18周岁，所填日期为2023-02-28"
    )


def _literals(path: Path) -> list[str]:
    """The strings a module holds, but its docstrings and comments (f-strings: their text)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_message_cites_our_notes_or_a_shortened_title():
    """What a user reads cites 《中国共产党发展党员工作细则》 and 《中国共产党章程》 by their names,
    never RULES.md, a shortened title, 党章 or 部分地方规定 (which the rule table shipped)."""
    app = Path(rules.__file__).parent
    code = [path for path in sorted(app.rglob("*.py")) if not {"tests", "migrations"} & set(path.parts)]
    assert app / "services" / "steps.py" in code  # the packages' modules too
    texts = [text for path in code for text in _literals(path)]
    texts += [path.read_text(encoding="utf-8") for path in sorted(app.glob("templates/**/*.html"))]
    texts += [rule.source for rule in rules.DEFAULT_INTERVALS]
    for text in texts:
        for wrong in ("《发展党员工作细则》", "RULES", "§", "党章第", "部分地方规定", "年满18年", "不得早于"):
            assert wrong not in text, (wrong, text)


@pytest.mark.django_db
def test_the_migration_rewrites_the_shipped_sources_and_leaves_the_county_s():
    from importlib import import_module

    migration = import_module("dangjian.development.migrations.0005_rule_sources")
    IntervalRule.objects.filter(code="age").update(source="《发展党员工作细则》第五条：年满十八岁")
    IntervalRule.objects.filter(code="activist_wait").update(source="部分地方规定：递交申请半年以上方可确定为积极分子")
    IntervalRule.objects.filter(code="talk").update(source="本县规定")
    migration.forward(django_apps, None)
    sources = dict(IntervalRule.objects.values_list("code", "source"))
    assert (sources["age"], sources["activist_wait"], sources["talk"]) == (
        "《中国共产党发展党员工作细则》第五条",
        "",
        "本县规定",
    )


def test_a_rule_may_cite_nothing(world):
    rule = IntervalRule.objects.get(code="talk")
    services.set_rule(actor=world.county_admin, rule=rule, amount=1, blocking=False, active=True, source="")
    rule.refresh_from_db()
    assert rule.source == "" and rule.as_rule().text.endswith("后1个月内办理")
