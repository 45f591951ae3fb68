"""A real browser on the member development (发展党员) pages, under the real Content-Security-Policy:
a branch administrator enters a step that a rule refuses and reads the Chinese refusal beside the
kept input, then a valid one; the pipeline shows the file in its stage; the due page lists a
probationary member's missing half-year assessment. Fixtures and the chromium launch are those of
test_key_pages.py."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from conftest import make_id_number
from dangjian.development import services
from dangjian.development.tests.conftest import open_file, walk
from tests.browser import test_key_pages as key_pages
from tests.browser.test_key_pages import CHROMIUM, log_in

# The key pages' fixtures: the committed world, and chromium failing the test on a CSP violation.
live_world = key_pages.live_world
browser_page = key_pages.browser_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed: apt-get install chromium"),
]


@pytest.fixture
def development_files(live_world):
    """Made through the services before Playwright starts (see ``live_world``): an activist whose
    next step is 7 (确定发展对象, at least one year after step 3 of 2022-07-15), and a
    probationary member at step 21 whose half years of probation have no assessment."""
    world = live_world
    target = open_file(world)
    walk(world, target, 6)
    for day in (dt.date(2022, 12, 20), dt.date(2023, 6, 20)):
        services.record_assessment(actor=world.branch_admin, applicant=target, date=day, note="表现良好")
    probationer = open_file(world, name="周敏", id_number=make_id_number("1992-03-05", male=True, sequence=61))
    walk(world, probationer, 21)
    return target, probationer


def test_a_branch_administrator_enters_a_refused_step_then_a_valid_one(
    live_world, development_files, live_server, browser_page
):
    target, probationer = development_files
    page = browser_page
    log_in(page, live_server, "branch_admin")
    page.goto(f"{live_server.url}/development/{target.pk}/")
    expect(page.locator("h2", has_text="办理第7步")).to_contain_text("确定发展对象")
    step_form = page.locator("form:has(#id_date)")

    page.fill("#id_date", "2023-07-14")  # a day short of one year as activist
    page.fill("#id_note", "支部委员会研究确定")
    step_form.locator("button[type=submit]").click()
    refusal = page.locator("[data-field=date]")
    expect(refusal).to_contain_text("第7步“确定发展对象”应在第3步“推荐和确定入党积极分子”满1年后办理")
    expect(refusal).to_contain_text("最早可于2023-07-15办理，所填日期为2023-07-14")
    expect(page.locator("#id_date")).to_have_value("2023-07-14")  # the form keeps what was typed
    expect(page.locator("#id_note")).to_have_value("支部委员会研究确定")
    expect(page.locator("[data-testid=steps]")).not_to_contain_text("7. 确定发展对象")

    page.fill("#id_date", "2023-07-15")
    page.locator("form:has(#id_date) button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("已办理第7步“确定发展对象”")
    row = page.locator("[data-testid=step-row]", has_text="7. 确定发展对象")
    expect(row).to_contain_text("2023-07-15")
    expect(row).to_contain_text("支部委员会研究确定")
    expect(row).to_contain_text("公示期不少于5个工作日（按周一至周五计")  # the advisory rule, kept on the step
    # step 8 is the town's: the branch is told who enters it, and offered no form for it
    expect(page.locator("h2", has_text="下一步：第8步")).to_contain_text("报上级党委备案")
    expect(page.locator("[data-testid=step-refusal]")).to_be_visible()
    expect(page.locator("[data-testid=step-form]")).to_have_count(0)

    page.goto(f"{live_server.url}/development/")
    stages = page.locator("[data-testid=stages]")
    headers = [h.strip() for h in stages.locator("th").all_text_contents()]
    counts = [c.strip() for c in stages.locator("td").all_text_contents()]
    assert dict(zip(headers, counts, strict=True)) == {
        "一、申请入党": "0",
        "二、入党积极分子的确定和培养教育": "0",
        "三、发展对象的确定和考察": "1",
        "四、预备党员的接收": "0",
        "五、预备党员的教育考察和转正": "1",
    }
    expect(page.locator("[data-testid=files] tr", has_text=target.name)).to_contain_text("7. 确定发展对象")
    expect(page.locator("[data-testid=files] tr", has_text=probationer.name)).to_contain_text("预备期")

    page.click("text=到期提醒")
    due = page.locator("[data-testid=due] tr", has_text="预备期考察")
    expect(due).to_contain_text(probationer.name)
    expect(due).to_contain_text("应在2024-04-10前完成本半年的预备期考察")
    expect(page.locator("[data-testid=due] tr", has_text="预备期届满")).to_contain_text(probationer.name)
    assert page.locator("[data-testid=due] tr", has_text=target.name).count() == 0  # nothing due for the target
