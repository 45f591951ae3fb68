"""One chromium for all the browser tests of a worker: launching it takes about a second, a fresh
context (cookies, storage and cache of its own) for each test a few milliseconds."""

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

# Debian's chromium-headless-shell is the same Chromium built as the old headless shell, the build
# Playwright itself runs headless tests in: no window system behind it, and about 40% less CPU per
# page than the full browser started headless (57 against 93 core-seconds for these tests). The
# binary, not /usr/bin's wrapper script: Playwright must stop the browser itself, not a shell.
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"
CHROMIUM = HEADLESS_SHELL if os.path.exists(HEADLESS_SHELL) else shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    # Playwright's sync API keeps an event loop running in this thread until the session ends;
    # the tests' own ORM calls are still synchronous, which Django must be told is fine here. The
    # browser tests (transactional) run last, so few other tests run beside the loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                # Every page comes from one origin: one renderer and the GPU thread in the browser
                # process spare the machine the processes site isolation would start (~10% CPU).
                "--renderer-process-limit=1",
                "--disable-features=site-per-process,IsolateOrigins,Translate,OptimizationHints,MediaRouter",
                "--in-process-gpu",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
