"""A real browser on the step form of a development file (issue 15), under the real
Content-Security-Policy: each step shows its own fields only (a 谈话 offers no vote counts, no
政审结论, no 延长预备期; 延长预备期 appears only when the branch meeting extends probation); a step
the acting user may not enter is not offered (the branch is told who enters 上级党委备案, the town
is offered it); a refusal keeps what was typed (the branch's page was left open while the town
entered the step); every page fits a phone 390 px wide. Fixtures and the chromium launch are
those of test_key_pages.py."""

import os

import pytest
from playwright.sync_api import expect

from dangjian.development.tests.conftest import open_file, walk
from tests.browser import test_key_pages as key_pages
from tests.browser.test_key_pages import CHROMIUM, log_in

live_world = key_pages.live_world
browser_page = key_pages.browser_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed: apt-get install chromium"),
]

PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:
    """The page does not scroll sideways at the viewport's width."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def files(live_world):
    """Made through the services before Playwright starts (see ``live_world``): a file at step 1
    (next: 谈话), one at step 3 (next: 上级党委备案) and one at step 22 (next: 支部大会讨论转正)."""
    from conftest import make_id_number

    world = live_world
    talk = open_file(world)
    upper = open_file(world, name="周敏", id_number=make_id_number("1992-03-05", male=True, sequence=61))
    vote = open_file(world, name="吴丽", id_number=make_id_number("1993-04-06", male=False, sequence=62))
    walk(world, upper, 3)
    walk(world, vote, 22)
    return talk, upper, vote


def test_each_step_shows_its_own_fields_on_a_desktop_and_a_phone(live_world, files, live_server, browser_page):
    talk, _, vote = files
    page = browser_page
    log_in(page, live_server, "branch_admin")
    for size in ({"width": 1440, "height": 900}, PHONE):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/development/{talk.pk}/")
        form = page.locator("form:has(#id_date)")
        expect(page.locator("h2", has_text="办理第2步")).to_contain_text("党组织派人谈话")
        labels = [text.replace("*", "").strip() for text in form.locator("label").all_text_contents()]
        assert labels == ["日期", "情况说明", "谈话人"]
        _fits(page)

        page.goto(f"{live_server.url}/development/{vote.pk}/")
        form = page.locator("form:has(#id_date)")
        expect(form.locator("label[for=id_yes]")).to_have_text("赞成")
        for absent in ("政审结论", "谈话人", "集中培训", "编入党小组", "上级党委不同意"):
            expect(form.locator("label", has_text=absent)).to_have_count(0)
        extension = form.locator("label", has_text="延长预备期")
        expect(extension).to_be_hidden()  # until the meeting extends probation
        page.select_option("#id_outcome", "extend")
        expect(extension).to_be_visible()
        page.select_option("#id_outcome", "regularize")
        expect(extension).to_be_hidden()
        _fits(page)


def test_the_upper_committee_s_step_is_offered_to_the_town_not_the_branch(live_world, files, live_server, browser_page):
    _, upper, _ = files
    page = browser_page
    log_in(page, live_server, "branch_admin")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/development/{upper.pk}/")
    expect(page.locator("[data-testid=step-refusal]")).to_have_text(
        "第4步“上级党委备案”须由上级党委办理，党支部不能自行录入。"
    )
    expect(page.locator("form:has(#id_date)")).to_have_count(0)
    _fits(page)

    town = page.context.browser.new_context(locale="zh-CN")
    other = town.new_page()
    log_in(other, live_server, "town_admin")
    other.goto(f"{live_server.url}/development/{upper.pk}/")
    expect(other.locator("h2", has_text="办理第4步")).to_contain_text("上级党委备案")
    other.fill("#id_date", "2022-07-20")
    other.locator("form:has(#id_date) button[type=submit]").click()
    expect(other.locator(".alert-success")).to_contain_text("已办理第4步“上级党委备案”")
    town.close()


def pick(page, name):
    """Choose a member with the member picker: type the name, click the suggestion."""
    page.fill("#id_people", name)
    page.locator(".picker-results [data-pick-id]").first.click()
    expect(page.locator("[data-testid=picker-chosen]").first).to_contain_text(name)


def test_a_refusal_keeps_what_was_typed(live_world, files, live_server, browser_page):
    """The branch types the 谈话 while the town enters it: the branch's submit is refused with
    the reason, nothing goes to step 3, and the form of step 3 holds the date and note typed."""
    talk, _, _ = files
    page = browser_page
    log_in(page, live_server, "branch_admin")
    page.goto(f"{live_server.url}/development/{talk.pk}/")
    page.fill("#id_date", "2022-01-25")
    page.fill("#id_note", "支部书记与其谈话，了解入党动机")
    pick(page, "张三")

    town = page.context.browser.new_context(locale="zh-CN")
    other = town.new_page()
    log_in(other, live_server, "town_admin")
    other.goto(f"{live_server.url}/development/{talk.pk}/")
    other.fill("#id_date", "2022-01-24")
    pick(other, "张三")
    other.locator("form:has(#id_date) button[type=submit]").click()
    expect(other.locator(".alert-success")).to_contain_text("已办理第2步")
    town.close()

    page.locator("form:has(#id_date) button[type=submit]").click()
    expect(page.locator("[data-testid=form-errors]")).to_contain_text(
        "第2步“党组织派人谈话”已办理，下一步应为第3步“推荐和确定入党积极分子”"
    )
    expect(page.locator("h2", has_text="办理第3步")).to_be_visible()
    expect(page.locator("#id_date")).to_have_value("2022-01-25")
    expect(page.locator("#id_note")).to_have_value("支部书记与其谈话，了解入党动机")
    steps = page.locator("[data-testid=step-row]")
    expect(steps).to_have_count(2)  # 1 and the town's 2: nothing given to step 3
    expect(steps.nth(1)).to_contain_text("2022-01-24")
