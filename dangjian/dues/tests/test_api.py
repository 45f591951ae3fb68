"""/api/v1/dues-months/, dues-payments/, dues-bases/, dues-arrears/: writes go through the same
services as the pages (oldest month first, a refusal under its field writes nothing), money reads
as yuan strings beside the fen, and every role sees its own scope only: a row outside answers 404
like none, and lists and counts leave it out."""

import datetime as dt
from typing import Any

import pytest

from conftest import World
from dangjian.dues import rules, services
from dangjian.dues.models import DuesBasis, DuesMonth, DuesPayment
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db
D = dt.date
JSON = "application/json"


OCTOBER = dt.date(2025, 10, 1)


def ledger(world: World, member: Member, base: str = "5400", first: dt.date = OCTOBER) -> None:
    """The member pays 81.00 a month (1.5% of 5,400) from ``first``; the months up to January 2026 are written."""
    actor = world.county_admin
    services.set_basis(actor=actor, member=member, valid_from=first, category="in_service", base=base)
    for month in rules.months_between(first, D(2026, 1, 1)):
        services.generate_month(month, path=member.org_path)


def test_a_payment_goes_to_the_oldest_months_and_a_refused_one_writes_nothing(world: World, today: Any) -> None:
    ledger(world, world.zhangsan)
    client = world.client(world.branch_admin)
    body = {"member": world.zhangsan.pk, "amount": "121.50", "paid_on": "2026-01-08", "method": "wechat"}
    created = client.post("/api/v1/dues-payments/", body | {"receipt": "WX001"}, content_type=JSON)
    assert created.status_code == 201, created.json()
    payment = created.json()
    assert (payment["amount"], payment["amount_fen"], payment["kind"]) == ("121.50", 12150, "dues")
    assert payment["entries"] == [
        {"month": "2025-10-01", "amount": "81.00", "amount_fen": 8100},
        {"month": "2025-11-01", "amount": "40.50", "amount_fen": 4050},
    ]
    months = client.get(f"/api/v1/dues-months/?member={world.zhangsan.pk}&outstanding=true").json()
    assert [(row["month"], row["outstanding"]) for row in months["results"]] == [
        ("2026-01-01", "81.00"),
        ("2025-12-01", "81.00"),
        ("2025-11-01", "40.50"),
    ]

    # 202.50 is still owed: more is refused under its field, a receipt is used once; nothing is written.
    paid_before = list(DuesMonth.objects.order_by("month").values_list("paid", flat=True))
    too_much = client.post("/api/v1/dues-payments/", body | {"amount": "500"}, content_type=JSON)
    assert too_much.status_code == 400
    assert "交纳金额超过应交金额202.50元" in too_much.json()["amount"][0]
    again = client.post("/api/v1/dues-payments/", body | {"amount": "10", "receipt": "WX001"}, content_type=JSON)
    assert again.status_code == 400 and "已经登记过" in again.json()["receipt"][0]
    assert DuesPayment.objects.count() == 1
    assert list(DuesMonth.objects.order_by("month").values_list("paid", flat=True)) == paid_before

    # 冲正: a reason is needed; the reversal takes back what each month got.
    url = f"/api/v1/dues-payments/{payment['id']}/reverse/"
    assert "reason" in client.post(url, {"reason": " "}, content_type=JSON).json()
    reversal = client.post(url, {"reason": "金额录错"}, content_type=JSON)
    assert reversal.status_code == 201
    assert (reversal.json()["kind"], reversal.json()["amount"]) == ("reversal", "-121.50")
    assert client.get(f"/api/v1/dues-payments/{payment['id']}/").json()["reversed_by"] == reversal.json()["id"]
    assert set(DuesMonth.objects.values_list("paid", flat=True)) == {0}


def test_a_basis_is_set_through_the_service_and_a_wrong_one_is_refused_by_field(world: World, today: Any) -> None:
    client = world.client(world.branch_admin)
    body = {"member": world.lisi.pk, "valid_from": "2026-01-15", "category": "in_service", "base": "5400"}
    created = client.post("/api/v1/dues-bases/", body, content_type=JSON)
    assert created.status_code == 201, created.json()
    basis = created.json()
    assert (basis["valid_from"], basis["amount"], basis["amount_fen"], basis["relief"]) == (
        "2026-01-01",
        "81.00",
        8100,
        None,
    )
    assert basis["base"] == "5400.00" and basis["category"] == "in_service"

    fixed = client.post("/api/v1/dues-bases/", body | {"category": "farmer"}, content_type=JSON)
    assert fixed.status_code == 400 and "不填交纳基数" in fixed.json()["base"][0]
    # The approving committee may be above the caller's scope: one elsewhere reads like none.
    hardship = body | {"valid_from": "2026-02-01", "relief": "exempt", "relief_on": "2026-01-05", "base": "100"}
    answers = [
        client.post("/api/v1/dues-bases/", hardship | {"relief_by": pk}, content_type=JSON).json()["relief_by"]
        for pk in (world.other_town.pk, 987654)
    ]
    assert answers[0] == answers[1] and "上级党委" in answers[0][0]
    assert list(DuesBasis.objects.values_list("category", flat=True)) == ["in_service"]
    by_town = client.post("/api/v1/dues-bases/", hardship | {"relief_by": world.town.pk}, content_type=JSON)
    assert by_town.status_code == 201 and (by_town.json()["relief"], by_town.json()["amount"]) == ("exempt", "0.00")


