"""Remittance (上缴): each organization passes up its share of what reached it, the branches all of
it unless a share is set; the standing of a subtree; the recording of a remittance."""

import datetime as dt
from decimal import Decimal

import pytest

from conftest import World
from dangjian.core.errors import DomainError
from dangjian.dues import remittance, rules, services
from dangjian.dues.models import Remittance, RemittanceShare

D = dt.date


def test_a_committee_passes_up_its_share_of_what_its_branches_passed_and_its_own() -> None:
    # county 1 ← town 2 ← branches 3, 4; the town keeps half, the county passes 5%.
    tree = [(1, None), (2, 1), (3, 2), (4, 2)]
    due = rules.passed_up(tree, {3: 10_000, 4: 5_001, 2: 999}, {2: Decimal("0.5"), 1: Decimal("0.05")})
    assert due == {3: 10_000, 4: 5_001, 2: 8_000, 1: 400}
    assert rules.province_deadline(2026) == D(2027, 4, 30)


@pytest.mark.django_db
def test_the_town_sees_what_each_branch_owes_upward_and_what_it_passed(world: World, today) -> None:
    today(D(2026, 1, 5))
    services.set_basis(
        actor=world.town_admin, member=world.zhangsan, valid_from=D(2026, 1, 1), category="in_service", base="6000"
    )
    services.set_basis(actor=world.town_admin, member=world.wangfang, valid_from=D(2026, 1, 1), category="student")
    services.generate_month(D(2026, 1, 1))
    today(D(2026, 3, 1))
    services.generate_month(D(2026, 2, 1))
    services.record_payment(actor=world.town_admin, member=world.zhangsan, amount="180", paid_on=D(2026, 2, 20))
    wrong = services.record_payment(actor=world.town_admin, member=world.wangfang, amount="0.4", paid_on=D(2026, 2, 20))
    services.reverse_payment(actor=world.town_admin, payment=wrong, reason="重复登记")
    services.record_payment(actor=world.town_admin, member=world.wangfang, amount="0.2", paid_on=D(2026, 2, 21))
    RemittanceShare.objects.create(organization=world.town, share=Decimal("0.6"), valid_from=D(2026, 1, 1))
    remittance.record_remittance(
        actor=world.branch_admin, organization=world.village, year=2026, amount="100", remitted_on=D(2026, 2, 28)
    )
    rows = {row.organization.pk: row for row in remittance.standing(world.town, 2026)}
    assert (rows[world.village.pk].collected, rows[world.village.pk].due, rows[world.village.pk].remitted) == (
        18_000,
        18_000,
        10_000,
    )
    assert rows[world.village.pk].balance == 8_000
    assert rows[world.community.pk].collected == 20  # the reversal deducted
    assert rows[world.town.pk].due == round((18_000 + 20) * 0.6)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "-5"}, "note"),
        ({"amount": "5", "remitted_on": D(2030, 1, 1)}, "remitted_on"),
        ({"amount": "5", "year": 2027}, "year"),
    ],
)
def test_a_wrong_remittance_is_refused_by_field(world: World, today, fields: dict, field: str) -> None:
    today(D(2026, 5, 1))
    values = {"year": 2026, "remitted_on": D(2026, 4, 30)} | fields
    with pytest.raises(DomainError) as refused:
        remittance.record_remittance(actor=world.branch_admin, organization=world.village, **values)
    assert field in refused.value.errors
    assert not Remittance.objects.exists()


@pytest.mark.django_db
def test_the_top_of_the_tree_names_who_received_it_and_no_one_outside_the_subtree_records(world: World, today) -> None:
    today(D(2026, 5, 1))
    with pytest.raises(DomainError) as refused:
        remittance.record_remittance(
            actor=world.county_admin, organization=world.county, year=2025, amount="5", remitted_on=D(2026, 4, 1)
        )
    assert "接收单位" in refused.value.errors["to_name"][0]
    done = remittance.record_remittance(
        actor=world.county_admin,
        organization=world.county,
        year=2025,
        amount="5",
        remitted_on=D(2026, 4, 1),
        to_name="市委组织部",
    )
    assert done.to_organization is None and done.to_name == "市委组织部"
    from django.http import Http404

    with pytest.raises(Http404):
        remittance.record_remittance(
            actor=world.other_admin, organization=world.village, year=2026, amount="5", remitted_on=D(2026, 4, 1)
        )


@pytest.mark.django_db
def test_the_remittance_page_shows_the_balances_and_records_one(world: World, today) -> None:
    today(D(2026, 3, 1))
    services.set_basis(
        actor=world.town_admin, member=world.zhangsan, valid_from=D(2026, 1, 1), category="in_service", base="6000"
    )
    services.record_payment(actor=world.town_admin, member=world.zhangsan, amount="180", paid_on=D(2026, 2, 20))
    town = world.client(world.town_admin)
    page = town.get("/dues/remittance/?year=2026").content.decode()
    assert "180.00" in page and "兴丰村" in page
    refused = town.post(
        "/dues/remittance/?year=2026", {"organization": world.village.pk, "amount": "-10", "remitted_on": "2026-02-28"}
    )
    assert refused.status_code == 400 and "请说明原因" in refused.content.decode()
    done = town.post(
        "/dues/remittance/?year=2026",
        {"organization": world.village.pk, "amount": "180", "remitted_on": "2026-02-28", "voucher": "P-1"},
    )
    assert done.status_code == 302
    rows = {row.organization.pk: row for row in remittance.standing(world.town, 2026)}
    assert rows[world.village.pk].balance == 0
    outside = world.client(world.other_admin)
    assert outside.get(f"/dues/remittance/?organization={world.village.pk}").status_code == 404
    assert (
        outside.post(
            "/dues/remittance/?year=2026",
            {"organization": world.village.pk, "amount": "5", "remitted_on": "2026-02-28"},
        ).status_code
        == 400
    )
    assert Remittance.objects.count() == 1
