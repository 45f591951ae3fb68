"""A real browser on the form rendering every page shares (core/_form_fields.html) and on the
organization tree: the restructuring wizard's checkboxes and radio buttons are boxes one can see
and tick (they were drawn as empty grey bars), the split page is styled like every other form,
both fit a phone; the tree hides abolished organizations unless asked, and finds organizations by
name or code within the user's scope. Fixtures and the chromium launch are those of
test_key_pages.py."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from dangjian.orgs import restructure
from dangjian.orgs.models import OrgKind, UnitCategory
from dangjian.orgs.services import create_organization
from tests.browser import test_key_pages as key_pages
from tests.browser.test_key_pages import CHROMIUM, log_in

live_world = key_pages.live_world
browser_page = key_pages.browser_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed: apt-get install chromium"),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def assert_a_box(locator):
    """A checkbox or radio button drawn as a small square, not stretched into a bar."""
    box = locator.bounding_box()
    assert box is not None, "not drawn"
    assert 10 <= box["width"] <= 24 and 10 <= box["height"] <= 24, box
    assert abs(box["width"] - box["height"]) <= 2, box


def assert_no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_the_merge_wizards_choices_can_be_seen_and_ticked(live_world, live_server, browser_page, viewport):
    world = live_world
    page = browser_page
    page.set_viewport_size(viewport)
    log_in(page, live_server, "town_admin")
    page.goto(f"{live_server.url}/orgs/{world.town.pk}/restructure/merge/")
    source = page.locator(f"input[name=sources][value='{world.village.pk}']")
    target = page.locator(f"input[name=target][value='{world.community.pk}']")
    for control in (source, target):
        expect(control).to_be_visible()
        assert_a_box(control)
    # The label ticks its box.
    page.locator("label", has_text=world.village.name).first.click()
    expect(source).to_be_checked()
    # What is merged away cannot also be what it is merged into.
    expect(page.locator(f"input[name=target][value='{world.village.pk}']")).to_be_disabled()
    # The new organization's fields only when a new one is set up.
    expect(page.locator("#id_new_name")).to_be_hidden()
    page.check("input[name=target][value=new]")
    expect(page.locator("#id_new_name")).to_be_visible()
    target.check()
    expect(page.locator("#id_new_name")).to_be_hidden()
    assert_no_sideways_scroll(page)

    page.click("button[value=preview]")
    expect(page.locator("[data-testid=preview-routes] tbody tr")).to_have_count(1)
    # The preview keeps what was ticked, visibly.
    expect(page.locator(f"input[name=sources][value='{world.village.pk}']")).to_be_checked()
    expect(page.locator(f"input[name=target][value='{world.community.pk}']")).to_be_checked()
    assert_no_sideways_scroll(page)
    # Changing the form after the preview takes the confirm button away until it is previewed again.
    expect(page.locator("[data-testid=confirm]")).to_be_visible()
    page.check(f"input[name=sources][value='{world.community.pk}']")
    expect(page.locator("[data-testid=confirm]")).to_be_hidden()
    expect(page.locator("[data-preview-stale]")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_the_split_page_is_drawn_like_every_other_form(live_world, live_server, browser_page, viewport):
    world = live_world
    page = browser_page
    page.set_viewport_size(viewport)
    log_in(page, live_server, "town_admin")
    page.goto(f"{live_server.url}/members/split/{world.village.pk}/")
    # As wide as the date every form styled already (the fields the split adds were left unstyled).
    full = page.locator("#id_date").bounding_box()["width"]
    for selector in ("#id_new_name", "#id_new_code", "#id_new_kind", "#id_new_unit_category"):
        width = page.locator(selector).bounding_box()["width"]
        assert width >= 0.95 * full, (selector, width, full)
    member = page.locator(f"input[name=members][value='{world.zhangsan.pk}']")
    assert_a_box(member)
    expect(page.locator("legend", has_text="拆分出去的党员")).to_be_visible()  # above its list, not below
    member.check()
    expect(member).to_be_checked()
    # The village has no party groups: nothing to choose there, so no such question.
    expect(page.locator("[data-field-name=party_groups]")).to_have_count(0)
    assert_no_sideways_scroll(page)


@pytest.fixture
def abolished_branch(live_world):
    """Made through the services before Playwright starts (see ``live_world``)."""
    world = live_world
    old = create_organization(
        actor=world.county_admin,
        parent=world.town,
        name="中共坪塘镇旧街社区支部委员会",
        code="T1-OLD",
        kind=OrgKind.BRANCH,
        unit_category=UnitCategory.COMMUNITY,
        founded_date=dt.date(1990, 1, 1),
    )
    restructure.abolish_organization(actor=world.county_admin, organization=old, date=dt.date(2020, 6, 30))
    return old


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_the_tree_hides_abolished_organizations_unless_asked(
    live_world, abolished_branch, live_server, browser_page, viewport
):
    world = live_world
    page = browser_page
    page.set_viewport_size(viewport)
    log_in(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/orgs/")
    town = page.locator(f"[data-testid=tree-node][data-org='{world.town.pk}']")
    old = page.locator(f"[data-testid=tree-node][data-org='{abolished_branch.pk}']")
    town.locator(".tree-toggle").first.click()
    expect(page.locator(f"[data-testid=tree-node][data-org='{world.village.pk}']")).to_be_visible()
    expect(old).to_have_count(0)
    expect(town.locator("[data-testid=hidden-abolished]")).to_have_text("另有1个已撤销的组织未显示")
    assert_no_sideways_scroll(page)

    page.check("[data-testid=show-abolished]")
    page.wait_for_url(lambda url: "abolished=1" in url)  # in the address, to bookmark or share
    town = page.locator(f"[data-testid=tree-node][data-org='{world.town.pk}']")
    town.locator(".tree-toggle").first.click()
    expect(old).to_be_visible()
    expect(old.locator(".badge", has_text="已撤销")).to_be_visible()
    assert_no_sideways_scroll(page)


def test_the_tree_finds_organizations_by_name_or_code_within_the_scope(
    live_world, abolished_branch, live_server, browser_page
):
    world = live_world
    page = browser_page
    log_in(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/orgs/")
    page.fill("[data-testid=tree-query]", "兴丰")
    results = page.locator("[data-testid=tree-result]")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(world.village.name)
    # The path to it, to tell apart the many 第一党支部 of a county.
    expect(results.first.locator(".tree-trail")).to_have_text(f"{world.county.short_name} › {world.town.name}")
    assert "q=" in page.url

    page.fill("[data-testid=tree-query]", "T2")  # a code, from its start
    expect(results).to_have_count(2)
    assert {results.nth(i).get_attribute("data-org") for i in range(2)} == {
        str(world.other_town.pk),
        str(world.enterprise.pk),
    }
    page.fill("[data-testid=tree-query]", "旧街")  # abolished: only with the switch on
    expect(results).to_have_count(0)
    expect(page.locator("[data-testid=tree-result-count]")).to_contain_text("显示已撤销的组织")
    page.check("[data-testid=show-abolished]")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("撤销")

    page.context.clear_cookies()
    log_in(page, live_server, "town_admin")
    page.goto(f"{live_server.url}/orgs/?q=古山")  # the other town is outside the scope
    expect(page.locator("[data-testid=tree-result-count]")).to_contain_text("未找到")
    expect(results).to_have_count(0)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/orgs/?q=兴丰")
    expect(results).to_have_count(1)
    expect(results.first.locator(".tree-trail")).to_have_text(world.town.name)  # the county is outside its scope
    assert_no_sideways_scroll(page)
