"""The pages and the API: pipeline and due items for a subtree, scoped; a step entered and
refused through the page and the API."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_id_number
from dangjian.core.dates import add_months
from dangjian.development import reports, services
from dangjian.development.models import Applicant, IntervalRule

from .conftest import open_file, walk

D = dt.date


def test_pipeline_counts_files_by_stage(world, applicant):
    walk(world, applicant, 7)  # a development target: stage 三
    other = open_file(world, id_number=make_id_number("1990-01-01", male=True, sequence=42), name="周七")
    rows = {str(r.stage): r.count for r in reports.pipeline(world.town_admin, world.town)}
    assert rows["一、申请入党"] == 1 and rows["三、发展对象的确定和考察"] == 1
    response = world.client(world.branch_admin).get(reverse("development:pipeline"))
    assert response.status_code == 200
    assert "陈晓" in response.text and other.name in response.text
    # The other town sees none of them.
    assert "陈晓" not in world.client(world.other_admin).get(reverse("development:pipeline")).text
    assert sum(r.count for r in reports.pipeline(world.other_admin, world.other_town)) == 0
    services.move_applicant(actor=world.town_admin, applicant=other, organization=world.community, date=D(2022, 2, 1))
    branches = [(r.name, r.counts) for r in reports.pipeline_by_branch(world.town_admin, world.town)]
    assert branches == [(world.village.name, [0, 0, 1, 0, 0]), (world.community.name, [1, 0, 0, 0, 0])]
    assert world.community.name in world.client(world.town_admin).get(reverse("development:pipeline")).text


def test_pipeline_of_an_organization_outside_the_scope_is_404(world):
    client = world.client(world.branch_admin)
    assert client.get(reverse("development:pipeline_org", args=[world.community.pk])).status_code == 404
    assert client.get(reverse("development:pipeline_org", args=[world.village.pk])).status_code == 200


def test_detail_is_scoped_and_masks_the_id_number(world, applicant):
    url = reverse("development:detail", args=[applicant.pk])
    response = world.client(world.branch_admin).get(url)
    assert response.status_code == 200
    assert applicant.id_number not in response.text and applicant.masked_id_number in response.text
    assert world.client(world.other_admin).get(url).status_code == 404
    assert world.client(world.member_user).get(url).status_code == 403


def test_a_step_through_the_page_and_its_refusal(world, applicant):
    client = world.client(world.branch_admin)
    url = reverse("development:detail", args=[applicant.pk])
    response = client.post(url, {"date": "2022-01-25", "people": []})
    assert response.status_code == 200
    assert "请选择谈话人" in response.text
    response = client.post(url, {"date": "2022-01-25", "people": [world.zhangsan.pk]})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.step == 2


def test_open_a_file_through_the_page(world):
    client = world.client(world.branch_admin)
    data = {
        "name": "吴八",
        "id_number": make_id_number("2010-01-01", male=True, sequence=43),
        "application_date": "2024-01-01",
        "education": "bachelor",
    }
    response = client.post(reverse("development:new", args=[world.village.pk]), data)
    assert "应年满18周岁" in response.text
    assert not Applicant.objects.filter(name="吴八").exists()


def test_due_items(world, applicant):
    today = timezone.localdate()
    # an activist whose half year has no assessment: due
    walk(world, applicant, 6)
    items = reports.due_items(world.town_admin, world.town, today)
    assert [(i.applicant, i.kind, i.overdue) for i in items] == [(applicant, "半年考察", True)]
    assert items[0].due == D(2023, 1, 15)
    # a branch vote more than three months ago without approval: overdue
    walk(world, applicant, 15)
    items = reports.due_items(world.town_admin, world.town, today)
    assert [(i.kind, i.due) for i in items] == [("审批超期", add_months(D(2023, 10, 10), 3))]
    assert reports.due_items(world.other_admin, world.other_town, today) == []
    walk(world, applicant, 16)  # the upper committee's talk does not end the wait for its approval
    assert [i.kind for i in reports.due_items(world.town_admin, world.town, today)] == ["审批超期"]
    # probation ending within 30 days: as of the day before its end (both half years of probation
    # assessed, so that no 预备期考察 is due)
    walk(world, applicant, 21)
    for day in (D(2024, 3, 1), D(2024, 9, 1)):
        services.record_assessment(actor=world.branch_admin, applicant=applicant, date=day, note="表现良好")
    items = reports.due_items(world.town_admin, world.town, D(2024, 9, 20))
    assert [(i.kind, i.due) for i in items] == [("预备期届满", D(2024, 10, 10))]
    assert reports.due_items(world.town_admin, world.town, D(2024, 9, 9)) == []
    response = world.client(world.branch_admin).get(reverse("development:due"))
    assert response.status_code == 200


def test_rule_table_page_and_its_edit_by_the_county_only(world):
    rule = IntervalRule.objects.get(code="talk")
    data = {"amount": 2, "active": "on", "source": "本县规定"}
    response = world.client(world.town_admin).post(reverse("development:rule_edit", args=[rule.pk]), data)
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.amount == 1
    world.client(world.county_admin).post(reverse("development:rule_edit", args=[rule.pk]), data)
    rule.refresh_from_db()
    assert (rule.amount, rule.blocking, rule.source) == (2, False, "本县规定")
    assert "本县规定" in world.client(world.branch_admin).get(reverse("development:rules")).text


def test_api_lists_the_scope_and_enters_steps(world, applicant):
    client = world.client(world.branch_admin)
    body = client.get("/api/v1/development-files/").json()
    assert [r["name"] for r in (body["results"] if isinstance(body, dict) else body)] == ["陈晓"]
    assert client.get(f"/api/v1/development-files/{applicant.pk}/").json()["id_number"] == applicant.masked_id_number
    assert world.client(world.other_admin).get(f"/api/v1/development-files/{applicant.pk}/").status_code == 404
    url = f"/api/v1/development-files/{applicant.pk}/step/"
    response = client.post(url, {"step": 3, "date": "2022-07-15"}, content_type="application/json")
    assert response.status_code == 400
    assert "不能跳过" in response.json()["step"][0]
    response = client.post(
        url, {"step": 2, "date": "2022-01-25", "members": [world.zhangsan.pk]}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["step"] == 2
    pipeline = client.get("/api/v1/development-files/pipeline/").json()
    assert sum(r["count"] for r in pipeline) == 1
    assert client.get("/api/v1/development-files/due/").status_code == 200
    assert (
        world.client(world.other_admin)
        .get(f"/api/v1/development-files/pipeline/?organization={world.village.pk}")
        .status_code
        == 404
    )


@pytest.mark.parametrize("user", ["member_user", "no_role", "system_admin", "audit_admin"])
def test_roles_without_member_data_see_no_files(world, applicant, user):
    client = world.client(getattr(world, user))
    assert client.get(reverse("development:pipeline")).status_code == 403
    response = client.get("/api/v1/development-files/")
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        body = response.json()
        assert (body.get("results") if isinstance(body, dict) else body) == []


def test_a_finished_file_shows_its_steps_votes_and_checklist(world, applicant):
    walk(world, applicant, 25)
    response = world.client(world.town_admin).get(reverse("development:detail", args=[applicant.pk]))
    assert response.status_code == 200
    text = response.text
    assert "25. 材料归档" in text
    assert "应到会有表决权的正式党员2人" in text
    assert "入党介绍人：张三" in text
    assert "入党申请书（缺）" in text  # nothing uploaded: the checklist says so
    assert "办理第" not in text  # nothing left to enter


def test_api_year_and_quota(world, applicant):
    county = world.client(world.county_admin)
    url = "/api/v1/development-files/quota/"
    assert (
        county.post(
            url, {"organization": world.county.pk, "year": 2023, "amount": 5}, content_type="application/json"
        ).status_code
        == 200
    )
    response = county.post(
        url, {"organization": world.town.pk, "year": 2023, "amount": 6}, content_type="application/json"
    )
    assert response.status_code == 400 and "最多还能分配5名" in str(response.json())
    response = world.client(world.town_admin).post(
        url, {"organization": world.enterprise.pk, "year": 2023, "amount": 1}, content_type="application/json"
    )
    assert response.status_code == 400  # outside the town's subtree: not found in its scope
    walk(world, applicant, 17)
    body = county.get("/api/v1/development-files/year/?year=2023").json()
    assert body["quotas"][0]["reached"] == 1 and body["admitted"] == 1
    assert {"name": "女", "count": 1} in body["by_gender"]
    assert world.client(world.member_user).get("/api/v1/development-files/year/").status_code == 403


def test_list_pages_keep_their_query_count_as_files_grow(world, applicant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client(world.town_admin)
    urls = [reverse("development:pipeline"), reverse("development:due"), "/api/v1/development-files/"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    walk(world, applicant, 6)
    counts()  # warm the caches a first request fills (session, security policy)
    before = counts()
    for n in range(3):
        other = open_file(world, id_number=make_id_number("1991-01-01", male=True, sequence=50 + n), name=f"新{n}")
        walk(world, other, 6)
    assert counts() == before


def test_documents_are_uploaded_and_downloaded_through_the_scope(world, applicant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = world.client(world.branch_admin)
    upload = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4 body", content_type="application/pdf")
    response = client.post(
        reverse("development:detail", args=[applicant.pk]), {"kind": "application", "upload": upload}
    )
    assert response.status_code == 302
    document = applicant.documents.get()
    url = reverse("development:document", args=[document.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 body"
    assert world.client(world.other_admin).get(url).status_code == 404
    assert world.client(world.member_user).get(url).status_code == 403
    page = client.get(reverse("development:detail", args=[applicant.pk])).text
    assert "入党申请书✓" in page


def test_the_branch_leaves_a_member_out_of_the_vote_through_the_page_and_the_api(world, applicant):
    walk(world, applicant, 14)
    client = world.client(world.branch_admin)
    url = reverse("development:detail", args=[applicant.pk])
    vote = {"present": 1, "yes": 1, "no": 0, "abstain": 0}
    response = client.post(url, {"date": "2023-10-10", "excluded": [world.lisi.pk], "excluded_reason": ""} | vote)
    assert response.status_code == 200
    assert "请写明李四不计入应到会人数的理由" in response.text
    api = f"/api/v1/development-files/{applicant.pk}/step/"
    body = {"step": 15, "date": "2023-10-10", "vote": vote}
    refused = client.post(
        api, body | {"excluded": [{"member": world.wangfang.pk, "reason": "外出"}]}, "application/json"
    )
    assert refused.status_code == 400  # 王芳 is not in the branch admin's scope
    accepted = client.post(
        api, body | {"excluded": [{"member": world.lisi.pk, "reason": "长期卧病"}]}, "application/json"
    )
    assert accepted.status_code == 200, accepted.json()
    vote_record = applicant.steps.get(step=15).vote
    assert (vote_record.expected, vote_record.excluded) == (
        1,
        [{"member": world.lisi.pk, "name": "李四", "reason": "长期卧病"}],
    )
