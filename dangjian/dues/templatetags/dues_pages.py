"""Filters of the dues pages: amounts kept in fen shown in yuan, months as the ledger writes them."""

import datetime as dt

from django import template

from dangjian.dues import rules

register = template.Library()


@register.filter
def yuan(amount: int | None) -> str:
    """1234 → "12.34"; nothing → "—"."""
    return "—" if amount is None else rules.yuan(amount)


@register.filter
def month(day: dt.date | None) -> str:
    """2026-01-01 → "2026年1月"."""
    return "—" if day is None else f"{day.year}年{day.month}月"


@register.filter
def category(value: str) -> str:
    try:
        return rules.Category(value).label
    except ValueError:
        return value