def test_each_role_sees_its_scope_only(world: World, today: Any, django_assert_max_num_queries: Any) -> None:
    ledger(world, world.zhangsan)
    ledger(world, world.lisi, first=D(2026, 1, 1))
    ledger(world, world.zhaoliu)
    village = DuesMonth.objects.filter(member=world.zhangsan).first()
    assert village is not None
    services.record_payment(actor=world.county_admin, member=world.zhaoliu, amount="81", paid_on=D(2026, 1, 2))
    enterprise_payment = DuesPayment.objects.get()

    other = world.client(world.other_admin)  # 古山镇: the enterprise branch only
    assert other.get(f"/api/v1/dues-months/{village.pk}/").status_code == 404
    assert other.get("/api/v1/dues-months/999999/").status_code == 404
    rows = other.get("/api/v1/dues-months/").json()
    assert rows["count"] == 4 and {row["member"] for row in rows["results"]} == {world.zhaoliu.pk}
    arrears = other.get("/api/v1/dues-arrears/").json()
    assert [row["name"] for row in arrears["results"]] == ["赵六"] and arrears["count"] == 1
    assert arrears["results"][0]["amount"] == "243.00" and arrears["results"][0]["months"][0] == "2025-11-01"
    assert other.get("/api/v1/dues-months/", {"organization": world.village.pk}).status_code == 400
    assert other.get("/api/v1/dues-bases/", {"member": world.zhangsan.pk}).status_code == 400

    town = world.client(world.town_admin)
    with django_assert_max_num_queries(12):
        listed = town.get("/api/v1/dues-months/", {"page_size": 50}).json()
    assert listed["count"] == 5 and world.zhaoliu.pk not in {row["member"] for row in listed["results"]}
    assert town.get(f"/api/v1/dues-payments/{enterprise_payment.pk}/").status_code == 404
    assert town.get("/api/v1/dues-payments/").json()["count"] == 0
    reversed_outside = town.post(
        f"/api/v1/dues-payments/{enterprise_payment.pk}/reverse/", {"reason": "越权"}, content_type=JSON
    )
    assert reversed_outside.status_code == 404 and DuesPayment.objects.count() == 1
    outside = town.post(
        "/api/v1/dues-payments/",
        {"member": world.zhaoliu.pk, "amount": "81", "paid_on": "2026-01-08"},
        content_type=JSON,
    )
    assert outside.status_code == 400 and "不存在或不在您的管理范围内" in outside.json()["member"][0]
    assert {row["name"] for row in town.get("/api/v1/dues-arrears/").json()["results"]} == {"张三", "李四"}

    member = world.client(world.member_user)  # 张三: his own rows, and no writing
    mine = member.get("/api/v1/dues-months/").json()
    assert mine["count"] == 4 and {row["member"] for row in mine["results"]} == {world.zhangsan.pk}
    lisi_month = DuesMonth.objects.get(member=world.lisi)
    assert member.get(f"/api/v1/dues-months/{lisi_month.pk}/").status_code == 404
    assert [row["name"] for row in member.get("/api/v1/dues-arrears/").json()["results"]] == ["张三"]
    paying = member.post(
        "/api/v1/dues-payments/",
        {"member": world.zhangsan.pk, "amount": "81", "paid_on": "2026-01-08"},
        content_type=JSON,
    )
    assert paying.status_code == 403 and DuesPayment.objects.count() == 1
    assert world.client(world.no_role).get("/api/v1/dues-months/").json()["count"] == 0


def test_month_filters_take_a_month_and_refuse_anything_else(world: World, today: Any) -> None:
    ledger(world, world.zhangsan)
    client = world.client(world.branch_admin)
    rows = client.get("/api/v1/dues-months/", {"month_from": "2025-11", "month_to": "2025-12"}).json()["results"]
    assert sorted(row["month"] for row in rows) == ["2025-11-01", "2025-12-01"]
    for bad in ("2025-13", "2025-11-01", "0001-01", "abc"):
        answer = client.get("/api/v1/dues-months/", {"month_from": bad})
        assert answer.status_code == 400 and "YYYY-MM" in answer.json()["month_from"][0], bad
    assert client.get("/api/v1/dues-payments/", {"year": "99999"}).status_code == 400
