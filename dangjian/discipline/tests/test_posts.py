"""What a sanction does to party posts (《中国共产党纪律处分条例》, RULES.md §6.1): 留党察看 and
开除党籍 end every post on the decision date, 撤销党内职务 the post the decision names; during a
留党察看 no post at all, and for two years (after the restoration, or after the 撤销党内职务) no
post equal to or higher than the one taken away. Through the services, the pages and the API."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.dates import add_months, add_years
from dangjian.core.errors import DomainError
from dangjian.discipline import rules, services
from dangjian.discipline.models import Sanction
from dangjian.elections import rules as post_rules
from dangjian.elections.models import Officer, Position, Term
from dangjian.elections.services import appoint_officer, members_who_may_stand, start_term
from dangjian.elections.structure import structure_report
from dangjian.elections.views import OfficerForm
from dangjian.orgs.models import OrgKind

D = dt.date
P = Position


START = D(2021, 3, 1)
DECIDED = D(2024, 3, 15)


def committees(world, start=START):
    """张三 is secretary of 兴丰村 and 组织委员 of 坪塘镇; 李四 is 兴丰村's 组织委员."""
    village = start_term(actor=world.county_admin, organization=world.village, start=start)
    town = start_term(actor=world.county_admin, organization=world.town, start=start)
    posts = {
        "secretary": appoint_officer(
            actor=world.county_admin, term=village, position=P.SECRETARY, member=world.zhangsan, since=start
        ),
        "town": appoint_officer(
            actor=world.county_admin, term=town, position=P.ORGANIZATION, member=world.zhangsan, since=start
        ),
        "lisi": appoint_officer(
            actor=world.county_admin, term=village, position=P.ORGANIZATION, member=world.lisi, since=start
        ),
    }
    return village, town, posts


def removal(world, post, decided=DECIDED, **changes):
    values = {
        "actor": world.town_admin,
        "member": world.zhangsan,
        "kind": "removal_from_post",
        "decided_on": decided,
        "deciding_org": world.town,
        "reason": "违反工作纪律",
        "post": post,
    }
    return services.record_sanction(**(values | changes))


def refresh(*officers):
    return [Officer.objects.get(pk=officer.pk) for officer in officers]


def test_probation_ends_every_party_post_on_the_decision_date(world, make_probation):
    _, _, posts = committees(world)
    sanction = make_probation(world)  # 2023-01-15
    secretary, town, lisi = refresh(posts["secretary"], posts["town"], posts["lisi"])
    assert (secretary.until, town.until) == (D(2023, 1, 15), D(2023, 1, 15))
    assert secretary.removal == "受到留党察看处分，党内职务自然撤销"
    assert lisi.until is None  # 李四's post is not touched
    assert set(sanction.removed_posts.all()) == {secretary, town}
    assert secretary.history.first().history_user == world.town_admin  # in the record history, by the recorder


def test_a_post_taken_after_the_decision_date_ends_too(world, make_probation):
    """A decision entered late: the appointment made meanwhile ends on its own first day."""
    _, _, posts = committees(world, start=D(2023, 6, 1))
    make_probation(world)  # decided 2023-01-15, before the appointment
    [secretary] = refresh(posts["secretary"])
    assert secretary.until == D(2023, 6, 1)


def test_expulsion_ends_the_posts(world):
    _, _, posts = committees(world)
    services.record_sanction(
        actor=world.town_admin,
        member=world.zhangsan,
        kind="expulsion",
        decided_on=D(2024, 5, 1),
        deciding_org=world.town,
        reason="严重违纪",
    )
    assert {o.until for o in refresh(posts["secretary"], posts["town"])} == {D(2024, 5, 1)}


def test_removal_from_post_ends_the_post_the_decision_names_and_no_other(world):
    _, _, posts = committees(world)
    sanction = removal(world, posts["secretary"])
    secretary, town = refresh(posts["secretary"], posts["town"])
    assert (secretary.until, secretary.removal) == (D(2024, 3, 15), "受到撤销党内职务处分")
    assert town.until is None
    assert list(sanction.removed_posts.all()) == [secretary]


