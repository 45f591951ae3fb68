"""``{% transfer_inbox %}``: the acting organization's transfer inbox counts, for the home page."""

from typing import Any

from django import template

from dangjian.core import scope

from .. import services

register = template.Library()


@register.inclusion_tag("transfers/_home_counts.html", takes_context=True)
def transfer_inbox(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    if not scope.role_allows(user, lambda role: role.reads_members):
        return {"counts": None}
    counts = services.inbox_counts(user)
    return {"counts": [(key, label, counts[key]) for key, label in services.BOXES.items()]}
