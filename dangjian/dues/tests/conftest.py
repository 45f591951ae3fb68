"""Fixtures of the dues tests."""

import datetime as dt
from collections.abc import Callable

import pytest


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.date], None]:
    """Sets the day the services and the ledger take as today."""
    from django.utils import timezone

    def set_day(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args: day)

    set_day(dt.date(2026, 1, 10))
    return set_day
