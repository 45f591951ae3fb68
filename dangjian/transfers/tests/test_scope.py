"""Scope of transfers and mobile members beyond the matrix: both sides see a transfer, nobody
else; the operations that take numbers or organizations in their body refuse what is outside."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.transfers import services
from dangjian.transfers.models import MobileMember, Transfer

from .conftest import issued


def test_both_sides_see_a_transfer_and_no_one_else(world):
    across = issued(world)  # 坪塘镇 → 古山镇
    inside = issued(world, member=world.wangfang, to=world.village)  # within 坪塘镇
    seen = {
        user: {row["id"] for row in world.client(getattr(world, user)).get(reverse("transfer-list")).json()["results"]}
        for user in ("county_admin", "town_admin", "other_admin", "branch_admin", "member_user", "system_admin")
    }
    assert seen["county_admin"] == {across.pk, inside.pk}
    assert seen["town_admin"] == {across.pk, inside.pk}
    assert seen["other_admin"] == {across.pk}  # the receiving side
    assert seen["branch_admin"] == {across.pk, inside.pk}  # sends one, receives the other
    assert seen["member_user"] == {across.pk}  # 张三's own
    assert seen["system_admin"] == set()
    page = world.client(world.other_admin).get(reverse("transfers:list")).content.decode()
    assert "张三" in page and "王芳" not in page
    assert world.client(world.other_admin).get(reverse("transfers:detail", args=[inside.pk])).status_code == 404


def test_body_operations_refuse_outside(world):
    outside = issued(world, member=world.wangfang, to=world.village)
    client = world.client(world.other_admin)
    receipt = client.post(
        reverse("transfer-receipt-by-number"), {"letter_number": outside.letter_number}, content_type="application/json"
    )
    assert receipt.status_code == 400
    assert "不在您的管理范围内" in receipt.json()["letter_number"][0]
    incoming = client.post(
        reverse("transfer-incoming"),
        {"to_org": world.village.pk, "from_outside": "x", "letter_number": "Z-1", "issued_date": "2026-01-01"},
        content_type="application/json",
    )
    assert incoming.status_code == 400 and "不在您的管理范围内" in incoming.json()["to_org"][0]
    request = client.post(
        reverse("transfer-list"),
        {"member": world.zhangsan.pk, "to_org": world.enterprise.pk, "reason": "x"},
        content_type="application/json",
    )
    assert request.status_code == 400 and "不在您的管理范围内" in request.json()["member"][0]
    inflow = client.post(
        reverse("mobile-member-inflow"),
        {"organization": world.village.pk, "certificate_number": "A"},
        content_type="application/json",
    )
    assert inflow.status_code == 400 and "不在您的管理范围内" in inflow.json()["organization"][0]
    outflow = client.post(
        reverse("mobile-member-list"),
        {
            "member": world.zhangsan.pk,
            "destination": "x",
            "reason": "x",
            "contact": "x",
            "expected_months": 3,
            "left_date": "2026-01-01",
        },
        content_type="application/json",
    )
    assert outflow.status_code == 400
    assert Transfer.objects.get(pk=outside.pk).receipt_date is None
    assert Transfer.objects.count() == 1 and not MobileMember.objects.exists()


@pytest.mark.parametrize("user", ["member_user", "system_admin", "no_role"])
def test_no_inbox_for_who_does_not_manage_members(world, user):
    issued(world)
    counts = world.client(getattr(world, user)).get(reverse("transfer-inbox")).json()
    assert counts == dict.fromkeys(services.BOXES, 0)


def test_the_home_page_shows_the_inbox_counts(world):
    issued(world, days_ago=40, valid_days=30)  # expired: overdue and 口袋党员 for the sender
    body = world.client(world.town_admin).get(reverse("home")).content.decode()
    assert 'data-testid="home-outgoing">1<' in body and 'data-testid="home-pocket">1<' in body
    other = world.client(world.other_admin).get(reverse("home")).content.decode()
    assert 'data-testid="home-incoming">1<' in other and 'data-testid="home-pocket">0<' in other
    assert "transfer-inbox" not in world.client(world.member_user).get(reverse("home")).content.decode()
    assert timezone.localdate()