def test_removal_from_post_needs_a_post_the_member_held_on_the_date(world):
    with pytest.raises(DomainError) as none_held:
        removal(world, None)
    assert none_held.value.errors == {
        "post": [
            "张三没有登记党内职务：应当受到撤销党内职务处分但本人没有担任党内职务的，"
            "应当给予严重警告处分（《中国共产党纪律处分条例》）"
        ]
    }
    _, _, posts = committees(world)
    with pytest.raises(DomainError) as missing:
        removal(world, None)
    assert missing.value.errors == {"post": ["请选择撤销的党内职务"]}
    with pytest.raises(DomainError) as other:
        removal(world, posts["lisi"])
    assert other.value.errors == {"post": ["所选职务不是张三担任的党内职务"]}
    with pytest.raises(DomainError) as outside:
        removal(world, Officer(pk=999999))
    assert outside.value.errors == {"post": ["所选职务不是张三担任的党内职务"]}
    with pytest.raises(DomainError) as before:
        removal(world, posts["secretary"], decided=D(2021, 1, 10))
    assert before.value.errors == {
        "post": ["张三自2021-03-01起担任中共兴丰村支部委员会书记，处分决定日期2021-01-10不在任职期间"]
    }
    with pytest.raises(DomainError) as wrong_kind:
        removal(world, posts["secretary"], kind="warning")
    assert wrong_kind.value.errors == {"post": ["只有撤销党内职务需要选择所撤销的职务"]}
    assert not Sanction.objects.exists()
    assert [o.until for o in refresh(*posts.values())] == [None, None, None]


def test_no_post_while_under_probation_and_no_one_offers_it(world, make_probation):
    village, _, _ = committees(world)
    today = timezone.localdate()
    make_probation(world, decided=add_months(today, -3), months=24)
    assert world.zhangsan not in members_who_may_stand(world.village)
    form = OfficerForm(organization=world.village)
    assert world.zhangsan not in form.fields["member"].queryset  # type: ignore[attr-defined]
    with pytest.raises(DomainError) as refused:
        appoint_officer(actor=world.county_admin, term=village, position=P.MEMBER, member=world.zhangsan, since=today)
    [message] = refused.value.errors["member"]
    assert message.startswith("张三正在留党察看期间") and "没有表决权、选举权和被选举权，不能担任党内职务" in message
    assert "《中国共产党基层组织选举工作条例》第五条" in message


def test_past_its_end_but_not_restored_still_no_post(world, make_probation):
    village, _, _ = committees(world)
    make_probation(world)  # 2023-01-15 for a year: over on 2024-01-15, rights not restored
    with pytest.raises(DomainError, match="留党察看已于2024-01-15期满，尚未恢复党员权利，不能担任党内职务"):
        appoint_officer(
            actor=world.county_admin, term=village, position=P.MEMBER, member=world.zhangsan, since=D(2024, 6, 1)
        )


def test_two_years_after_restoration_no_equal_or_higher_post(world, make_probation):
    today = timezone.localdate()
    decided = add_months(today, -18)
    village, _, _ = committees(world, start=add_months(today, -24))
    sanction = make_probation(world, decided=decided)
    restored = add_months(decided, 12)
    services.restore_rights(actor=world.town_admin, sanction=sanction, date=restored)
    term = Term.objects.get(pk=village.pk)
    with pytest.raises(DomainError) as refused:
        appoint_officer(actor=world.county_admin, term=term, position=P.SECRETARY, member=world.zhangsan, since=today)
    assert refused.value.errors["member"] == [
        f"张三于{restored:%Y-%m-%d}恢复党员权利，二年内（至{add_years(restored, 2):%Y-%m-%d}）"
        "不得担任与原任职务（中共兴丰村支部委员会书记）相当或者高于原任职务的职务（《中国共产党纪律处分条例》）"
    ]
    assert world.zhangsan in members_who_may_stand(world.village)  # a lower post is open to him
    lower = appoint_officer(
        actor=world.county_admin, term=term, position=P.PROPAGANDA, member=world.zhangsan, since=today
    )
    assert lower.until is None


def test_removal_from_post_bars_an_equal_or_higher_post_for_two_years(world):
    today = timezone.localdate()
    village, _, posts = committees(world, start=add_months(today, -24))
    removal(world, posts["secretary"], decided=add_months(today, -6))
    with pytest.raises(DomainError, match=r"不得担任与原任职务（中共兴丰村支部委员会书记）相当或者高于"):
        appoint_officer(
            actor=world.county_admin, term=village, position=P.SECRETARY, member=world.zhangsan, since=today
        )
    # 张三 stays 组织委员 of the town committee, which is higher: the sanction took one post only.
    assert Officer.objects.get(pk=posts["town"].pk).until is None
    appointed = appoint_officer(
        actor=world.county_admin, term=village, position=P.MEMBER, member=world.zhangsan, since=today
    )
    assert appointed.pk


