"""``{% member_home %}``: the home page of a 党员 login, placed by the home page's template (orgs)
without orgs importing members."""

from typing import Any

from django import template
from django.utils import timezone

from ..home import member_home as home_of

register = template.Library()


@register.inclusion_tag("members/_home.html", takes_context=True)
def member_home(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    return {"home": home_of(request.user, timezone.localdate()), "request": request}
