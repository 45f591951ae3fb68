"""What the statistics put in the one inbox (``core.inbox``, source "stats"): a report the level
above returned (退回), for its organization to correct and submit again. The item closes when a
new report for that year is submitted."""

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from dangjian.core import inbox

from .models import Submission, SubmissionState

SOURCE = "stats"


def compute(today: dt.date, path: str | None) -> Iterator[inbox.Due]:
    returned = Submission.objects.filter(state=SubmissionState.RETURNED).select_related("organization")
    standing = Submission.objects.filter(state=SubmissionState.SUBMITTED)
    if path:
        returned, standing = returned.filter(org_path__startswith=path), standing.filter(org_path__startswith=path)
    again = set(standing.values_list("organization_id", "year"))
    latest: dict[tuple[int, int], Submission] = {}
    for submission in returned.order_by("returned_at"):
        latest[(submission.organization_id, submission.year)] = submission
    for (organization_id, year), submission in latest.items():
        if (organization_id, year) in again:
            continue
        assert submission.returned_at is not None
        yield inbox.Due(
            key=f"returned:{organization_id}:{year}",
            organization_id=organization_id,
            org_path=submission.org_path,
            kind="年报退回",
            title=f"{year}年党内统计年报被上级党组织退回：{submission.return_reason}，请更正后重新报送",
            due=submission.returned_at.date(),
            link=f"{reverse('stats:submissions')}?org={organization_id}&year={year}",
            subject=submission,
        )
