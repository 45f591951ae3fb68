"""Party dues in a browser: the village secretary enters the month on a phone, 张三 paying all he
owes at the amount shown and 李四 less than he owes (typed), in one submission; the month's totals
follow, and the arrears list no longer names 张三 but still names 李四 with what is left. Then the
town's collection at a desktop's width. Screenshots go to the test's output folder."""

from importlib import import_module

from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.dues import rules, services
from tests.browser import test_key_pages as key_pages
from tests.browser.test_key_pages import log_in

live_world = key_pages.live_world
browser_page = key_pages.browser_page
pytestmark = key_pages.pytestmark

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_month_entered_on_a_phone_updates_the_totals_and_the_arrears(live_world, live_server, browser_page, tmp_path):
    world = live_world
    # An earlier transactional test's flush may have emptied the shipped standard: put it back.
    import_module("dangjian.dues.migrations.0002_national_standard").forward(apps, None)
    this_month = rules.first_of(timezone.localdate())
    last_month = rules.add_months(this_month, -1)
    for member, base in ((world.zhangsan, "5400"), (world.lisi, "3000")):  # 81.00 and 15.00 a month
        services.set_basis(
            actor=world.county_admin, member=member, valid_from=last_month, category="in_service", base=base
        )
    for month in (last_month, this_month):
        services.generate_month(month)

    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "branch_admin")
    page.goto(f"{live_server.url}/dues/")  # the secretary's 党费 is the branch's month
    page.wait_for_url(f"**/dues/branch/{world.village.pk}/")
    expect(page.locator("[data-testid=month-owed]")).to_contain_text("96.00")
    expect(page.locator("[data-testid=month-paid]")).to_contain_text("0.00")
    zhangsan = page.locator(f"tr[data-member='{world.zhangsan.pk}']")
    lisi = page.locator(f"tr[data-member='{world.lisi.pk}']")
    expect(zhangsan.locator("[data-testid=outstanding]")).to_have_text("162.00")
    expect(zhangsan.locator(".dues-amount")).to_have_value("162.00")
    zhangsan.locator(".dues-check").check()  # paid what is shown
    lisi.locator(".dues-amount").fill("20")  # paid less: typing the amount ticks the row
    expect(lisi.locator(".dues-check")).to_be_checked()
    expect(page.locator("[data-ticked-summary]")).to_have_text("已勾选2人，合计182.00元")
    page.fill(f"[name=receipt_{world.zhangsan.pk}]", "XF-0001")
    _no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "dues-month-phone.png", full_page=True)
    page.click("[data-testid=record-dues]")
    expect(page.locator(".alert-success")).to_contain_text("已登记2名党员交纳")
    expect(page.locator("[data-testid=month-paid]")).to_contain_text("86.00")
    expect(page.locator("[data-testid=month-outstanding]")).to_contain_text("10.00")
    expect(page.locator("[data-testid=month-settled]")).to_contain_text("1 / 2")
    expect(zhangsan.locator("[data-testid=settled]")).to_be_visible()
    expect(lisi.locator(".dues-amount")).to_have_value("10.00")

    page.click("text=欠缴党费名单")
    arrears = page.locator("[data-testid=arrears]")
    expect(arrears.locator(f"[data-member='{world.lisi.pk}'] [data-testid=amount]")).to_have_text("10.00")
    expect(arrears.locator(f"[data-member='{world.zhangsan.pk}']")).to_have_count(0)
    _no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "dues-arrears-phone.png", full_page=True)

    page.set_viewport_size(DESKTOP)
    page.context.clear_cookies()
    log_in(page, live_server, "town_admin")
    page.goto(f"{live_server.url}/dues/collection/")
    village = page.locator(f"[data-testid=collection] tr[data-org='{world.village.pk}']")
    paid = {last_month: 8100 + 1500, this_month: 8100 + 500}  # 张三's 162.00 and 李四's 20.00, oldest first
    year = [month for month in paid if month.year == this_month.year]
    rate = sum(paid[month] for month in year) / (9600 * len(year)) * 100
    expect(village.locator("[data-testid=rate]")).to_have_text(f"{rate:.1f}%")
    expect(page.locator("#dues-collection-chart canvas")).to_have_count(1)  # ECharts drew, from its static file
    _no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "dues-collection-desktop.png", full_page=True)
