"""The roster pages: search, filters, forms with field errors, and a bounded number of queries."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_id_number
from dangjian.members.models import Member
from dangjian.members.services import change_status


def names_on(response):
    return [member.name for member in response.context["page"].object_list]


def test_search_by_pinyin_initials_full_pinyin_name_and_id_digits(world):
    client = world.client(world.county_admin)
    assert names_on(client.get("/members/", {"q": "zs"})) == ["张三"]
    assert names_on(client.get("/members/", {"q": "ZhangS"})) == ["张三"]
    assert names_on(client.get("/members/", {"q": "芳"})) == ["王芳"]
    assert names_on(client.get("/members/", {"q": world.zhaoliu.id_number[-4:]})) == ["赵六"]


def test_filter_by_organization_takes_the_whole_subtree(world):
    client = world.client(world.county_admin)
    assert sorted(names_on(client.get("/members/", {"organization": world.town.pk}))) == ["张三", "李四", "王芳"]
    assert names_on(client.get("/members/", {"gender": "2"})) == ["王芳"]


def test_htmx_search_returns_only_the_rows(world):
    response = world.client(world.county_admin).get("/members/", {"q": "zs"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "张三" in body
    assert "<html" not in body


def test_the_roster_masks_id_numbers(world):
    body = world.client(world.county_admin).get("/members/").content.decode()
    assert world.zhangsan.masked_id_number in body
    assert world.zhangsan.id_number not in body


def test_detail_masks_the_id_number_until_revealed_on_request(world):
    for user in (world.branch_admin, world.member_user):
        client = world.client(user)
        body = client.get(f"/members/{world.zhangsan.pk}/").content.decode()
        assert world.zhangsan.id_number not in body
        assert world.zhangsan.masked_id_number in body
        assert "登记入册" in body  # the timeline
        revealed = client.post(f"/members/{world.zhangsan.pk}/reveal/")
        assert world.zhangsan.id_number in revealed.content.decode()


def test_the_list_page_runs_a_fixed_number_of_queries(world):
    client = world.client(world.county_admin)
    client.get("/members/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/members/")
    assert len(names_on(response)) == 4
    assert len(queries) <= 8, [q["sql"] for q in queries]


def test_the_form_registers_a_member_and_shows_errors_by_field(world):
    client = world.client(world.branch_admin)
    data = {
        "organization": world.village.pk,
        "name": "钱七",
        "id_number": make_id_number("1985-02-02", male=True, sequence=77),
        "ethnicity": "01",
        "education": "bachelor",
        "category": "full",
        "joined_date": "2010-07-01",
        "regularized_date": "2011-07-01",
        "status": "normal",
    }
    bad = client.post("/members/new/", data | {"gender": "2", "joined_date": "2010/7/1"})
    assert bad.status_code == 200
    assert "性别与公民身份号码不一致" in bad.content.decode()
    assert not Member.objects.filter(name="钱七").exists()
    good = client.post("/members/new/", data)
    member = Member.objects.get(name="钱七")
    assert good.status_code == 302
    assert good["Location"] == f"/members/{member.pk}/"


def test_the_form_only_offers_organizations_that_hold_members_in_scope(world):
    form = world.client(world.town_admin).get("/members/new/").context["form"]
    assert set(form.fields["organization"].queryset) == {world.village, world.community}


def test_members_see_their_own_record_only(world):
    client = world.client(world.member_user)
    assert client.get("/members/")["Location"] == f"/members/{world.zhangsan.pk}/"
    assert client.get(f"/members/{world.lisi.pk}/").status_code == 404
    assert client.get("/members/new/").status_code == 403


def test_the_roster_lists_members_on_the_roll_unless_asked_for_others(world):

    change_status(actor=world.county_admin, member=world.lisi, status="deceased", date=dt.date(2025, 3, 1))
    client = world.client(world.county_admin)
    assert "李四" not in names_on(client.get("/members/"))
    assert names_on(client.get("/members/", {"status": "deceased"})) == ["李四"]
    assert client.get("/api/v1/members/").json()["count"] == 3
    assert client.get("/api/v1/members/summary/").json()["total"] == 3
