"""The pages: start a transfer, act on it from its page, the inbox tabs."""

from django.urls import reverse
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.transfers.models import Transfer, TransferState


def test_a_transfer_from_the_pages(world):
    branch, town, other = (world.client(u) for u in (world.branch_admin, world.town_admin, world.other_admin))
    page = branch.post(
        reverse("transfers:new"),
        {"member": world.zhangsan.pk, "to_org_code": world.enterprise.code, "reason": "工作调动"},
    )
    transfer = Transfer.objects.get()
    assert page.status_code == 302 and page.url == reverse("transfers:detail", args=[transfer.pk])
    inbox = town.get(reverse("transfers:inbox")).content.decode()
    assert 'data-testid="count-approvals">1<' in inbox and "张三" in inbox
    detail = town.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    assert 'data-testid="action-approve"' in detail
    assert (
        'data-testid="action-approve"'
        not in branch.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    )
    act = reverse("transfers:act", args=[transfer.pk])
    assert town.post(act, {"action": "approve"}).status_code == 302
    today = timezone.localdate().isoformat()
    town.post(act, {"action": "issue", "valid_days": "30", "dues_paid_through": today, "date": today})
    refused = other.post(act, {"action": "return", "reason": ""})
    assert refused.status_code == 400 and "退回时请写明理由" in refused.content.decode()
    assert other.post(act, {"action": "accept", "date": today}).status_code == 302
    assert Transfer.objects.get().state == TransferState.ACCEPTED
    assert Member.objects.get(pk=world.zhangsan.pk).organization == world.enterprise
    twice = other.post(act, {"action": "accept", "date": today})
    assert twice.status_code == 400 and "不能再次办理" in twice.content.decode()


def test_an_unknown_destination_code_is_named(world):
    page = world.client(world.branch_admin).post(
        reverse("transfers:new"), {"member": world.zhangsan.pk, "to_org_code": "NOPE", "reason": "x"}
    )
    assert "所选转入党组织不存在或不能接收党员" in page.content.decode()
    assert not Transfer.objects.exists()


def test_a_receipt_page_for_an_unknown_number(world):
    page = world.client(world.town_admin).post(
        reverse("transfers:receipt"), {"letter_number": "X-1", "date": timezone.localdate().isoformat()}
    )
    assert "未找到编号为“X-1”的介绍信" in page.content.decode()


def test_mobile_member_pages(world):
    from dangjian.transfers.models import MobileMember

    branch = world.client(world.branch_admin)
    today = timezone.localdate().isoformat()
    created = branch.post(
        reverse("transfers:mobile_new"),
        {
            "member": world.lisi.pk,
            "destination": "浙江省杭州市",
            "reason": "务工",
            "contact": "微信 lisi",
            "expected_months": "10",
            "left_date": today,
            "certificate_number": "HN-001",
        },
    )
    record = MobileMember.objects.get()
    assert created.status_code == 302 and created.url == reverse("transfers:mobile_detail", args=[record.pk])
    inflow = world.client(world.other_admin).post(
        reverse("transfers:mobile_inflow"), {"organization": world.enterprise.pk, "certificate_number": "HN-001"}
    )
    assert inflow.status_code == 302
    listed = world.client(world.other_admin).get(reverse("transfers:mobile"), {"side": "in"}).content.decode()
    assert "李四" in listed and "没有表决权" in listed
    bad = branch.post(reverse("transfers:mobile_detail", args=[record.pk]), {"action": "return", "date": "2000-01-01"})
    assert bad.status_code == 400 and "返回日期不能早于外出日期" in bad.content.decode()
    back = branch.post(reverse("transfers:mobile_detail", args=[record.pk]), {"action": "return", "date": today})
    assert back.status_code == 302
    assert Member.objects.get(pk=world.lisi.pk).status == "normal"
