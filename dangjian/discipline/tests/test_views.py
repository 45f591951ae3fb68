"""The pages: the list in scope with its filters, the form from the member, the detail with its
actions, the member page's timeline and button, the home counts and the menu, per role."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dangjian.discipline import services
from dangjian.discipline.models import Sanction
from dangjian.members.models import Member, Status

D = dt.date


def warning(world, member, organization):
    actor = world.other_admin if member.pk == world.zhaoliu.pk else world.town_admin
    return services.record_sanction(
        actor=actor,
        member=member,
        kind="warning",
        decided_on=D(2024, 3, 1),
        deciding_org=organization,
        reason="迟交党费",
    )


def names(response):
    return [s.member_name for s in response.context["page"].object_list]


def test_the_list_shows_the_scope_with_its_filters(world, make_probation):
    make_probation(world)
    warning(world, world.wangfang, world.community)
    warning(world, world.zhaoliu, world.enterprise)
    town = world.client(world.town_admin)
    url = reverse("discipline:list")
    assert sorted(names(town.get(url))) == ["张三", "王芳"]
    assert names(town.get(url, {"kind": "probation"})) == ["张三"]
    assert names(town.get(url, {"open": "1"})) == ["张三"]
    assert names(town.get(url, {"organization": world.community.pk})) == ["王芳"]
    outside = town.get(url, {"organization": world.enterprise.pk})
    assert names(outside) == [] and "所选党组织不存在或不在您的管理范围内" in outside.content.decode()
    assert "赵六" not in outside.content.decode()
    county = world.client(world.county_admin).get(url)
    assert sorted(names(county)) == ["张三", "王芳", "赵六"]
    assert county.context["counts"] == {"running": 0, "due": 1}  # 2023-01-15 + 1 year: past, not restored
    assert names(world.client(world.branch_admin).get(url)) == ["张三"]
    assert world.client(world.member_user).get(url).status_code == 403


def test_the_list_costs_the_same_for_more_rows(world, make_probation, django_assert_max_num_queries):
    make_probation(world)
    client = world.client(world.county_admin)
    client.get(reverse("discipline:list"))  # warm the session
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("discipline:list"))
    for member, org in ((world.lisi, world.village), (world.wangfang, world.community)):
        warning(world, member, org)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(names(client.get(reverse("discipline:list")))) == 3


def test_recording_from_the_member(world):
    client = world.client(world.town_admin)
    url = reverse("discipline:new", args=[world.zhangsan.pk])
    page = client.get(url)
    offered = list(page.context["form"].fields["deciding_org"].queryset)
    assert offered == [world.county, world.town, world.village]  # the branch and above, not 新街社区
    assert page.context["form"].initial["deciding_org"] == world.town.pk
    refused = client.post(
        url,
        {"kind": "probation", "months": "", "decided_on": "2024-01-10", "deciding_org": world.town.pk, "reason": "x"},
    )
    assert refused.status_code == 400
    assert "留党察看期限为一年（12个月）或二年（24个月）" in refused.content.decode()
    assert not Sanction.objects.exists()
    done = client.post(
        url,
        {
            "kind": "probation",
            "months": "24",
            "decided_on": "2024-01-10",
            "deciding_org": world.county.pk,
            "reason": "违纪",
        },
    )
    sanction = Sanction.objects.get()
    assert done.status_code == 302 and done.url == reverse("discipline:detail", args=[sanction.pk])
    assert (sanction.months, sanction.deciding_org, sanction.effect_until) == (24, world.county, D(2026, 1, 10))
    assert world.client(world.branch_admin).get(url).status_code == 403
    assert world.client(world.other_admin).get(url).status_code == 404


def test_the_form_warns_of_an_open_probation(world, make_probation):
    make_probation(world)
    page = world.client(world.town_admin).get(reverse("discipline:new", args=[world.zhangsan.pk]))
    assert "察看期间又违犯党纪应当给予处分的，应开除党籍" in page.content.decode()


def test_the_detail_offers_the_actions_that_apply(world, make_probation):
    sanction = make_probation(world)  # ended 2024-01-15, a one-year one: extend, restore or expel
    url = reverse("discipline:detail", args=[sanction.pk])
    town = world.client(world.town_admin).get(url)
    assert [key for key, _ in town.context["actions"]] == ["extend", "restore", "expel"]
    assert "坪纪〔2023〕3号" in town.content.decode()
    assert world.client(world.branch_admin).get(url).context["actions"] == []  # reads, does not decide
    assert world.client(world.other_admin).get(url).status_code == 404
    assert world.client(world.member_user).get(url).status_code == 404


def test_acting_on_the_detail(world, make_probation):
    sanction = make_probation(world)
    client = world.client(world.town_admin)
    act = reverse("discipline:act", args=[sanction.pk])
    early = client.post(act, {"action": "restore", "date": "2024-01-14"})
    assert early.status_code == 400 and "期满前不能恢复党员权利" in early.content.decode()
    extended = client.post(act, {"action": "extend", "date": "2024-01-15", "reason": "未达条件"})
    assert extended.status_code == 302
    sanction.refresh_from_db()
    assert sanction.effect_until == D(2025, 1, 15)
    page = client.get(reverse("discipline:detail", args=[sanction.pk]))
    assert [key for key, _ in page.context["actions"]] == ["restore", "expel"]
    assert client.post(act, {"action": "restore", "date": "2025-01-15"}).status_code == 302
    sanction.refresh_from_db()
    assert sanction.ending == "restored"
    page = client.get(reverse("discipline:detail", args=[sanction.pk]))
    assert page.context["actions"] == [] and page.context["restricted_until"] == D(2027, 1, 15)
    assert world.client(world.branch_admin).post(act, {"action": "expel", "date": "2025-02-01"}).status_code == 403


def test_expelling_from_the_detail(world, make_probation):
    sanction = make_probation(world)
    client = world.client(world.town_admin)
    act = reverse("discipline:act", args=[sanction.pk])
    no_reason = client.post(act, {"action": "expel", "date": "2023-06-01"})
    assert no_reason.status_code == 400 and "请填写处分事由" in no_reason.content.decode()
    outside = client.post(
        act, {"action": "expel", "date": "2023-06-01", "reason": "又犯", "deciding_org": world.community.pk}
    )
    assert outside.status_code == 400 and "选择一个有效的选项" in outside.content.decode()
    chosen = {"action": "expel", "date": "2023-06-01", "reason": "又犯", "deciding_org": world.county.pk}
    assert client.post(act, chosen).status_code == 302
    assert Sanction.objects.get(kind="expulsion").deciding_org == world.county
    assert Member.objects.get(pk=world.zhangsan.pk).status == Status.LEFT


def test_the_member_page_shows_the_timeline_and_the_button(world, make_probation):
    sanction = make_probation(world)
    services.extend_probation_discipline(actor=world.town_admin, sanction=sanction, date=D(2024, 1, 15), reason="未达")
    services.restore_rights(actor=world.town_admin, sanction=sanction, date=D(2025, 1, 15))
    url = reverse("members:detail", args=[world.zhangsan.pk])
    page = world.client(world.town_admin).get(url)
    entries = [(e.date, e.kind, e.text) for e in page.context["timeline"] if e.kind == "党纪处分"]
    assert entries == [
        (D(2025, 1, 15), "党纪处分", "留党察看期满，恢复党员权利"),
        (D(2024, 1, 15), "党纪处分", "留党察看延长一年，至2025-01-15期满"),
        (
            D(2023, 1, 15),
            "党纪处分",
            "受到留党察看1年处分（中共坪塘镇委员会决定，坪纪〔2023〕3号）：违反组织纪律，情节较重",
        ),
    ]
    assert 'data-testid="record-sanction"' in page.content.decode()
    assert 'data-testid="record-sanction"' not in world.client(world.branch_admin).get(url).content.decode()


def test_the_menu_and_the_home_counts(world, make_probation):
    make_probation(world, decided=timezone.localdate() - dt.timedelta(days=30), months=24)  # running today
    home = world.client(world.town_admin).get(reverse("home")).content.decode()
    assert reverse("discipline:list") in home
    assert 'data-testid="home-probation-running">1<' in home
    other = world.client(world.other_admin).get(reverse("home")).content.decode()
    assert 'data-testid="discipline-counts"' not in other  # nothing in 古山镇
    assert reverse("discipline:list") not in world.client(world.member_user).get(reverse("home")).content.decode()
