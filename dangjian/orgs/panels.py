"""Sections of the organization page that other apps contribute (committee and term, party groups,
structure warnings): orgs shows them without importing those apps (DESIGN.md: hooks, not upward
imports). A provider returns None when it has nothing to show for the organization or the user."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from .models import Organization


@dataclass
class Panel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


PanelProvider = Callable[[HttpRequest, Organization], Panel | None]
providers: dict[str, PanelProvider] = {}


def register_panel(name: str, provider: PanelProvider) -> None:
    providers[name] = provider


def panels_for(request: HttpRequest, organization: Organization) -> list[Panel]:
    found = [panel for provider in providers.values() if (panel := provider(request, organization)) is not None]
    return sorted(found, key=lambda panel: panel.order)
