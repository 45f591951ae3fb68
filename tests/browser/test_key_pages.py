"""A real browser on the key pages: Debian's chromium driven by Playwright (Python).

Playwright's own browser download cannot work on the intranet machines we target, so the test
launches /usr/bin/chromium (``apt-get install chromium fonts-noto-cjk``; .ci/run installs both)
and is skipped, saying so, where it is missing.
"""

import os

import pytest
from django.core.exceptions import ObjectDoesNotExist
from playwright.sync_api import expect

from conftest import build_world, load_world
from tests.browser.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed: apt-get install chromium"),
]


@pytest.fixture
def live_world(_world_keys, transactional_db):
    # Loaded, or, after an earlier transactional test flushed the database, built again.
    try:
        return load_world(_world_keys)
    except ObjectDoesNotExist:
        return build_world()  # committed: the test's flush removes it again


@pytest.fixture
def browser_page(live_world, chromium):
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    # The pages run under a strict Content-Security-Policy; anything it blocks is a bug.
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert not violations, violations


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Pw-for-tests-1")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_a_town_administrator_finds_a_member_by_pinyin_initials(live_world, live_server, browser_page):
    world = live_world
    page = browser_page
    log_in(page, live_server, "town_admin")
    assert page.text_content("[data-testid=total-members]").strip() == "3"

    page.click("text=组织树")
    village = page.locator(f"[data-testid=tree-node][data-org='{world.village.pk}']")
    assert village.locator("[data-testid=member-count]").text_content() == "2"
    outside = page.locator(f"[data-testid=tree-node][data-org='{world.other_town.pk}']")
    assert outside.count() == 0

    page.click("text=党员花名册")
    page.fill("[data-testid=member-search]", "zs")
    expect(page.locator("[data-testid=member-row]")).to_have_count(1)
    assert page.text_content("[data-testid=result-count]").strip() == "共 1 人"
    assert "q=zs" in page.url  # the search is in the address, so it can be bookmarked and shared

    page.click("[data-testid=member-row] a")
    page.wait_for_url(f"**/members/{world.zhangsan.pk}/")
    assert page.text_content("[data-testid=member-name]") == "张三"
    assert page.text_content("[data-testid=id-number]").strip() == world.zhangsan.masked_id_number
    page.click("[data-testid=reveal]")  # shown on request only, and recorded in the security trail
    expect(page.locator("[data-testid=id-number]")).to_have_text(world.zhangsan.id_number)
    crumbs = page.locator("[data-testid=breadcrumb] li").all_text_contents()
    assert [c.strip() for c in crumbs] == ["中共坪塘镇委员会", "中共兴丰村支部委员会"]


def test_the_tree_expands_and_collapses(live_world, live_server, browser_page):
    world = live_world
    page = browser_page
    log_in(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/orgs/")
    town = page.locator(f"[data-testid=tree-node][data-org='{world.town.pk}']")
    village = page.locator(f"[data-testid=tree-node][data-org='{world.village.pk}']")
    assert village.count() == 0  # children load on demand
    town.locator(".tree-toggle").first.click()
    village.wait_for()
    assert village.is_visible()
    town.locator(".tree-toggle").first.click()
    assert not village.is_visible()


def test_the_roster_is_filtered_by_picking_an_organization(live_world, live_server, browser_page):
    world = live_world
    page = browser_page
    log_in(page, live_server, "town_admin")
    page.goto(f"{live_server.url}/members/")
    assert page.text_content("[data-testid=result-count]").strip() == "共 3 人"
    page.fill("[data-org-picker-input]", "兴丰")
    page.click(f"[data-pick-id='{world.village.pk}']")
    expect(page.locator("[data-testid=result-count]")).to_contain_text("共 2 人")
    assert f"organization={world.village.pk}" in page.url
    page.fill("[data-org-picker-input]", "古山")  # the other town is outside the scope
    page.wait_for_selector(".org-picker-results .list-group-item")
    assert "没有名称包含" in page.text_content(".org-picker-results")


def test_a_merge_is_previewed_then_carried_out_and_the_member_shows_where_they_came_from(
    live_world, live_server, browser_page
):
    world = live_world
    page = browser_page
    log_in(page, live_server, "town_admin")
    page.goto(f"{live_server.url}/orgs/{world.town.pk}/")
    page.click("text=撤并下级组织")
    page.check(f"input[name=sources][value='{world.village.pk}']")
    page.check(f"input[name=target][value='{world.community.pk}']")
    page.click("button[value=preview]")
    routes = page.locator("[data-testid=preview-routes] tbody tr")
    expect(routes).to_have_count(1)
    assert [cell.strip() for cell in routes.first.locator("td").all_text_contents()] == [
        "中共兴丰村支部委员会",
        "中共新街社区支部委员会",
        "党员 2",
    ]
    # A preview changes nothing: the village's roster still lists both. (Asked through the server
    # with the page's session: an ORM query here, under Playwright's event loop, would open a
    # connection that outlives the test database.)
    roster = page.request.get(f"{live_server.url}/members/?organization={world.village.pk}").text()
    assert "共 2 人" in roster
    page.click("[data-testid=confirm]")
    page.wait_for_url(f"**/orgs/{world.community.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("2名党员")
    page.goto(f"{live_server.url}/members/{world.zhangsan.pk}/")
    timeline = page.locator("[data-testid=periods] li").all_text_contents()
    assert "中共新街社区支部委员会" in timeline[0] and "组织调整：撤并" in timeline[0]
    assert "中共兴丰村支部委员会" in timeline[1]


def test_a_member_asks_for_a_correction_and_the_branch_accepts_it(live_world, live_server, browser_page):
    world = live_world
    page = browser_page
    log_in(page, live_server, "member_user")
    page.goto(f"{live_server.url}/members/{world.zhangsan.pk}/")
    page.click("[data-testid=request-correction]")
    page.select_option("#id_education", label="大学本科")
    page.fill("#id_reason", "2024年取得本科学历")
    page.click("[data-testid=correction-form] button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("更正申请已提交")
    expect(page.locator("[data-testid=corrections]")).to_contain_text("待处理")

    page.context.clear_cookies()
    log_in(page, live_server, "branch_admin")
    page.goto(f"{live_server.url}/members/")
    page.click("[data-testid=pending-corrections]")
    page.click("[data-testid=correction-rows] a")
    expect(page.locator("[data-testid=correction-changes]")).to_contain_text("大学本科")
    page.check("input[name=decision][value=accept]")
    page.click("[data-testid=decision-form] button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("已采纳")

    page.goto(f"{live_server.url}/members/{world.zhangsan.pk}/")
    expect(page.locator("[data-testid=member-fields]")).to_contain_text("大学本科")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("本人申请更正学历，已采纳")
    # One click shows both numbers in full (recorded in the security trail), the phone by an
    # out-of-band swap into its own field.
    page.click("[data-testid=reveal]")
    expect(page.locator("[data-testid=id-number]")).to_have_text(world.zhangsan.id_number)
    expect(page.locator("[data-testid=phone]")).to_have_text("—")
