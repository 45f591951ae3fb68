"""What organizational life puts in the one inbox (``core.inbox``, source "meetings"): each duty of
this year that is overdue or due within the reminder days, and an organization that has had no
organizational life for the silence days (静默支部). The item is the organization's own; it closes
once the meeting is recorded (a back-filled one too: it counts by the day it was held)."""

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse

from dangjian.core import inbox
from dangjian.orgs.models import Organization

from . import compliance, rules
from .models import LifeSettings

SOURCE = "meetings"


def compute(today: dt.date, path: str | None) -> Iterator[inbox.Due]:
    year = today.year
    orgs = Organization.objects.filter(deleted_at__isnull=True).filter(
        Q(founded_date__isnull=True) | Q(founded_date__lte=today),
        Q(abolished_date__isnull=True) | Q(abolished_date__gt=today),
    )
    roots = [path] if path else list(Organization.objects.filter(depth=1).values_list("path", flat=True))
    silence = LifeSettings.current().silence_days
    for root in roots:
        for row in compliance.standing(list(orgs.filter(path__startswith=root)), root, year, today):
            organization = row.organization
            link = reverse("meetings:branch", args=[organization.pk])
            for duty in row.duties:
                if duty.duty not in (rules.Duty.OVERDUE, rules.Duty.DUE):
                    continue
                kind = "组织生活逾期" if duty.duty == rules.Duty.OVERDUE else "组织生活临期"
                span = f"{duty.span.start:%Y-%m-%d}至{duty.span.end:%Y-%m-%d}"
                yield inbox.Due(
                    key=f"duty:{duty.rule.pk}:{organization.pk}:{duty.span.start:%Y-%m-%d}",
                    organization_id=organization.pk,
                    org_path=organization.path,
                    kind=kind,
                    title=f"{organization.name}{span}应召开{duty.rule.kind.name}{duty.owed}次，已召开{duty.held}次",
                    due=duty.span.end,
                    link=f"{link}?year={year}&month={duty.span.end.month}",
                )
            if row.silent:
                since = row.last_meeting
                yield inbox.Due(
                    key=f"silent:{organization.pk}",
                    organization_id=organization.pk,
                    org_path=organization.path,
                    kind="长期无组织生活",
                    title=(
                        f"{organization.name}自{since:%Y-%m-%d}以来没有开展组织生活"
                        if since
                        else f"{organization.name}本年度尚未记录组织生活"
                    ),
                    due=(since + dt.timedelta(days=silence)) if since else dt.date(year, 1, 1),
                    link=link,
                )


def meetings_changed(organization: Organization) -> None:
    """A meeting was recorded, marked or deleted: the items of the organization and of the
    committee above it (the 党委书记's 党课 counts there) follow once the service commits."""
    parent = organization.path[: -organization.steplen] or organization.path
    inbox.refresh_soon(SOURCE, parent)
