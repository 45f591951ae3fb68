"""/api/v1/sanctions/: record, list with filters, detail, the 留党察看 actions, per role, with
refusals as 400 under the field, 403 for a role that may not, 404 outside the scope."""

import datetime as dt

from django.urls import reverse

from dangjian.discipline.models import Sanction
from dangjian.members.models import Member, Status

D = dt.date


def _post(client, name, pk=None, **body):
    url = reverse(name, args=[pk]) if pk else reverse(name)
    return client.post(url, body, content_type="application/json")


def body(world, **changes):
    values = {
        "member": world.zhangsan.pk,
        "kind": "probation",
        "months": 12,
        "decided_on": "2023-01-15",
        "deciding_org": world.county.pk,
        "reason": "违反组织纪律",
        "document_number": "县纪〔2023〕1号",
    }
    return values | changes


def test_the_probation_workflow_through_the_api(world):
    town = world.client(world.town_admin)
    created = _post(town, "sanction-list", **body(world))
    assert created.status_code == 201, created.content
    data = created.json()
    pk = data["id"]
    assert (data["kind_display"], data["effect_until"], data["deciding_org_name"]) == (
        "留党察看",
        "2024-01-15",
        "中共示范县委员会",
    )
    assert "id_number" not in str(data) and world.zhangsan.id_number not in created.content.decode()
    assert [s["step"] for s in data["steps"]] == ["给予留党察看"]
    early = _post(town, "sanction-restore", pk, date="2024-01-14")
    assert early.status_code == 400
    assert early.json() == {"date": ["留党察看2024-01-15期满，期满前不能恢复党员权利"]}
    extended = _post(town, "sanction-extend", pk, date="2024-01-15", reason="期满仍未达到条件")
    assert (extended.json()["effect_until"], extended.json()["total_months"]) == ("2025-01-15", 24)
    twice = _post(town, "sanction-extend", pk, date="2024-02-01", reason="再延")
    assert twice.status_code == 400 and "只能延长一次" in twice.json()["non_field_errors"][0]
    restored = _post(town, "sanction-restore", pk, date="2025-01-15")
    assert (restored.json()["ending"], restored.json()["ended_on"]) == ("restored", "2025-01-15")
    assert _post(town, "sanction-expel", pk, date="2025-02-01", reason="x").status_code == 400


def test_expel_answers_with_the_expulsion(world):
    town = world.client(world.town_admin)
    pk = _post(town, "sanction-list", **body(world)).json()["id"]
    expelled = _post(town, "sanction-expel", pk, date="2023-06-01", reason="察看期间又违纪")
    assert expelled.status_code == 200, expelled.content
    assert expelled.json()["kind"] == "expulsion" and expelled.json()["deciding_org"] == world.county.pk
    probation = town.get(reverse("sanction-detail", args=[pk])).json()
    assert (probation["ending"], probation["expulsion"]) == ("expelled", expelled.json()["id"])
    assert Member.objects.get(pk=world.zhangsan.pk).status == Status.LEFT


def test_refusals_through_the_api_change_nothing(world):
    town = world.client(world.town_admin)
    assert _post(town, "sanction-list", **body(world, months=18)).json() == {"months": ["“18” 不是合法选项。"]}
    future = _post(town, "sanction-list", **body(world, decided_on="2999-01-01", reason=""))
    assert future.json() == {"decided_on": ["日期不能晚于今天"]}  # refused as it is read, before the rules
    months = _post(town, "sanction-list", **body(world, kind="warning"))
    assert months.json() == {"months": ["只有留党察看填写察看期限"]}
    wrong_org = _post(town, "sanction-list", **body(world, deciding_org=world.enterprise.pk))
    assert wrong_org.json() == {"deciding_org": ["决定处分的党组织应为张三所在党支部或其上级党组织"]}
    outside_member = _post(town, "sanction-list", **body(world, member=world.zhaoliu.pk))
    assert outside_member.status_code == 400 and "不在您的管理范围内" in outside_member.json()["member"][0]
    branch = _post(world.client(world.branch_admin), "sanction-list", **body(world))
    assert branch.status_code == 403 and "无权记录党纪处分" in branch.json()["detail"]
    assert not Sanction.objects.exists()


def test_lists_and_details_stay_in_the_scope(world):
    town = world.client(world.town_admin)
    mine = _post(town, "sanction-list", **body(world)).json()["id"]
    other = _post(
        world.client(world.other_admin),
        "sanction-list",
        **body(world, member=world.zhaoliu.pk, deciding_org=world.other_town.pk, kind="warning", months=None),
    ).json()["id"]
    ids = lambda client, **params: [r["id"] for r in client.get(reverse("sanction-list"), params).json()["results"]]  # noqa: E731
    assert ids(town) == [mine]
    assert ids(town, kind="warning") == [] and ids(town, open="true") == [mine]
    assert ids(town, organization=world.community.pk) == []
    assert town.get(reverse("sanction-list"), {"organization": world.enterprise.pk}).status_code == 400
    assert town.get(reverse("sanction-list"), {"kind": "demotion"}).status_code == 400
    assert sorted(ids(world.client(world.county_admin))) == sorted([mine, other])
    assert ids(world.client(world.member_user)) == []  # a member does not list sanctions
    assert town.get(reverse("sanction-detail", args=[other])).status_code == 404
    assert _post(town, "sanction-expel", other, date="2024-01-01", reason="x").status_code == 404
    assert Sanction.objects.get(pk=other).ended_on is None
