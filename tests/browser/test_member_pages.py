"""The member pages as their users meet them in a browser: the import template downloaded from
the page and uploaded again, the roster's pages, jump and sorting, the 党员中心户 filter, a
member's home; at a desktop's and a phone's width."""

import datetime as dt
import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from conftest import make_id_number
from dangjian.members import import_files, imports, services, views
from dangjian.members.models import Member
from tests.browser import test_key_pages as key_pages
from tests.browser.test_key_pages import log_in

# The key pages' fixtures (the committed world; chromium failing the test on a CSP violation) and marks.
live_world = key_pages.live_world
browser_page = key_pages.browser_page
pytestmark = key_pages.pytestmark

PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def _upload(page, live_server, content: bytes, tmp_path: Path, name: str):
    path = tmp_path / name
    path.write_bytes(content)
    page.goto(f"{live_server.url}/members/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_url("**/members/import/*/")


def test_the_template_from_the_page_imports_its_example_and_nothing_when_left_unfilled(
    live_world, live_server, browser_page, tmp_path
):
    world, page = live_world, browser_page
    log_in(page, live_server, "branch_admin")
    page.goto(f"{live_server.url}/members/import/")
    assert "必填：所在党组织代码、姓名、公民身份号码、学历、人员类别、入党日期。" in page.content()  # no stray "、。"
    with page.expect_download() as download:
        page.click("[data-testid=import-template]")
    content = Path(download.value.path()).read_bytes()

    # As downloaded: the example sits on a sheet of its own, so nobody made-up is registered.
    _upload(page, live_server, content, tmp_path, "未填写.xlsx")
    expect(page.locator("body")).to_contain_text(imports.NO_ROWS)

    # The example row copied into the data sheet imports as it is, in the user's own branch.
    book = load_workbook(io.BytesIO(content))
    example = [cell.value for cell in book[import_files.EXAMPLE_SHEET][2]]
    assert example[0] == f"{world.village.code} {world.village.name}"
    book["党员信息"].append(example)
    buffer = io.BytesIO()
    book.save(buffer)
    _upload(page, live_server, buffer.getvalue(), tmp_path, "示例.xlsx")
    expect(page.locator("body")).to_contain_text("已导入1名党员")
    assert Member.objects.filter(organization=world.village, name="张三").count() == 2  # the world's and the example


def _more_members(world, count: int) -> None:
    for sequence in range(count):
        services.create_member(
            actor=world.county_admin,
            organization=world.village,
            name=f"测试{sequence:02d}",
            id_number=make_id_number("1980-01-01", male=True, sequence=200 + sequence),
            ethnicity="01",
            education="bachelor",
            category="full",
            joined_date=dt.date(2001 + sequence, 7, 1),
            regularized_date=dt.date(2002 + sequence, 7, 1),
        )


def test_the_roster_has_page_numbers_a_jump_a_total_and_sorts_by_its_columns(
    live_world, live_server, browser_page, monkeypatch
):
    world, page = live_world, browser_page
    _more_members(world, 12)  # with the world's four: 16 members, 16 pages of one
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    log_in(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/members/?page=8")
    pager = page.locator("[data-testid=pager]")
    numbers = [text.strip() for text in pager.locator(".page-item").all_text_contents()]
    assert numbers == ["上一页", "1", "…", "6", "7", "8", "9", "10", "…", "16", "下一页"]
    assert pager.locator(".page-item.active").text_content().strip() == "8"
    assert "共 16 页" in pager.text_content()
    assert page.text_content("[data-testid=result-count]").strip() == "共 16 人"

    page.fill("#page-jump", "13")
    page.click("[data-testid=page-jump] button")
    page.wait_for_url("**page=13*")
    expect(pager.locator(".page-item.active")).to_have_text("13")

    # Sorting by 入党日期: earliest first, then the other way; the pages keep the order.
    page.click("[data-testid=sort-入党日期]")
    page.wait_for_url("**sort=joined*")
    assert "page=" not in page.url  # a new order starts at its first page
    expect(page.locator("[data-testid=member-row] td").nth(7)).to_have_text("2000-07-01")
    page.click("[data-testid=sort-入党日期]")
    page.wait_for_url("**sort=-joined*")
    expect(page.locator("[data-testid=member-row] td").nth(7)).to_have_text("2012-07-01")
    assert page.text_content("[data-testid=sort-入党日期]").strip() == "入党日期 ↓"
    pager.locator("a", has_text="下一页").click()
    page.wait_for_url("**page=2*")
    assert "sort=-joined" in page.url
    expect(page.locator("[data-testid=member-row] td").nth(7)).to_have_text("2011-07-01")

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/members/?page=8&sort=name")
    _no_sideways_scroll(page)
    shown = [item.text_content().strip() for item in pager.locator(".page-item").all() if item.is_visible()]
    assert shown == ["上一页", "1", "…", "7", "8", "9", "…", "16", "下一页"]  # one line on a phone
    tops = {round(item.bounding_box()["y"]) for item in pager.locator(".page-item").all() if item.is_visible()}
    assert len(tops) == 1, tops
    page.screenshot(path=str(Path("/tmp") / "member-roster-phone.png"), full_page=True)


def test_the_central_household_filter_starts_at_all(live_world, live_server, browser_page):
    page = browser_page
    log_in(page, live_server, "branch_admin")
    page.goto(f"{live_server.url}/members/?is_central_household=true")
    assert page.locator("#id_is_central_household").evaluate("s => s.options[s.selectedIndex].text") == "是"
    page.goto(f"{live_server.url}/members/")
    page.click("text=更多筛选")
    select = page.locator("#id_is_central_household")
    assert select.locator("option").all_text_contents() == ["全部", "是", "否"]
    assert select.evaluate("s => s.options[s.selectedIndex].text") == "全部"
    select.select_option(label="是")
    expect(page.locator("[data-testid=member-row]")).to_have_count(0)
    select.select_option(label="全部")
    expect(page.locator("[data-testid=member-row]")).to_have_count(2)


def test_a_member_has_a_home_of_their_own(live_world, live_server, browser_page):
    world, page = live_world, browser_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "member_user")
    assert page.text_content("[data-testid=home-name]").strip() == "张三"
    assert world.village.name in page.text_content("[data-testid=home-organization]")
    assert page.text_content("[data-testid=branch-size]").strip() == "2名"
    expect(page.locator("[data-testid=home-due]")).to_contain_text("目前没有需要您办理的事项")
    _no_sideways_scroll(page)
    page.click("[data-testid=home-open-record]")
    page.wait_for_url(f"**/members/{world.zhangsan.pk}/")
