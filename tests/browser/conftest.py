"""One chromium for all the browser tests of a worker: launching it takes about a second, a fresh
context (cookies, storage and cache of its own) for each test a few milliseconds."""

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


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
