"""Organizational life in a browser: the branch secretary records a 主题党日 on a phone, marks the
attendance in one screen, and the branch's cell on the town's compliance map turns green; the
town administrator sees it at a desktop's width. Screenshots go to the test's output folder."""

import datetime as dt
from importlib import import_module

from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.meetings.models import ComplianceRule, MeetingKind
from tests.browser import test_key_pages as key_pages
from tests.browser.test_key_pages import log_in

live_world = key_pages.live_world
browser_page = key_pages.browser_page
pytestmark = key_pages.pytestmark

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_meeting_recorded_on_a_phone_turns_the_branch_green_on_the_town_map(
    live_world, live_server, browser_page, tmp_path
):
    world = live_world
    today = timezone.localdate()
    # An earlier transactional test's flush may have emptied the shipped kinds: put them back.
    import_module("dangjian.meetings.migrations.0002_kinds_rules_and_ratings").forward(apps, None)
    # This month owes one 主题党日 (the rule table narrowed to it, so the month's colour is the test's).
    ComplianceRule.objects.all().delete()
    ComplianceRule.objects.create(
        applies_to="branch",
        kind=MeetingKind.objects.get(code="theme_day"),
        period="month",
        valid_from=dt.date(today.year, today.month, 1),
        basis="《中国共产党党员教育管理工作条例》第十六条",
    )
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "branch_admin")
    page.goto(f"{live_server.url}/meetings/")
    cell = page.locator(f"[data-testid=branch-cells] [data-month='{today.month}']")
    expect(cell).not_to_have_attribute("data-colour", "green")
    page.click("[data-testid=record-meeting]")
    # Only the fields of the kinds ticked: no lecturer until a 党课 is ticked.
    expect(page.locator("[data-field-name=lecturer]")).to_be_hidden()
    page.check("input[name=kinds][value=lecture]")
    expect(page.locator("[data-field-name=lecturer]")).to_be_visible()
    page.uncheck("input[name=kinds][value=lecture]")
    page.check("input[name=kinds][value=theme_day]")
    page.fill("#id_starts_at", "09:00")
    page.fill("#id_place", "村党员活动室")
    page.fill("#id_topic", "主题党日：学习党章")
    _no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "meeting-form-phone.png", full_page=True)
    page.click("form[data-meeting-form] button[type=submit]")
    # The attendance screen: everyone expected on today's roll, marked in one screen.
    expect(page.locator(".attendance-row")).to_have_count(2)
    page.click("[data-all-present]")
    page.click(f"label[for=p{world.lisi.pk}-leave]")
    expect(page.locator(f"[name=r{world.lisi.pk}]")).to_be_visible()
    page.click("form[data-attendance-form] button[type=submit]")
    expect(page.locator("[data-testid=form-errors]")).to_contain_text("李四请假，请填写请假事由")
    page.fill(f"[name=r{world.lisi.pk}]", "外出务工")
    _no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "attendance-phone.png", full_page=True)
    page.click("form[data-attendance-form] button[type=submit]")
    expect(page.locator("[data-testid=tally]")).to_have_text("应到2人，实到1人，请假1人")
    page.goto(f"{live_server.url}/meetings/")
    expect(cell).to_have_attribute("data-colour", "green")

    page.set_viewport_size(DESKTOP)
    page.context.clear_cookies()
    log_in(page, live_server, "town_admin")
    page.goto(f"{live_server.url}/meetings/")
    row = page.locator(f"[data-testid=heat-map] tr[data-org='{world.village.pk}']")
    expect(row.locator(f"[data-month='{today.month}']")).to_have_attribute("data-colour", "green")
    community = page.locator(f"[data-testid=heat-map] tr[data-org='{world.community.pk}']")
    expect(community.locator(f"[data-month='{today.month}']")).not_to_have_attribute("data-colour", "green")
    _no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "heat-map-desktop.png", full_page=True)
