"""Which dues standard governs a month, for a region (the deployment's ``DUES_REGION`` unless
named): its own in force on the month's first day, else the national one."""

import datetime as dt

from django.conf import settings
from django.db.models import Q

from .models import DuesStandard


def in_force(month: dt.date, region: str | None = None) -> DuesStandard | None:
    region = settings.DUES_REGION if region is None else region
    first = month.replace(day=1)
    found = DuesStandard.objects.filter(valid_from__lte=first).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
    for candidate in (region, ""):
        standard = found.filter(region=candidate).order_by("-valid_from").first()
        if standard is not None:
            return standard
    return None
