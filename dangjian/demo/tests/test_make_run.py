"""`make run` serves the demo the way a deployment looks (DEBUG off), on the port asked for;
`make dev` (or DEBUG=1) keeps Django's debug pages for a developer. Read from `make -n`, which
prints the commands without running them."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make_n(*args: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "PORT", "HOST", "MAKEFLAGS", "MFLAGS")}
    result = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.splitlines()


def server_line(lines: list[str]) -> str:
    (line,) = [line for line in lines if "manage.py runserver" in line]
    return line


def test_make_run_serves_with_debug_off_on_the_port_asked_for():
    lines = make_n("run", "PORT=8123")
    assert server_line(lines).strip() == "DEBUG=0 .venv/bin/python manage.py runserver 127.0.0.1:8123"
    assert any("http://127.0.0.1:8123/" in line for line in lines)  # the address it prints
    (worker,) = [line for line in lines if "manage.py worker" in line]
    assert worker.startswith("DEBUG=0 ")


def test_make_run_serves_on_port_8000_by_default():
    assert server_line(make_n("run")).endswith("runserver 127.0.0.1:8000")


@pytest.mark.parametrize("args", [("run", "DEBUG=1"), ("dev",)])
def test_the_developer_mode_keeps_the_debug_pages(args):
    assert server_line(make_n(*args)).strip().startswith("DEBUG=1 ")


def test_static_files_are_served_with_debug_off(client: Client):
    """What make run's pages load (a guard: WhiteNoise serves static/ and the apps' files from the
    finders, so DEBUG off needs no collectstatic)."""
    for path, text in (("/static/css/app.css", b".app-navbar"), ("/static/vendor/htmx/htmx.min.js", b"htmx")):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert text in answer.getvalue(), path
