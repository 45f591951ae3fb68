"""The statistics dashboard (统计看板): the page, and the JSON its charts are drawn from.

The page itself counts nothing: it names the organization and the date (``selection.select``: in
the user's scope, else 404; a role that does not read members is refused) and the charts fetch
their data from ``data``, so a large subtree's page appears at once while its snapshot is computed.
"""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core import scope
from dangjian.orgs import tree
from dangjian.orgs.models import Organization
from dangjian.orgs.widgets import OrganizationPicker

from . import dashboard as charts
from .selection import Selection, select


class ChoiceForm(forms.Form):
    """Which organization and date: the organization picker searches the user's scope by name."""

    org = forms.ModelChoiceField(label="党组织", queryset=Organization.objects.none(), widget=OrganizationPicker())
    date = forms.DateField(label="统计日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, user: Any, selection: Selection) -> None:
        super().__init__(initial={"org": selection.organization.pk, "date": selection.day.isoformat()})
        field = self.fields["org"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = scope.scoped(user, Organization.objects.filter(deleted_at__isnull=True))


def board_context(selection: Selection, *, compact: bool = False) -> dict[str, Any]:
    """What the charts' include needs (the page's and the home page's)."""
    return {
        "board_data_url": f"{reverse('stats:dashboard-data')}?{selection.query()}",
        "board_url": f"{reverse('stats:dashboard')}?{selection.query()}",
        "board_compact": compact,
        "board_selection": selection,
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    selection = select(request)
    organization = selection.organization
    query = selection.query()
    # The organizations above, in the user's scope, each to its own dashboard of the same date.
    board = reverse("stats:dashboard")
    trail = [
        (org, f"{board}?{Selection(org, selection.day).query()}") for org in tree.lineage(request.user, organization)
    ]
    return render(
        request,
        "stats/dashboard.html",
        {
            "selection": selection,
            "organization": organization,
            "form": ChoiceForm(request.user, selection),
            "trail": trail,
            "report_url": f"{reverse('stats:report')}?{query}",
            "workbook_url": f"{reverse('stats:workbook')}?{query}",
            "pdf_url": f"{reverse('stats:pdf')}?{query}",
            **board_context(selection),
        },
    )


@require_http_methods(["GET", "POST"])
def data(request: HttpRequest) -> HttpResponse:
    """The charts' JSON. A subtree above the live limit answers from its snapshot (queued for the
    worker when there is none; POST, the page's 重新统计, queues a new one); a smaller one is
    counted now."""
    selection = select(request)
    organization, day = selection.organization, selection.day
    if charts.is_large(organization):
        found = charts.kept(organization, day, again=request.method == "POST")
    else:
        found = charts.live(organization, day)
    payload = charts.linked(found, organization, day)
    payload["error"] = selection.error
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
