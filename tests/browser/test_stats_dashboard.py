"""The statistics dashboard in a browser: the town's charts, once ECharts has drawn them, show the
report's own figures (read from each chart's option), a bar leads to the members behind its
figure as of the same date, and on a phone the charts stack without sideways scrolling and a child
in the list leads to its own dashboard. Screenshots go to the test's output folder."""

import dataclasses
import datetime as dt

from playwright.sync_api import expect

from dangjian.stats import dashboard, definition, engine
from tests.browser import test_key_pages as key_pages
from tests.browser.test_key_pages import log_in

live_world = key_pages.live_world
browser_page = key_pages.browser_page
pytestmark = key_pages.pytestmark

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
DAY = dt.date(2025, 12, 31)

# Each chart's first series as ECharts holds it: value, and the cell and address it carries.
SERIES = """name => echarts.getInstanceByDom(document.querySelector(`[data-chart="${name}"]`)).getOption().series
  .map(s => s.data.map(d => ({value: d.value, cell: d.cell, url: d.url})))"""
# Where a bar of a horizontal bar chart is, in the page: halfway along it.
BAR_AT = """([name, cell]) => {
  const element = document.querySelector(`[data-chart="${name}"]`);
  const chart = echarts.getInstanceByDom(element);
  const data = chart.getOption().series[0].data;
  const index = data.findIndex(d => d.cell === cell);
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, [data[index].value / 2, index]);
  const box = element.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_the_charts_show_the_reports_figures_and_lead_to_the_members(live_world, live_server, browser_page, tmp_path):
    world = live_world
    # Counted before the browser starts (an ORM query under Playwright's loop would outlive the test).
    report = engine.compute(world.town, DAY)
    form = definition.form_for(DAY.year)
    roll_only = dataclasses.replace(form, tables=(form.table("2"),), checks=())
    years = [engine.compute(world.town, end, roll_only).value("2:total:total") for end in dashboard.year_ends(DAY)]

    page = browser_page
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "town_admin")
    address = f"{live_server.url}/stats/dashboard/?org={world.town.pk}&date={DAY.isoformat()}"
    page.goto(address)
    page.wait_for_selector("[data-stats-board][data-rendered]")
    expect(page.locator("[data-testid=board-date]")).to_have_text("2025年12月31日")
    expect(page.locator("[data-kpi=members] .fs-5")).to_have_text(str(report.value("2:total:total")))

    male, female = page.evaluate(SERIES, "age")
    for man, woman in zip(male, female, strict=True):
        assert man["cell"] == woman["cell"]
        assert -man["value"] + woman["value"] == report.value(man["cell"])
    assert sum(w["value"] for w in female) == report.value("2:total:female") == 1
    for name in ("education", "occupation", "kinds", "funnel"):
        (bars,) = page.evaluate(SERIES, name)
        assert [b["value"] for b in bars if b["cell"]] == [report.value(b["cell"]) for b in bars if b["cell"]], name
    (by_year,) = page.evaluate(SERIES, "years")
    assert [point["value"] for point in by_year] == years == [3] * 10

    page.wait_for_selector('[data-chart="education"][data-drawn]')  # the bars have grown to their length
    page.screenshot(path=tmp_path / "stats-dashboard-desktop.png", full_page=True)
    x, y = page.evaluate(BAR_AT, ["education", "4:total:high_school"])
    page.mouse.click(x, y)
    page.wait_for_url("**/stats/cell/**")
    assert f"org={world.town.pk}" in page.url and "date=2025-12-31" in page.url
    assert "cell=4%3Atotal%3Ahigh_school" in page.url
    # The drill-down lists the three members behind the figure (all three are 高中).
    expect(page.locator("[data-testid=figure]")).to_have_text("3")
    subjects = page.locator("[data-testid=subjects] [data-subject]")
    expect(subjects).to_have_count(3)
    assert {s.get_attribute("data-subject") for s in subjects.all()} == {
        str(m.pk) for m in (world.zhangsan, world.lisi, world.wangfang)
    }

    page.set_viewport_size(PHONE)
    page.goto(address)
    page.wait_for_selector("[data-stats-board][data-rendered]")
    _no_sideways_scroll(page)
    boxes = [page.locator(f'[data-chart="{name}"]').bounding_box() for name in ("age", "education", "years")]
    assert all(box is not None for box in boxes)
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]  # one column
    assert all(box["width"] > 300 for box in boxes)
    page.screenshot(path=tmp_path / "stats-dashboard-phone.png", full_page=True)
    page.click("[data-stats-children-list] summary")
    page.click("[data-stats-children-rows] a:text('中共兴丰村支部委员会')")
    page.wait_for_url(f"**/stats/dashboard/?org={world.village.pk}&date=2025-12-31")
    page.wait_for_selector("[data-stats-board][data-rendered]")
    expect(page.locator("[data-testid=board-title]")).to_have_text("统计看板：中共兴丰村支部委员会")
    expect(page.locator('[data-card="children"]')).to_be_hidden()  # a branch has nothing below it
