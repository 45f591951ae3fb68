"""What party dues put in the one inbox (``core.inbox``, source "dues"): each member who has paid
nothing for six consecutive months without a recorded valid reason (第十三条), for their branch to
act on (the committee above sees it in its subtree). The item closes once the member pays or the
branch records a reason."""

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from dangjian.core import inbox

from . import ledger, rules
from .models import DuesMonth

SOURCE = "dues"


def compute(today: dt.date, path: str | None) -> Iterator[inbox.Due]:
    months = DuesMonth.objects.filter(member__deleted_at__isnull=True)
    if path:
        months = months.filter(org_path__startswith=path)
    behind = [row for row in ledger.arrears(months, today) if row.flagged]
    for row in behind:
        start = rules.add_months(rules.first_of(today), -row.silent_months)
        yield inbox.Due(
            key=f"silent:{row.member_id}:{start:%Y-%m}",
            organization_id=row.organization_id,
            org_path=row.org_path,
            kind="连续6个月未交党费",
            title=(
                f"{row.name}自{start.year}年{start.month}月起连续{row.silent_months}个月未交纳党费，"
                f"应按{rules.REGULATION}第十三条处理"
            ),
            due=rules.add_months(start, rules.SILENT_MONTHS),
            link=f"{reverse('dues:arrears')}?organization={row.organization_id}",
        )
