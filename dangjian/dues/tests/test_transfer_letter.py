"""The transfer letter's 党费交至 from the dues ledger: a member whose dues are kept here gets the
ledger's month on the letter (the month typed is not used), shown read-only on the letter's form;
a member with no ledger keeps the month typed from the paper ledger, and the form says so."""

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from conftest import World
from dangjian.core.errors import DomainError
from dangjian.dues import ledger, rules, services
from dangjian.members.models import Member
from dangjian.transfers import letter
from dangjian.transfers import rules as transfer_rules
from dangjian.transfers import services as transfers
from dangjian.transfers.models import Transfer
from dangjian.transfers.views import NO_LEDGER

pytestmark = pytest.mark.django_db
D = dt.date
MARCH, APRIL = D(2026, 3, 1), D(2026, 4, 1)


@pytest.fixture
def paid_through_march(world: World, today: Any) -> Member:
    """张三's ledger from January, 81.00 a month (1.5% of 5,400), paid for January to March on
    April 8th; April is owed."""
    today(D(2026, 4, 10))
    zhangsan = world.zhangsan
    services.set_basis(
        actor=world.branch_admin, member=zhangsan, valid_from=D(2026, 1, 1), category="in_service", base="5400"
    )
    for month in rules.months_between(D(2026, 1, 1), APRIL):
        services.generate_month(month)
    services.record_payment(
        actor=world.branch_admin, member=zhangsan, amount="243", paid_on=D(2026, 4, 8), receipt="SJ-2026-0001"
    )
    assert ledger.paid_through(zhangsan) == MARCH
    return zhangsan


def approved(world: World, member: Member) -> Transfer:
    transfer = transfers.request_transfer(
        actor=world.town_admin, member=member, to_org=world.enterprise, reason="工作单位变动"
    )
    return transfers.approve_transfer(actor=world.town_admin, transfer=transfer)


def letter_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "".join(line.replace(" ", "") for page in reader.pages for line in page.extract_text().splitlines())


def issue_form(page: str) -> str:
    found = re.search(r'<form[^>]*data-testid="form-issue".*?</form>', page, re.DOTALL)
    assert found, "the page offers no letter to issue"
    return found.group()


def test_the_service_takes_the_month_from_the_ledger_not_the_month_typed(world: World, paid_through_march) -> None:
    transfer = approved(world, paid_through_march)
    issued = transfers.issue_letter(actor=world.town_admin, transfer=transfer, valid_days=30, dues_paid_through=APRIL)
    assert issued.dues_paid_through == MARCH
    text = letter_text(letter.letter_for(world.town_admin, issued))
    assert f"党费已交到{transfer_rules.capital_month(MARCH)}" in text  # 贰零贰陆年叁月


def test_the_letter_form_shows_the_ledger_s_month_read_only_and_the_letter_says_it(
    world: World, paid_through_march
) -> None:
    transfer = approved(world, paid_through_march)
    town = world.client(world.town_admin)
    form = issue_form(town.get(reverse("transfers:detail", args=[transfer.pk])).content.decode())
    field = re.search(r'<input[^>]*name="dues_paid_through"[^>]*>', form)
    assert field and "disabled" in field.group() and 'value="2026-03"' in field.group()
    assert "按本系统党费账：已交至2026年3月" in form and NO_LEDGER not in form
    # Whatever is posted for the month (a disabled field is not sent; a hand-made request may be).
    answer = town.post(
        reverse("transfers:act", args=[transfer.pk]),
        {"action": "issue", "date": "2026-04-10", "valid_days": "30", "dues_paid_through": "2026-04"},
    )
    assert answer.status_code == 302
    transfer.refresh_from_db()
    assert transfer.dues_paid_through == MARCH
    detail = town.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    assert '<dt class="col-4">党费交至</dt><dd class="col-8">2026年3月</dd>' in detail
    pdf = town.get(reverse("transfers:letter", args=[transfer.pk]))
    assert pdf.status_code == 200
    assert f"党费已交到{transfer_rules.capital_month(MARCH)}" in letter_text(pdf.content)


def test_a_new_letter_follows_the_ledger_even_to_a_month_paid_ahead(world: World, paid_through_march, today) -> None:
    transfer = approved(world, paid_through_march)
    transfers.issue_letter(actor=world.town_admin, transfer=transfer, valid_days=30, dues_paid_through=None)
    # April and, 经支部同意, May and June ahead: the letter lost and made again says June, after its own month.
    today(D(2026, 4, 22))
    services.record_payment(
        actor=world.branch_admin, member=paid_through_march, amount="243", paid_on=D(2026, 4, 20), ahead=2
    )
    again = transfers.reissue_letter(
        actor=world.town_admin, transfer=transfer, valid_days=30, dues_paid_through=MARCH, reason="介绍信遗失"
    )
    assert again.dues_paid_through == D(2026, 6, 1)


def test_a_member_with_no_ledger_keeps_the_month_typed_and_the_form_says_why(world: World, today) -> None:
    today(D(2026, 4, 10))
    transfer = approved(world, world.lisi)
    town = world.client(world.town_admin)
    form = issue_form(town.get(reverse("transfers:detail", args=[transfer.pk])).content.decode())
    field = re.search(r'<input[^>]*name="dues_paid_through"[^>]*>', form)
    assert field and "disabled" not in field.group()
    assert NO_LEDGER in form  # 该党员的党费未在本系统记账，请按纸质台账填写
    act = reverse("transfers:act", args=[transfer.pk])
    later = town.post(
        act, {"action": "issue", "date": "2026-04-10", "valid_days": "30", "dues_paid_through": "2026-05"}
    )
    assert later.status_code == 400 and "党费交至月份不能晚于开具介绍信的月份" in later.content.decode()
    typed = town.post(
        act, {"action": "issue", "date": "2026-04-10", "valid_days": "30", "dues_paid_through": "2026-02"}
    )
    assert typed.status_code == 302
    transfer.refresh_from_db()
    assert transfer.dues_paid_through == D(2026, 2, 1)
    assert f"党费已交到{transfer_rules.capital_month(D(2026, 2, 1))}" in letter_text(
        letter.letter_for(world.town_admin, transfer)
    )
    with pytest.raises(DomainError) as refused:
        transfers.issue_letter(actor=world.town_admin, transfer=approved(world, world.wangfang), valid_days=30)
    assert refused.value.errors["dues_paid_through"] == ["请填写党费交至的月份"]