def test_a_back_dated_appointment_into_the_probation_is_refused(world, make_probation):
    today = timezone.localdate()
    village, _, _ = committees(world, start=add_months(today, -30))
    sanction = make_probation(world, decided=add_months(today, -28))
    services.restore_rights(actor=world.town_admin, sanction=sanction, date=add_months(today, -16))
    with pytest.raises(DomainError, match="正在留党察看期间"):
        appoint_officer(
            actor=world.county_admin,
            term=village,
            position=P.MEMBER,
            member=world.zhangsan,
            since=add_months(today, -20),
        )


@pytest.mark.parametrize(
    ("on", "post", "problem"),
    [
        (D(2023, 1, 14), P.SECRETARY, None),  # before the decision
        (D(2023, 1, 15), P.MEMBER, "正在留党察看期间"),
        (D(2024, 1, 14), P.MEMBER, "正在留党察看期间"),
        (D(2024, 1, 15), P.MEMBER, "留党察看已于2024-01-15期满，尚未恢复党员权利"),  # restored on 2024-02-01
        (D(2024, 2, 1), P.SECRETARY, "恢复党员权利，二年内（至2026-02-01）"),
        (D(2024, 2, 1), P.ORGANIZATION, "恢复党员权利，二年内（至2026-02-01）"),  # equal
        (D(2024, 2, 1), P.PROPAGANDA, "恢复党员权利，二年内（至2026-02-01）"),  # 委员: equal to 组织委员
        (D(2026, 1, 31), P.SECRETARY, "恢复党员权利，二年内（至2026-02-01）"),
        (D(2026, 2, 1), P.SECRETARY, None),  # two years over
    ],
)
def test_office_rule_of_a_restored_probation(on, post, problem):
    probation = rules.SanctionOnPosts(
        kind="probation",
        decided_on=D(2023, 1, 15),
        effect_until=D(2024, 1, 15),
        ending="restored",
        ended_on=D(2024, 2, 1),
        posts=(post_rules.Post(P.ORGANIZATION, OrgKind.BRANCH, 3, "中共兴丰村支部委员会"),),
    )
    found = rules.office_problem(
        "张三", [probation], post_rules.Post(post, OrgKind.BRANCH, 3, "中共新街社区支部委员会"), on
    )
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(
    ("on", "post", "allowed"),
    [
        (D(2024, 3, 14), P.SECRETARY, True),  # before the decision
        (D(2024, 3, 15), P.SECRETARY, False),
        (D(2024, 3, 15), P.DEPUTY_SECRETARY, True),  # lower than the 书记 taken away
        (D(2024, 3, 15), P.MEMBER, True),
        (D(2026, 3, 14), P.SECRETARY, False),
        (D(2026, 3, 15), P.SECRETARY, True),  # the two years are over
    ],
)
def test_office_rule_of_a_removal_from_post(on, post, allowed):
    removed = rules.SanctionOnPosts(
        kind="removal_from_post",
        decided_on=D(2024, 3, 15),
        effect_until=D(2026, 3, 15),
        ending="",
        ended_on=None,
        posts=(post_rules.Post(P.SECRETARY, OrgKind.BRANCH, 3, "中共兴丰村支部委员会"),),
    )
    found = rules.office_problem(
        "张三", [removed], post_rules.Post(post, OrgKind.BRANCH, 3, "中共兴丰村支部委员会"), on
    )
    assert (found is None) is allowed


def test_lighter_sanctions_and_a_probation_without_posts_restrict_nothing_after_it():
    warning = rules.SanctionOnPosts("warning", D(2024, 3, 15), D(2025, 3, 15), "", None, ())
    restored = rules.SanctionOnPosts("probation", D(2023, 1, 15), D(2024, 1, 15), "restored", D(2024, 1, 15), ())
    post = post_rules.Post(P.SECRETARY, OrgKind.COMMITTEE, 2, "中共坪塘镇委员会")
    assert rules.office_problem("张三", [warning, restored], post, D(2024, 6, 1)) is None


def test_the_structure_report_lists_the_vacancy(world, make_probation):
    committees(world)
    make_probation(world)
    reports = {r.organization.name: r.findings for r in structure_report(world.county_admin, world.town)}
    village = {finding.code: finding.message for finding in reports["中共兴丰村支部委员会"]}
    assert village["vacant_post"] == "书记空缺：张三2023-01-15受到留党察看处分，党内职务自然撤销，尚未补选"
    assert "no_secretary" not in village  # the vacancy says it, once
    town = [finding.message for finding in reports["中共坪塘镇委员会"] if finding.code == "vacant_post"]
    assert town == ["组织委员空缺：张三2023-01-15受到留党察看处分，党内职务自然撤销，尚未补选"]
    api = world.client(world.county_admin).get("/api/v1/structure/", {"organization": world.village.pk}).json()
    assert "vacant_post" in [f["code"] for f in api["results"][0]["findings"]]


