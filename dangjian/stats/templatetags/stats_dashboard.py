"""``{% stats_board %}``: the dashboard's charts on the 首页 (orgs' template places it, without orgs
importing stats), for the roles that read members. It renders containers only: the charts load
their data from the JSON endpoint after the page, so the home page costs nothing more to serve."""

from typing import Any

from django import template
from django.utils import timezone

from dangjian.core import scope

from ..selection import Selection, default_day, may_read
from ..views_dashboard import board_context

register = template.Library()


@register.inclusion_tag("stats/_dashboard_charts.html", takes_context=True)
def stats_board(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    acting = scope.acting(request.user)
    if acting is None or not may_read(request.user):
        return {"board_hidden": True}
    selection = Selection(acting.organization, default_day(timezone.localdate()))
    return {**board_context(selection, compact=True), "csrf_token": context.get("csrf_token")}
