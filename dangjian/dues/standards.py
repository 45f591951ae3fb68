"""Which dues standard governs a month, for a region: its own in force on the month's first day,
else the national one."""

import datetime as dt

from django.db.models import Q

from .models import DuesStandard


def in_force(month: dt.date, region: str = "") -> DuesStandard | None:
    first = month.replace(day=1)
    found = DuesStandard.objects.filter(valid_from__lte=first).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
    for candidate in (region, ""):
        standard = found.filter(region=candidate).order_by("-valid_from").first()
        if standard is not None:
            return standard
    return None
