"""Tests of the demo county run on an empty registry."""

from typing import Any

import pytest

from conftest import empty_the_registry


@pytest.fixture(autouse=True)
def _empty(request: pytest.FixtureRequest, db: Any) -> None:
    """The demo county is built into an empty registry. A county kept for a whole module
    (``county``, built by ``built_for_the_module``) was built into one already: emptying it
    again would delete it."""
    if "county" not in request.fixturenames:
        empty_the_registry()
