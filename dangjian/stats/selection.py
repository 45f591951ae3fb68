"""Which report a page is about: an organization in the user's scope (``?org=``, else the one the
user acts from) and a report date (``?date=``, else the default). Out of scope answers as
nonexistent (404)."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.forms import posted_id
from dangjian.orgs.models import Organization

EARLIEST = dt.date(1950, 1, 1)
REPORTING_MONTHS = 3  # until the end of March the annual report of the year before is the one at work


def default_day(today: dt.date) -> dt.date:
    """31 December of last year while the annual report is being compiled (January–March), else
    today: a live figure."""
    if today.month <= REPORTING_MONTHS:
        return dt.date(today.year - 1, 12, 31)
    return today


def may_read(user: object) -> bool:
    acting = scope.acting(user)
    return acting is not None and acting.allows(lambda role: role.reads_members)


@dataclass(frozen=True)
class Selection:
    organization: Organization
    day: dt.date
    error: str = ""  # why the date asked for was not used

    @property
    def is_year_end(self) -> bool:
        return self.day.month == 12 and self.day.day == 31

    def query(self, **extra: object) -> str:
        from urllib.parse import urlencode

        return urlencode({"org": self.organization.pk, "date": self.day.isoformat(), **extra})


def select(request: HttpRequest) -> Selection:
    acting = scope.acting(request.user)
    if acting is None or not acting.allows(lambda role: role.reads_members):
        raise PermissionDenied("您当前的角色不查看党内统计")
    raw_org = request.GET.get("org", "")
    if raw_org:
        pk = posted_id(raw_org)
        if pk is None:
            raise Http404
        organization = scope.get_scoped_or_404(
            request.user, Organization.objects.filter(deleted_at__isnull=True), pk=pk
        )
    else:
        organization = acting.organization
    today = timezone.localdate()
    raw_day = request.GET.get("date", "").strip()
    if not raw_day:
        return Selection(organization, default_day(today))
    try:
        day = dt.date.fromisoformat(raw_day)
    except ValueError:
        return Selection(organization, default_day(today), f"统计日期“{raw_day[:20]}”无法识别，请按 2025-12-31 填写")
    if day > today:
        return Selection(organization, today, "统计日期不能晚于今天，已按今天统计")
    if day < EARLIEST:
        return Selection(organization, default_day(today), f"统计日期不能早于{EARLIEST.year}年")
    return Selection(organization, day)
