"""/api/v1/members/: scoped, masked in lists, Chinese errors under their field, token auth."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conftest import make_id_number
from dangjian.core.models import ApiToken, AuditEvent, Event
from dangjian.core.services import create_token, token_digest
from dangjian.members.models import Member

NEW = {
    "organization": None,
    "name": "孙丽",
    "id_number": make_id_number("1990-10-10", male=False, sequence=60),
    "education": "bachelor",
    "category": "probationary",
    "joined_date": "2026-03-01",
}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_returns_the_member_with_derived_fields(world):
    response = api(world.branch_admin).post("/api/v1/members/", NEW | {"organization": world.village.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["gender"], body["birth_date"], body["name_pinyin"]) == ("2", "1990-10-10", "sunli")
    assert Member.objects.get(pk=body["id"]).periods.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"id_number": "430122199010100001"}, "id_number", "校验位"),
        ({"joined_date": "2030-01-01"}, "joined_date", "晚于今天"),
        ({"organization": None}, "organization", "请指定所在党组织"),
        ({"birth_date": "1990-10-11"}, "birth_date", "不一致"),
    ],
)
def test_bad_input_gets_a_chinese_message_under_its_field(world, change, field, text):
    data = {k: v for k, v in (NEW | {"organization": world.village.pk} | change).items() if v is not None}
    response = api(world.branch_admin).post("/api/v1/members/", data, format="json")
    assert response.status_code == 400
    assert any(text in m for m in response.json()[field]), response.json()
    assert not Member.objects.filter(name="孙丽").exists()


def test_members_cannot_be_placed_outside_the_scope_or_above_branches(world):
    client = api(world.branch_admin)
    outside = client.post("/api/v1/members/", NEW | {"organization": world.community.pk}, format="json")
    assert "不在您的管理范围内" in outside.json()["organization"][0]
    above = api(world.town_admin).post("/api/v1/members/", NEW | {"organization": world.town.pk}, format="json")
    assert "不直接管理党员" in above.json()["organization"][0]


def test_a_read_only_member_may_not_write(world):
    response = api(world.member_user).patch(f"/api/v1/members/{world.zhangsan.pk}/", {"name": "改"}, format="json")
    assert response.status_code == 403
    assert "无权" in response.json()["detail"]


def test_id_numbers_are_masked_and_revealed_only_on_request(world):
    rows = api(world.branch_admin).get("/api/v1/members/").json()["results"]
    assert {row["id_number"] for row in rows} == {world.zhangsan.masked_id_number, world.lisi.masked_id_number}
    detail = api(world.branch_admin).get(f"/api/v1/members/{world.lisi.pk}/").json()
    assert detail["id_number"] == world.lisi.masked_id_number
    revealed = api(world.branch_admin).post(f"/api/v1/members/{world.lisi.pk}/reveal/")
    assert revealed.json() == {"id_number": world.lisi.id_number, "phone": ""}
    assert AuditEvent.objects.filter(
        event=Event.REVEAL, actor=world.branch_admin, target_id=str(world.lisi.pk)
    ).exists()
    own = api(world.member_user).post(f"/api/v1/members/{world.zhangsan.pk}/reveal/")
    assert own.json() == {"id_number": world.zhangsan.id_number, "phone": ""}


def test_put_is_not_offered_changes_are_patches(world):
    response = api(world.branch_admin).put(f"/api/v1/members/{world.lisi.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 405


def test_patch_cannot_move_a_member(world):
    response = api(world.town_admin).patch(
        f"/api/v1/members/{world.lisi.pk}/", {"organization": world.community.pk}, format="json"
    )
    assert response.status_code == 400
    assert "组织关系转接" in response.json()["organization"][0]


def test_token_authentication_gets_the_same_scope(world):
    _, key = create_token(actor=world.other_admin, name="测试")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    rows = client.get("/api/v1/members/").json()["results"]
    assert [row["name"] for row in rows] == ["赵六"]
    assert APIClient().get("/api/v1/members/").status_code in (401, 403)


def test_obtaining_a_token_with_username_and_password(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": "town_admin", "password": "Pw-for-tests-1"})
    assert response.status_code == 201
    key = response.json()["token"]
    assert ApiToken.objects.get(key_hash=token_digest(key)).user == world.town_admin


def test_the_list_costs_the_same_queries_for_many_rows(world):
    client = api(world.county_admin)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/members/")
    for number in range(10):
        NEW_ID = make_id_number("1980-01-01", male=True, sequence=100 + number)
        client.post(
            "/api/v1/members/",
            NEW | {"organization": world.community.pk, "id_number": NEW_ID, "name": f"测试{number}"},
            format="json",
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/members/")
    assert response.json()["count"] == 14
    assert len(many) == len(few) <= 4


def test_summary_counts_by_age_band_and_category(world):
    summary = api(world.town_admin).get("/api/v1/members/summary/", {"as_of": "2025-12-31"}).json()
    assert summary["total"] == 3
    # Keyed by the codes of the records and of the registry's filters, each with its label.
    assert summary["by_category"] == [
        {"code": "full", "label": "正式党员", "count": 3},
        {"code": "probationary", "label": "预备党员", "count": 0},
    ]
    bands = {row["label"]: row for row in summary["by_age_band"]}
    assert bands["51-55岁"]["count"] == 2  # 张三 (1970) is 55, 李四 (1972) is 53
    assert bands["46-50岁"]["count"] == 1  # 王芳 (1975) is 50
    query = {"age_band": bands["51-55岁"]["code"], "as_of": "2025-12-31"}
    in_band = api(world.town_admin).get("/api/v1/members/", query)
    assert {row["name"] for row in in_band.json()["results"]} == {"张三", "李四"}
    assert api(world.town_admin).get("/api/v1/members/summary/", {"as_of": "31/12/2025"}).status_code == 400
    # Found by schemathesis: a date in year 44 made the age-band arithmetic fail (a 500).
    too_early = api(world.town_admin).get("/api/v1/members/summary/", {"as_of": "0044-01-01"})
    assert too_early.status_code == 400
    assert "1900年至2099年" in too_early.json()["as_of"][0]


def test_the_organizations_api_shows_parents_only_inside_the_scope(world):
    rows = {row["name"]: row for row in api(world.town_admin).get("/api/v1/organizations/").json()["results"]}
    assert rows["中共坪塘镇委员会"]["parent"] is None  # the county above is outside the scope
    assert rows["中共兴丰村支部委员会"]["parent"] == world.town.pk


def test_organizations_are_set_up_and_changed_through_the_api(world):
    client = api(world.town_admin)
    created = client.post(
        "/api/v1/organizations/",
        {
            "parent": world.town.pk,
            "name": "中共坪塘镇白鹤村支部委员会",
            "code": "T1-V7",
            "kind": "branch",
            "unit_category": "village",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    changed = client.patch(f"/api/v1/organizations/{pk}/", {"short_name": "白鹤村党支部"}, format="json")
    assert changed.json()["short_name"] == "白鹤村党支部"
    refused = client.post(
        "/api/v1/organizations/",
        {"parent": world.village.pk, "name": "x", "code": "T1-X", "kind": "branch", "unit_category": "village"},
        format="json",
    )
    assert refused.status_code == 400
    assert "党支部下不能再设立党组织" in refused.json()["kind"][0]
    assert client.delete(f"/api/v1/organizations/{pk}/").status_code == 204
    assert client.get(f"/api/v1/organizations/{pk}/").status_code == 404
