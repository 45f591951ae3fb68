"""``{% probation_counts %}`` for the home page and ``{% sanction_link member %}`` for the member
page: what discipline adds to pages of lower apps without their importing it."""

from typing import Any

from django import template

from dangjian.core import scope

from .. import services

register = template.Library()


@register.inclusion_tag("discipline/_home_counts.html", takes_context=True)
def probation_counts(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    if not scope.role_allows(user, lambda role: role.reads_members):
        return {"counts": None}
    counts = services.probation_counts(user)
    return {"counts": counts if any(counts.values()) else None}


@register.inclusion_tag("discipline/_member_link.html", takes_context=True)
def sanction_link(context: dict[str, Any], member: Any) -> dict[str, Any]:
    """The member page's button to record a sanction, for those who may."""
    user = context["request"].user
    may = scope.may_change(user, lambda role: role.writes_organizations, member)
    return {"member": member, "may": may}


@register.inclusion_tag("discipline/_member_status.html", takes_context=True)
def sanction_status(context: dict[str, Any], member: Any) -> dict[str, Any]:
    """The member page's badges: 留党察看中, 撤销党内职务, the two years after a restoration, for
    those who read sanctions (the scope decides: nothing for anyone else)."""
    user = context["request"].user
    if not scope.role_allows(user, lambda role: role.reads_members):
        return {"rows": []}
    return {"rows": services.standings(user, member=member)}
