"""Filters of the statistics pages."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """A figure by its cell key ("2:total:total"): the keys are not template identifiers."""
    return mapping.get(key) if hasattr(mapping, "get") else None