def test_the_member_and_organization_pages_show_the_status(world, make_probation):
    committees(world)
    today = timezone.localdate()
    sanction = make_probation(world, decided=add_months(today, -3), months=24)
    client = world.client(world.town_admin)
    member = client.get(reverse("members:detail", args=[world.zhangsan.pk])).content.decode()
    assert f"留党察看中（{sanction.effect_until:%Y-%m-%d}期满）" in member
    organization = client.get(reverse("orgs:detail", args=[world.village.pk])).content.decode()
    assert 'data-testid="discipline-panel"' in organization and "留党察看中" in organization
    assert 'data-testid="vacant-post">书记：' in organization  # the committee section shows the vacancy
    assert "受到留党察看处分，党内职务自然撤销，尚未补选" in organization
    assert "书记：张三" not in organization
    # Whoever does not read sanctions sees no badge.
    own = world.client(world.member_user).get(reverse("members:detail", args=[world.zhangsan.pk])).content.decode()
    assert "留党察看中" not in own


def test_the_member_page_shows_a_removal_from_post(world):
    today = timezone.localdate()
    _, _, posts = committees(world, start=add_months(today, -24))
    sanction = removal(world, posts["secretary"], decided=add_months(today, -6))
    page = world.client(world.town_admin).get(reverse("members:detail", args=[world.zhangsan.pk])).content.decode()
    assert "撤销党内职务" in page and f"至{sanction.effect_until:%Y-%m-%d}" in page


def test_the_form_names_the_post(world):
    _, _, posts = committees(world)
    client = world.client(world.town_admin)
    url = reverse("discipline:new", args=[world.zhangsan.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["post"].queryset) == [posts["secretary"], posts["town"]]
    assert form.fields["post"].label_from_instance(posts["secretary"]) == "中共兴丰村支部委员会书记（2021-03-01起）"
    body = {"kind": "removal_from_post", "decided_on": "2024-03-15", "deciding_org": world.town.pk, "reason": "违纪"}
    refused = client.post(url, body)
    assert refused.status_code == 400 and "请选择撤销的党内职务" in refused.content.decode()
    done = client.post(url, body | {"post": posts["town"].pk})
    assert done.status_code == 302
    assert Officer.objects.get(pk=posts["town"].pk).until == D(2024, 3, 15)
    detail = client.get(done.url).content.decode()
    assert "中共坪塘镇委员会组织委员" in detail


def test_the_api_takes_the_post(world):
    _, _, posts = committees(world)
    client = world.client(world.town_admin)
    body = {
        "member": world.zhangsan.pk,
        "kind": "removal_from_post",
        "decided_on": "2024-03-15",
        "deciding_org": world.town.pk,
        "reason": "违纪",
    }
    missing = client.post(reverse("sanction-list"), body, content_type="application/json")
    assert missing.status_code == 400 and missing.json() == {"post": ["请选择撤销的党内职务"]}
    done = client.post(
        reverse("sanction-list"), body | {"post": posts["secretary"].pk}, content_type="application/json"
    )
    assert done.status_code == 201, done.content
    assert done.json()["removed_posts"] == [
        {"id": posts["secretary"].pk, "title": "中共兴丰村支部委员会书记", "since": "2021-03-01", "until": "2024-03-15"}
    ]
    term = client.get(reverse("term-detail", args=[posts["secretary"].term_id])).json()
    secretary = next(o for o in term["officers"] if o["id"] == posts["secretary"].pk)
    assert (secretary["until"], secretary["removal"]) == ("2024-03-15", "受到撤销党内职务处分")


def test_check_integrity_names_a_post_still_held_under_probation(world, make_probation):
    """Sanctions recorded before posts ended with them: the check says which to relieve."""
    from dangjian.discipline.integrity import problems

    _, _, posts = committees(world)
    make_probation(world)
    Officer.objects.filter(pk=posts["secretary"].pk).update(until=None, removal="")
    [problem] = problems()
    assert "张三" in problem and "留党察看期间仍担任中共兴丰村支部委员会书记" in problem
