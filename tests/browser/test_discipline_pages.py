"""Discipline follows through, as the county clerk and the branch secretary meet it in a browser:
the sanction form shows the period only for 留党察看 and the post only for 撤销党内职务; after a
留党察看 the member page carries its badge, the branch's committee shows the secretary's post
vacant, the organization page lists the member, the structure report names the vacancy, and the
member is no longer offered for appointment; at a desktop's and a phone's width."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.core.dates import add_months
from dangjian.elections.models import Position
from dangjian.elections.services import appoint_officer, start_term
from tests.browser import test_key_pages as key_pages
from tests.browser.test_key_pages import log_in

live_world = key_pages.live_world
browser_page = key_pages.browser_page
pytestmark = key_pages.pytestmark

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


@pytest.fixture
def committee(live_world):
    """张三 is the secretary of 兴丰村, 李四 its 组织委员, 王芳 a 委员 of 坪塘镇 (set up before the
    browser starts: see ``live_world``)."""
    world = live_world
    start = dt.date(2022, 3, 1)
    village = start_term(actor=world.county_admin, organization=world.village, start=start)
    town = start_term(actor=world.county_admin, organization=world.town, start=start)
    for term, position, member in (
        (village, Position.ORGANIZATION, world.lisi),
        (village, Position.SECRETARY, world.zhangsan),
        (town, Position.MEMBER, world.wangfang),
    ):
        appoint_officer(actor=world.county_admin, term=term, position=position, member=member, since=start)
    return village


def _shown(page, name):
    return page.locator(f"[name={name}]").is_visible()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_probation_ends_the_secretary_post_and_every_page_says_so(
    live_world, committee, live_server, browser_page, size
):
    world = live_world
    page = browser_page
    page.set_viewport_size(size)
    log_in(page, live_server, "county_admin")

    page.goto(f"{live_server.url}/members/{world.zhangsan.pk}/")
    page.click("[data-testid=record-sanction]")
    page.wait_for_url(f"**/discipline/member/{world.zhangsan.pk}/new/")
    _no_sideways_scroll(page)
    # 警告 first: neither the period nor the post is asked for.
    assert not _shown(page, "months") and not _shown(page, "post")
    page.select_option("[name=kind]", "removal_from_post")
    assert _shown(page, "post") and not _shown(page, "months")
    assert "中共兴丰村支部委员会书记（2022-03-01起）" in page.locator("[name=post]").inner_text()
    page.select_option("[name=kind]", "probation")
    assert _shown(page, "months") and not _shown(page, "post")
    page.select_option("[name=months]", "24")

    decided = add_months(timezone.localdate(), -1)
    page.fill("[name=decided_on]", f"{decided:%Y-%m-%d}")
    page.fill("[name=reason]", "违反组织纪律，情节较重")
    page.click("form[data-sanction-form] button[type=submit]")
    page.wait_for_url("**/discipline/*/")
    expect(page.locator("[data-testid=removed-posts]")).to_contain_text("中共兴丰村支部委员会书记")

    page.goto(f"{live_server.url}/members/{world.zhangsan.pk}/")
    badge = page.locator("[data-testid=sanction-status]")
    expect(badge).to_have_text(f"留党察看中（{add_months(decided, 24):%Y-%m-%d}期满）")
    assert badge.is_visible()
    _no_sideways_scroll(page)

    page.goto(f"{live_server.url}/orgs/{world.village.pk}/")
    expect(page.locator("[data-testid=vacant-post]")).to_contain_text("书记：")
    expect(page.locator("[data-testid=vacant-post]")).to_contain_text("受到留党察看处分，党内职务自然撤销")
    expect(page.locator("[data-testid=officers]")).not_to_contain_text("书记：张三")
    expect(page.locator("[data-testid=discipline-panel]")).to_contain_text("张三")
    _no_sideways_scroll(page)

    page.goto(f"{live_server.url}/elections/structure/{world.town.pk}/")
    expect(page.locator("[data-testid=structure-report]")).to_contain_text(
        f"书记空缺：张三{decided:%Y-%m-%d}受到留党察看处分，党内职务自然撤销，尚未补选"
    )
    _no_sideways_scroll(page)


@pytest.fixture
def probation(live_world, committee):
    from dangjian.discipline import services

    return services.record_sanction(
        actor=live_world.town_admin,
        member=live_world.zhangsan,
        kind="probation",
        months=12,
        decided_on=add_months(timezone.localdate(), -2),
        deciding_org=live_world.town,
        reason="违反组织纪律",
    )


def test_the_branch_secretary_is_not_offered_a_member_under_probation(live_world, probation, live_server, browser_page):
    world = live_world
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "branch_admin")
    page.goto(f"{live_server.url}/elections/terms/{world.village.pk}/")
    _no_sideways_scroll(page)
    # Listed by rank: the secretary's row (ended by the sanction) above the 组织委员's.
    rows = page.locator("[data-testid=term] tbody tr").all_inner_texts()
    assert rows[0].startswith("书记") and rows[1].startswith("组织委员")
    expect(page.locator("[data-testid=term] [data-testid=vacant-post]")).to_contain_text("书记")
    # The member picker of the appointment form suggests who may hold a post: not 张三.
    picker = page.locator("[data-picker-input]").first
    picker.fill("李四")
    expect(page.locator(".picker-results [data-pick-id]")).to_have_count(1)
    picker.fill("张三")
    expect(page.locator(".picker-results")).to_contain_text("没有与“张三”相符的党员")
