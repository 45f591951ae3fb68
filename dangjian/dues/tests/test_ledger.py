"""The ledger through its services: a basis and its history, the month's generation, payments
shared oldest first, paying ahead, back-payment, voluntary extras, reversals, the month paid
through, and the six months of 第十三条. Every refusal names its field and writes nothing."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.http import Http404

from conftest import World
from dangjian.core.errors import DomainError
from dangjian.dues import ledger, rules, services
from dangjian.dues.models import DuesBasis, DuesEntry, DuesMonth, DuesPayment, DuesStandard
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db
D = dt.date


def months_of(member: Member) -> dict[dt.date, tuple[int, int]]:
    return {row.month: (row.owed, row.paid) for row in DuesMonth.objects.filter(member=member)}


def run_months(first: dt.date, last: dt.date) -> None:
    for month in rules.months_between(first, last):
        services.generate_month(month)


def test_a_basis_gives_the_amount_and_the_months_follow_it(world: World, today) -> None:
    zhangsan = world.zhangsan
    services.set_basis(
        actor=world.branch_admin, member=zhangsan, valid_from=D(2026, 1, 1), category="in_service", base="5400"
    )
    run_months(D(2026, 1, 1), D(2026, 1, 1))
    today(D(2026, 4, 2))
    # 第十条: the raise is first paid in March; January and February keep 81.00 (1.5% of 5,400).
    with pytest.raises(DomainError) as refused:
        services.set_basis(
            actor=world.branch_admin, member=zhangsan, valid_from=D(2026, 1, 1), category="in_service", base="6000"
        )
    assert "2026年1月及以前的党费已记账" in refused.value.errors["valid_from"][0]
    run_months(D(2026, 2, 1), D(2026, 2, 1))
    services.set_basis(
        actor=world.branch_admin, member=zhangsan, valid_from=D(2026, 3, 1), category="in_service", base="2999.99"
    )
    run_months(D(2026, 3, 1), D(2026, 4, 1))
    assert {month: owed for month, (owed, _) in months_of(zhangsan).items()} == {
        D(2026, 1, 1): 8100,
        D(2026, 2, 1): 8100,
        D(2026, 3, 1): 1500,  # 0.5% of 2,999.99 = 14.99995, half up to the fen
        D(2026, 4, 1): 1500,
    }
    bases = list(DuesBasis.objects.filter(member=zhangsan).order_by("valid_from").values_list("valid_from", "valid_to"))
    assert bases == [(D(2026, 1, 1), D(2026, 2, 1)), (D(2026, 3, 1), None)]
    run_months(D(2026, 4, 1), D(2026, 4, 1))  # again: nothing written twice
    assert DuesMonth.objects.filter(member=zhangsan).count() == 4


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"category": "in_service", "base": "-1"}, "base", "交纳基数不能为负数"),
        ({"category": "in_service"}, "base", "请填写交纳基数"),
        ({"category": "farmer", "base": "3000"}, "base", "按固定金额交纳，不填交纳基数"),
        ({"category": "student", "relief": "exempt"}, "relief_by", "须经上级党委批准"),
        ({"category": "student", "relief": "reduced", "relief_on": D(2026, 1, 5)}, "relief_amount", "请填写减免后"),
        ({"category": "nobody"}, "category", "请选择党费类别"),
        ({"category": "in_service", "base": "abc"}, "base", "交纳基数应为数字"),
        ({"category": "in_service", "base": "1.234"}, "base", "精确到分"),
    ],
)
def test_a_wrong_basis_is_refused_by_field_and_nothing_is_written(world: World, today, fields, field, message) -> None:
    with pytest.raises(DomainError) as refused:
        services.set_basis(actor=world.branch_admin, member=world.zhangsan, valid_from=D(2026, 1, 1), **fields)
    assert any(message in text for text in refused.value.errors[field]), refused.value.errors
    assert not DuesBasis.objects.exists()


def test_hardship_needs_the_committee_above_and_an_exempt_member_owes_nothing(world: World, today) -> None:
    with pytest.raises(DomainError) as refused:
        services.set_basis(
            actor=world.branch_admin, member=world.zhangsan, valid_from=D(2026, 1, 1), category="retired",
            base="4000", relief="exempt", relief_by=world.other_town, relief_on=D(2026, 1, 5),
        )  # fmt: skip
    assert "上级党委" in refused.value.errors["relief_by"][0]
    basis = services.set_basis(
        actor=world.branch_admin, member=world.zhangsan, valid_from=D(2026, 1, 1), category="retired",
        base="4000", relief="exempt", relief_by=world.town, relief_on=D(2026, 1, 5),
    )  # fmt: skip
    assert basis.amount == 0
    reduced = services.set_basis(
        actor=world.branch_admin, member=world.lisi, valid_from=D(2026, 1, 1), category="in_service",
        base="8000", relief="reduced", relief_amount="5", relief_by=world.town, relief_on=D(2026, 1, 5),
    )  # fmt: skip
    assert reduced.amount == 500


def test_only_the_member_s_own_branch_side_may_set_a_basis(world: World, today) -> None:
    with pytest.raises(Http404):
        services.set_basis(actor=world.other_admin, member=world.zhangsan, valid_from=D(2026, 1, 1), category="student")
    assert not DuesBasis.objects.exists()


def test_a_standard_from_july_restates_july_on_and_leaves_the_first_half_year(world: World, today) -> None:
    national = DuesStandard.objects.get(region="")
    services.set_basis(actor=world.branch_admin, member=world.zhangsan, valid_from=D(2026, 1, 1), category="farmer")
    today(D(2026, 12, 1))
    run_months(D(2026, 1, 1), D(2026, 6, 1))
    national.valid_to = D(2026, 6, 30)
    national.save()
    DuesStandard.objects.create(
        name="2026年新标准", valid_from=D(2026, 7, 1), in_service_brackets=national.in_service_brackets,
        retired_brackets=national.retired_brackets, farmer_amount=Decimal("0.50"), basis="通知",
    )  # fmt: skip
    run_months(D(2026, 7, 1), D(2026, 12, 1))
    owed = {month: amount for month, (amount, _) in months_of(world.zhangsan).items()}
    assert {owed[D(2026, month, 1)] for month in range(1, 7)} == {20}
    assert {owed[D(2026, month, 1)] for month in range(7, 13)} == {50}


def test_a_probationary_member_admitted_mid_month_owes_that_month_and_a_transfer_moves_the_later_ones(
    world: World, today
) -> None:
    lisi = world.lisi
    Member.objects.filter(pk=lisi.pk).update(joined_date=D(2026, 3, 18), category="probationary", regularized_date=None)
    lisi.refresh_from_db()
    with pytest.raises(DomainError):  # 第八条: from the day of admission, not before
        services.set_basis(actor=world.branch_admin, member=lisi, valid_from=D(2026, 2, 1), category="student")
    services.set_basis(actor=world.branch_admin, member=lisi, valid_from=D(2026, 3, 1), category="student")
    today(D(2026, 8, 1))
    run_months(D(2026, 2, 1), D(2026, 5, 1))
    Member.objects.filter(pk=lisi.pk).update(organization=world.community, org_path=world.community.path)
    run_months(D(2026, 6, 1), D(2026, 7, 1))
    where = dict(DuesMonth.objects.filter(member=lisi).values_list("month", "organization_id"))
    assert where == {
        D(2026, 3, 1): world.village.pk,
        D(2026, 4, 1): world.village.pk,
        D(2026, 5, 1): world.village.pk,
        D(2026, 6, 1): world.community.pk,
        D(2026, 7, 1): world.community.pk,
    }
    with pytest.raises(DomainError) as refused:
        services.record_payment(
            actor=world.county_admin, member=lisi, amount="0.2", paid_on=D(2026, 7, 5), for_month=D(2026, 2, 1)
        )
    assert "2026年03月18日入党" in refused.value.errors[None][0]


@pytest.fixture
def paying(world: World, today) -> Member:
    """张三 at 30.00 a month (0.5% of 6,000… no: 1.5% of 2,000 is not a bracket): 在职 with 6,000,
    owing 90.00 a month, January to April 2026 in the ledger, today 10 April."""
    services.set_basis(
        actor=world.branch_admin, member=world.zhangsan, valid_from=D(2026, 1, 1), category="in_service", base="6000"
    )
    today(D(2026, 4, 10))
    run_months(D(2026, 1, 1), D(2026, 4, 1))
    return world.zhangsan


def test_a_payment_goes_to_the_oldest_months_first(world: World, paying: Member) -> None:
    services.record_payment(actor=world.branch_admin, member=paying, amount="135", paid_on=D(2026, 4, 8), receipt="R1")
    assert months_of(paying) == {
        D(2026, 1, 1): (9000, 9000),
        D(2026, 2, 1): (9000, 4500),
        D(2026, 3, 1): (9000, 0),
        D(2026, 4, 1): (9000, 0),
    }
    assert ledger.paid_through(paying) == D(2026, 1, 1)


def test_more_than_owed_is_refused_unless_paid_ahead_or_given_as_extra(world: World, paying: Member) -> None:
    with pytest.raises(DomainError) as refused:
        services.record_payment(actor=world.branch_admin, member=paying, amount="400", paid_on=D(2026, 4, 8))
    assert "超过应交金额360.00元" in refused.value.errors["amount"][0]
    assert not DuesPayment.objects.exists()
    services.record_payment(actor=world.branch_admin, member=paying, amount="540", paid_on=D(2026, 4, 8), ahead=2)
    assert ledger.paid_through(paying) == D(2026, 6, 1)
    gift = services.record_payment(
        actor=world.branch_admin, member=paying, amount="1000", paid_on=D(2026, 4, 9), extra=True
    )
    assert gift.kind == "extra" and gift.remit_to_centre  # 第十一条: 1,000 yuan or more goes to the Centre
    assert ledger.extras(DuesPayment.objects.all()) == 100_000
    services.generate_month(D(2026, 5, 1))  # the months paid ahead stay as they are
    assert months_of(paying)[D(2026, 5, 1)] == (9000, 9000)


def test_a_back_payment_beyond_six_months_needs_a_reason(world: World, paying: Member, today) -> None:
    today(D(2026, 8, 3))
    with pytest.raises(DomainError) as refused:
        services.record_payment(actor=world.branch_admin, member=paying, amount="90", paid_on=D(2026, 8, 3))
    assert "补交2026年1月的党费已超过6个月" in refused.value.errors["reason"][0]
    assert "第十二条" in refused.value.errors["reason"][0]
    services.record_payment(
        actor=world.branch_admin, member=paying, amount="90", paid_on=D(2026, 8, 3), reason="长期住院"
    )


def test_a_receipt_number_is_entered_once(world: World, paying: Member) -> None:
    services.record_payment(actor=world.branch_admin, member=paying, amount="90", paid_on=D(2026, 4, 8), receipt="WX-1")
    with pytest.raises(DomainError) as refused:
        services.record_payment(
            actor=world.branch_admin, member=paying, amount="90", paid_on=D(2026, 4, 8), receipt="WX-1"
        )
    assert "已经登记过" in refused.value.errors["receipt"][0]
    assert DuesPayment.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "field"), [("-5", "amount"), ("0", "amount"), ("1e400", "amount"), ("abc", "amount"), ("NaN", "amount")]
)
def test_a_wrong_amount_is_refused(world: World, paying: Member, amount: str, field: str) -> None:
    with pytest.raises(DomainError) as refused:
        services.record_payment(actor=world.branch_admin, member=paying, amount=amount, paid_on=D(2026, 4, 8))
    assert field in refused.value.errors
    assert not DuesEntry.objects.exists()


def test_a_reversal_takes_back_exactly_what_the_payment_gave(world: World, paying: Member) -> None:
    payment = services.record_payment(actor=world.branch_admin, member=paying, amount="135", paid_on=D(2026, 4, 8))
    with pytest.raises(DomainError):
        services.reverse_payment(actor=world.branch_admin, payment=payment, reason="")
    reversal = services.reverse_payment(actor=world.branch_admin, payment=payment, reason="金额录错")
    assert reversal.amount == -13500
    assert {paid for _, paid in months_of(paying).values()} == {0}
    with pytest.raises(DomainError, match="已经冲正过"):
        services.reverse_payment(actor=world.branch_admin, payment=payment, reason="再冲")
    assert DuesPayment.objects.count() == 2
    call_command("check_dues")  # the months' paid are the sums of their entries


def test_the_months_paid_are_always_the_sum_of_their_entries(world: World, paying: Member) -> None:
    for amount in ("20", "70.5", "100"):
        services.record_payment(actor=world.branch_admin, member=paying, amount=amount, paid_on=D(2026, 4, 8))
    paid = DuesMonth.objects.aggregate(total=Sum("paid"))["total"]
    assert paid == DuesEntry.objects.aggregate(total=Sum("amount"))["total"] == 19050
    DuesMonth.objects.filter(member=paying, month=D(2026, 3, 1)).update(paid=1)  # a write past the services
    with pytest.raises(Exception, match="2026-03"):
        call_command("check_dues")


@pytest.mark.parametrize(
    ("story", "silent"),
    [
        ({}, 6),  # January to June unpaid, seen on 10 July
        ({"paid_in": D(2026, 5, 20)}, 1),  # a payment in the fifth month starts the count again
        ({"reason": (D(2026, 3, 1), D(2026, 4, 1))}, 2),  # months with a valid reason do not count
        ({"exempt": True}, 0),  # an exempted member owes nothing and is never flagged
    ],
)
def test_six_months_without_paying_are_flagged(world: World, today, story: dict, silent: int) -> None:
    zhangsan = world.zhangsan
    relief: dict[str, Any] = (
        {"relief": "exempt", "relief_by": world.town, "relief_on": D(2026, 1, 2)} if story.get("exempt") else {}
    )
    services.set_basis(
        actor=world.branch_admin, member=zhangsan, valid_from=D(2026, 1, 1), category="student", **relief
    )
    today(D(2026, 7, 10))
    run_months(D(2026, 1, 1), D(2026, 7, 1))
    if "paid_in" in story:
        services.record_payment(actor=world.branch_admin, member=zhangsan, amount="0.2", paid_on=story["paid_in"])
    if "reason" in story:
        services.record_reason(
            actor=world.branch_admin,
            member=zhangsan,
            from_month=story["reason"][0],
            to_month=story["reason"][1],
            reason="重病住院",
        )
    found = {row.member_id: row for row in ledger.arrears(DuesMonth.objects.all())}
    assert (found[zhangsan.pk].silent_months if zhangsan.pk in found else 0) == silent
    assert (zhangsan.pk in found and found[zhangsan.pk].flagged) is (silent >= 6)


def test_a_mobile_member_pays_where_they_are_and_the_home_branch_is_credited(world: World, paying: Member) -> None:
    from dangjian.transfers import services_mobile

    with pytest.raises(Http404):  # before the inflow is registered: as if the member did not exist
        services.record_payment(actor=world.other_admin, member=paying, amount="90", paid_on=D(2026, 4, 8))
    services_mobile.register_outflow(
        actor=world.branch_admin, member=paying, destination="广东省深圳市", reason="务工", contact="13800000000",
        expected_months=12, left_date=D(2026, 2, 1), certificate_number="LD-2026-001",
    )  # fmt: skip
    services_mobile.register_inflow(
        actor=world.other_admin, organization=world.enterprise, certificate_number="LD-2026-001"
    )
    payment = services.record_payment(actor=world.other_admin, member=paying, amount="90", paid_on=D(2026, 4, 8))
    assert payment.collected_by == world.other_town  # recorded at the inflow side (第九条)
    assert payment.org_path == world.village.path  # credited to the home branch
    assert months_of(paying)[D(2026, 1, 1)] == (9000, 9000)


def test_the_deployment_s_province_standard_governs_its_members(world: World, today, settings) -> None:
    national = DuesStandard.objects.get(region="")
    DuesStandard.objects.create(
        name="某省农民党员党费标准", region="某省", valid_from=D(2025, 1, 1),
        in_service_brackets=national.in_service_brackets, retired_brackets=national.retired_brackets,
        farmer_amount=Decimal("0.50"), basis="某省委组织部通知",
    )  # fmt: skip
    national_basis = services.set_basis(
        actor=world.branch_admin, member=world.zhangsan, valid_from=D(2026, 1, 1), category="farmer"
    )
    settings.DUES_REGION = "某省"
    provincial = services.set_basis(
        actor=world.branch_admin, member=world.lisi, valid_from=D(2026, 1, 1), category="farmer"
    )
    assert (national_basis.amount, provincial.amount) == (20, 50)
