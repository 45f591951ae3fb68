"""Every role's everyday journey through the pages, on a desktop (1440×900) and a phone (390×844),
in Debian's chromium: each page must load without a console error or an uncaught script error,
ask no other host for anything (deployments are offline), and fit the screen's width without the
page itself scrolling sideways (a wide table scrolls inside its own box).

Each page's screenshot is written to ``var/screenshots/<size>/`` (or ``$SCREENSHOTS``), so
anyone can look at what the users see after a run."""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.test_key_pages import CHROMIUM, live_world  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed: apt-get install chromium"),
]

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
VIEWPORTS = {size: {"width": width, "height": height} for size, (width, height) in SIZES.items()}
FOLDER = Path(os.environ.get("SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))
PASSWORD = "Pw-for-tests-1"

Step = tuple[str, str | Callable[[Any], str]]  # (name, path, or a function of the world giving it)


def _member(world: Any) -> str:
    return f"/members/{world.zhangsan.pk}/"


def _branch(world: Any) -> str:
    return f"/orgs/{world.village.pk}/"


def _town(world: Any) -> str:
    return f"/orgs/{world.town.pk}/"


def _account(world: Any) -> str:
    return f"/users/{world.branch_admin.pk}/"


JOURNEYS: dict[str, list[Step]] = {
    "branch_admin": [  # a village branch secretary
        ("home", "/"),
        ("roster", "/members/"),
        ("member", _member),
        ("branch", _branch),
        ("new-member", "/members/new/"),
        ("import", "/members/import/"),
        ("transfers", "/transfers/"),
        ("receipt", "/transfers/receipt/"),
        ("new-transfer", "/transfers/new/"),
        ("mobile", "/transfers/mobile/"),
        ("development", "/development/"),
        ("discipline", "/discipline/"),
        ("dues-month", lambda world: f"/dues/branch/{world.village.pk}/"),
        ("account", "/account/"),
    ],
    "county_admin": [  # a county organization department clerk
        ("home", "/"),
        ("tree", "/orgs/"),
        ("town", _town),
        ("roster", "/members/"),
        ("structure", lambda world: f"/elections/structure/{world.county.pk}/"),
        ("terms", lambda world: f"/elections/terms/{world.town.pk}/"),
        ("expiring", "/elections/expiring/"),
        ("transfers-inbox", "/transfers/"),
        ("transfers-all", "/transfers/all/"),
        ("development", "/development/"),
        ("discipline", "/discipline/"),
        ("dues-collection", "/dues/collection/"),
        ("users", "/users/"),
        ("user", _account),
    ],
    "member_user": [("home", "/"), ("my-record", _member), ("account", "/account/")],
    "system_admin": [("users", "/users/"), ("user", _account), ("tree", "/orgs/")],
    "security_admin": [("security", "/security/"), ("lockouts", "/security/lockouts/")],
    "audit_admin": [("audit", "/audit/")],
}

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return null;
  const wide = [...document.body.querySelectorAll("*")].find((el) => {
    const box = el.getBoundingClientRect();
    return box.right > width + 1 && !el.closest(".table-responsive, .overflow-auto, pre");
  });
  return wide ? `${wide.tagName.toLowerCase()}.${[...wide.classList].join(".")}` : "the page";
}"""


@pytest.mark.parametrize("role", JOURNEYS)
def test_every_page_of_the_journey_loads_cleanly_and_fits_the_screen(live_world, live_server, chromium, role):  # noqa: F811
    # Each page is loaded once, at the phone's size as its user opens it, and looked at there and
    # then resized to the desktop's: the media queries and the charts' resize handlers must hold.
    context = chromium.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    own_host = urlsplit(live_server.url).netloc
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "request",
        lambda r: (
            problems.append(f"request to another host: {r.url}")
            if urlsplit(r.url).netloc not in (own_host, "") and not r.url.startswith("data:")
            else None
        ),
    )
    # Requests still open after the load event (the dashboard's fetch of its figures): a page is
    # looked at once they have answered. Playwright's "networkidle" would wait 500 ms more on each.
    pending: set[Any] = set()
    page.on("request", lambda r: pending.add(r))
    page.on("requestfinished", lambda r: pending.discard(r))
    page.on("requestfailed", lambda r: pending.discard(r))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", role)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    for size in SIZES:
        (FOLDER / size).mkdir(parents=True, exist_ok=True)
    for name, path in JOURNEYS[role]:
        url = path if isinstance(path, str) else path(live_world)
        answer = page.goto(f"{live_server.url}{url}")
        for _ in range(1500):  # 15 s, the page's own timeout
            if not pending:
                break
            page.wait_for_timeout(10)
        else:
            problems.append(f"{role} {name} ({url}): still loading {[r.url for r in pending]}")
        if answer is None or answer.status >= 400:
            problems.append(f"{role} {name} ({url}): answered {answer.status if answer else 'nothing'}")
        for size in ("phone", "desktop"):
            page.set_viewport_size(VIEWPORTS[size])
            if wide := page.evaluate(OVERFLOW):
                problems.append(f"{role} {name} ({url}, {size}): wider than the screen ({wide})")
            page.screenshot(path=str(FOLDER / size / f"{role}-{name}.png"), full_page=True)
        page.set_viewport_size(VIEWPORTS["phone"])
    context.close()
    assert not problems, "\n".join(problems)
