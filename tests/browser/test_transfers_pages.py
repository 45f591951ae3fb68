"""A real browser on the transfer (组织关系转接) pages, under the real Content-Security-Policy: the
receiving side, on a phone, lands on the tab that holds its letter, sees at acceptance only the date
to enter and the letter's dues month as printed, is refused a return without a reason with the
form still open; the sending side is warned that its profile lacks the address and telephone the
letter prints, completes it from the link, and the letter embeds its Chinese font. Fixtures and
the chromium launch are those of test_key_pages.py."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.transfers import services
from tests.browser import test_key_pages as key_pages
from tests.browser.test_key_pages import CHROMIUM, log_in

live_world = key_pages.live_world
browser_page = key_pages.browser_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed: apt-get install chromium"),
]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def letter(live_world):
    """张三's letter from the village (坪塘镇) to the enterprise branch (古山镇), its dues paid
    through an earlier month than the current one; made before Playwright starts."""
    world = live_world
    transfer = services.request_transfer(
        actor=world.branch_admin, member=world.zhangsan, to_org=world.enterprise, reason="工作单位变动"
    )
    services.approve_transfer(actor=world.town_admin, transfer=transfer)
    dues = timezone.localdate().replace(day=1) - dt.timedelta(days=40)
    return services.issue_letter(actor=world.town_admin, transfer=transfer, valid_days=30, dues_paid_through=dues)


def test_the_receiving_side_on_a_phone_opens_on_its_letter_and_sees_only_what_acceptance_takes(
    live_world, letter, live_server, browser_page
):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "other_admin")
    page.goto(f"{live_server.url}/transfers/")
    expect(page.locator("[data-testid=boxes] .nav-link.active")).to_contain_text("待接收的介绍信")
    rows = page.locator("[data-testid=transfer-cards] a")  # on a phone, a block per transfer
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("张三")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    rows.click()
    page.wait_for_url(f"**/transfers/{letter.pk}/")
    accept = page.locator("[data-testid=form-accept]")
    expect(accept.locator("input:visible")).to_have_count(1)  # the date of acceptance, nothing else
    expect(accept.locator("#id_accept_date")).to_be_visible()
    month = letter.dues_paid_through
    expect(page.locator("[data-testid=accept-dues]")).to_have_text(f"{month.year}年{month.month}月")
    expect(page.locator("input[name=dues_paid_through]")).to_have_count(0)
    reason = page.locator("#id_return_reason")
    expect(reason).to_be_hidden()  # 退回 is folded away until asked for
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    page.click("[data-testid=step-return] summary")
    expect(reason).to_be_visible()
    page.click("[data-testid=action-return]")
    expect(page.locator("[data-testid=step-return] [data-field=reason]")).to_have_text("退回时请写明理由，转出方会看到")
    expect(page.locator("#id_return_reason")).to_be_visible()  # the refused step stays open
    expect(page.locator("[data-testid=state]")).to_have_text("介绍信已开具，待接收")

    page.click("[data-testid=action-accept]")
    expect(page.locator("[data-testid=state]")).to_have_text("已接收")
    expect(page.locator(".alert-success")).to_contain_text("已接收")


def test_the_sending_side_is_warned_of_a_blank_address_and_completes_it_from_the_page(
    live_world, letter, live_server, browser_page
):
    world = live_world
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server, "town_admin")
    detail = f"{live_server.url}/transfers/{letter.pk}/"
    page.goto(detail)
    warning = page.locator("[data-testid=profile-missing]")
    expect(warning).to_contain_text("中共坪塘镇委员会的党组织信息中未填写通讯地址、联系电话")
    page.click("[data-testid=complete-profile]")
    page.wait_for_url(re.compile(rf"/orgs/{world.town.pk}/edit/\?next=/transfers/{letter.pk}/$"))
    page.fill("#id_address", "长沙市岳麓区坪塘大道188号")
    page.fill("#id_contact_phone", "0731-88123456")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.url == detail, page.url  # back on the transfer, ready to print

    expect(page.locator("[data-testid=print-letter]")).to_be_visible()
    expect(warning).to_have_count(0)
    pdf = page.request.get(f"{live_server.url}/transfers/{letter.pk}/letter.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert b"/FontFile2" in body and b"STSong" not in body  # the glyphs travel with the letter
