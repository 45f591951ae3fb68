"""The workflow through /api/v1/transfers/: each step, and refusals as 400 with the Chinese
message under the field, or 403 naming the side that may act."""

from django.urls import reverse
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.transfers.models import Transfer


def _post(client, name, pk=None, **body):
    url = reverse(name, args=[pk]) if pk else reverse(name)
    return client.post(url, body, content_type="application/json")


def test_the_whole_workflow_through_the_api(world):
    branch, town, other = (world.client(u) for u in (world.branch_admin, world.town_admin, world.other_admin))
    created = _post(branch, "transfer-list", member=world.zhangsan.pk, to_org=world.enterprise.pk, reason="工作调动")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["state"] == "requested"
    refused = _post(branch, "transfer-approve", pk)
    assert refused.status_code == 403 and "中共坪塘镇委员会" in refused.json()["detail"]
    assert _post(town, "transfer-approve", pk).json()["state"] == "approved"
    today = timezone.localdate().isoformat()
    letter = _post(town, "transfer-issue", pk, valid_days=30, dues_paid_through=today)
    assert letter.json()["state"] == "issued" and letter.json()["letter_number"]
    assert [r["id"] for r in other.get(reverse("transfer-list"), {"box": "incoming"}).json()["results"]] == [pk]
    accepted = _post(other, "transfer-accept", pk, date=today)
    assert accepted.json()["state"] == "accepted"
    assert [s["step"] for s in accepted.json()["steps"]] == ["申请转接", "审批", "开具介绍信", "接收"]
    again = _post(other, "transfer-accept", pk, date=today)
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == [f"该转接已于{today}接收办结，不能再次办理"]
    assert Member.objects.get(pk=world.zhangsan.pk).organization == world.enterprise
    receipt = _post(other, "transfer-receipt", pk, date=today)
    assert receipt.json()["receipt_date"] == today


def test_bad_input_through_the_api_changes_nothing(world):
    town = world.client(world.town_admin)
    same = _post(town, "transfer-list", member=world.zhangsan.pk, to_org=world.village.pk, reason="x")
    assert same.status_code == 400 and same.json()["to_org"] == ["转入组织与张三现所在组织相同，无需转接"]
    nowhere = _post(town, "transfer-list", member=world.zhangsan.pk, reason="x")
    assert nowhere.json()["to_org"] == ["请选择转入的党组织，或填写系统外转入组织的名称"]
    unknown = _post(town, "transfer-receipt-by-number", letter_number="NOPE-1")
    assert unknown.status_code == 400 and "未找到编号为“NOPE-1”的介绍信" in unknown.json()["letter_number"][0]
    box = town.get(reverse("transfer-list"), {"box": "nonsense"})
    assert box.status_code == 400 and "待办分类应为" in box.json()["box"][0]
    assert not Transfer.objects.exists()


def test_lists_cost_the_same_queries_for_more_transfers(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import issued

    client = world.client(world.county_admin)
    issued(world)
    client.get(reverse("transfer-list"))  # the first request fills the caches (security settings)

    def count(name, **params):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name), params).status_code == 200
        return len(queries)

    one = (count("transfer-list"), count("transfer-list", box="outgoing"), count("transfers:inbox", box="outgoing"))
    issued(world, member=world.wangfang, to=world.village)
    issued(world, member=world.zhaoliu, to=world.community)
    three = (count("transfer-list"), count("transfer-list", box="outgoing"), count("transfers:inbox", box="outgoing"))
    assert three == one
