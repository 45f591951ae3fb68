"""What committees and terms put in the one inbox (``core.inbox``, source "elections"): terms
ending within ``StructureThresholds.term_warning_months`` or already past their end without a
new one (支部工作条例 第二十一条: the higher organization reminds the branch six months ahead). The
item is the organization's own: it holds the election, and the committees above it see it in
their subtree."""

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from dangjian.core import inbox
from dangjian.core.dates import add_months
from dangjian.orgs.models import Organization, StructureThresholds

from .models import Term

SOURCE = "elections"


def compute(today: dt.date, path: str | None) -> Iterator[inbox.Due]:
    horizon = add_months(today, StructureThresholds.current().term_warning_months)
    terms = Term.objects.filter(
        actual_end__isnull=True,
        expected_end__lte=horizon,
        organization__deleted_at__isnull=True,
        organization__abolished_date__isnull=True,
    )
    if path:
        terms = terms.filter(organization__path__startswith=path)
    for term in terms.select_related("organization"):
        organization = term.organization
        if term.expected_end < today:
            kind, text = "到期未换届", f"任期已于{term.expected_end:%Y-%m-%d}届满，尚未换届，应抓紧组织换届选举"
        else:
            kind, text = "即将届满", f"任期将于{term.expected_end:%Y-%m-%d}届满，应按期做好换届准备"
        yield inbox.Due(
            key=f"term:{term.pk}",
            organization_id=organization.pk,
            org_path=organization.path,
            kind=kind,
            title=f"{organization.name}第{term.number}届{text}",
            due=term.expected_end,
            link=reverse("elections:terms", args=[organization.pk]),
            subject=term,
        )


def terms_changed(organization: Organization) -> None:
    """A term started or ended: the organization's item follows once the service commits."""
    inbox.refresh_soon(SOURCE, organization.path)
