"""The terms and structure endpoints: the same operations as the pages, the same refusals."""

import datetime as dt

from dangjian.elections.models import Officer, Term

D = dt.date


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_term_is_started_staffed_relieved_and_ended_through_the_api(world):
    client = world.client(world.branch_admin)
    started = post(client, "/api/v1/terms/", {"organization": world.village.pk, "start": "2024-03-01"})
    assert started.status_code == 201, started.content
    term = started.json()
    # A village branch serves five years (支部工作条例 第二十一条).
    assert (term["number"], term["expected_end"], term["state"], term["officers"]) == (1, "2029-03-01", "current", [])
    url = f"/api/v1/terms/{term['id']}/"
    appointed = post(
        client, url + "appoint/", {"position": "secretary", "member": world.zhangsan.pk, "since": "2024-03-01"}
    )
    assert appointed.status_code == 201, appointed.content
    [officer] = appointed.json()["officers"]
    assert (officer["member_name"], officer["position_display"], officer["until"]) == ("张三", "书记", None)

    again = post(client, url + "appoint/", {"position": "secretary", "member": world.lisi.pk, "since": "2024-03-01"})
    assert again.status_code == 400
    assert again.json()["position"] == ["本届已有书记，须先免去"]
    relieved = post(client, url + "relieve/", {"officer": officer["id"], "until": "2024-09-01"})
    assert relieved.json()["officers"][0]["until"] == "2024-09-01"
    ended = post(client, url + "end/", {"date": "2025-01-01"})
    assert (ended.status_code, ended.json()["actual_end"], ended.json()["state"]) == (200, "2025-01-01", "ended")


def test_bad_term_input_is_refused_field_by_field_and_changes_nothing(world):
    client = world.client(world.branch_admin)
    term = Term.objects.create(organization=world.village, number=1, start=D(2024, 1, 1), expected_end=D(2029, 1, 1))
    url = f"/api/v1/terms/{term.pk}/"
    # 王芳 belongs to another branch (outside this secretary's scope altogether).
    outsider = post(
        client, url + "appoint/", {"position": "secretary", "member": world.wangfang.pk, "since": "2024-01-01"}
    )
    assert outsider.status_code == 400
    assert "不存在或不在您的管理范围内" in outsider.json()["member"][0]
    early = post(client, url + "appoint/", {"position": "nonsense", "member": world.zhangsan.pk, "since": "2023-01-01"})
    assert set(early.json()) == {"position"}
    before_start = post(
        client, url + "appoint/", {"position": "secretary", "member": world.zhangsan.pk, "since": "2023-01-01"}
    )
    assert "任职日期应在任期开始" in before_start.json()["since"][0]
    overlap = post(client, "/api/v1/terms/", {"organization": world.village.pk, "start": "2023-06-01"})
    assert "之后" in overlap.json()["start"][0]
    unknown = post(client, url + "relieve/", {"officer": 999999, "until": "2024-01-01"})
    assert unknown.status_code == 400 and "999999" in unknown.json()["officer"][0]
    assert not Officer.objects.exists()
    assert Term.objects.filter(organization=world.village).count() == 1


def test_a_member_reads_terms_but_starts_none(world):
    client = world.client(world.member_user)
    refused = post(client, "/api/v1/terms/", {"organization": world.village.pk, "start": "2024-03-01"})
    assert refused.status_code in (400, 403)
    assert not Term.objects.exists()


def test_the_structure_report_lists_the_subtree_with_the_rules_cited(world):
    client = world.client(world.town_admin)
    body = client.get("/api/v1/structure/").json()
    rows = {row["organization_name"]: row for row in body["results"]}
    # 新街社区 has one member: too few 正式党员 for a branch, and no secretary on record.
    community = {finding["code"]: finding for finding in rows["中共新街社区支部委员会"]["findings"]}
    assert {"too_few", "no_secretary"} <= set(community)
    assert "支部工作条例" in community["too_few"]["rule"]
    assert "中共三环颜料有限公司支部委员会" not in rows  # the other town's branch: outside
    one = client.get("/api/v1/structure/", {"organization": world.community.pk}).json()["results"]
    assert [row["organization"] for row in one] == [world.community.pk]
    assert client.get("/api/v1/structure/", {"organization": world.enterprise.pk}).status_code == 404
    assert client.get("/api/v1/structure/", {"organization": "x"}).status_code == 400
    assert world.client(world.member_user).get("/api/v1/structure/").status_code == 403
