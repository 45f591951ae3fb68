"""Tests of the demo county run on an empty registry."""

import pytest


@pytest.fixture(autouse=True)
def _empty(empty_registry: None) -> None:
    """The demo county is built into an empty registry (the root conftest's ``empty_registry``)."""
