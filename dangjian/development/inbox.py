"""What member development puts in the one inbox (``core.inbox``, source "development"): the
items of the due page (``reports.due_in``, one computation for both), each at the organization
that must act. The branch assesses its activists and probationary members and discusses the
regularization when probation ends; an approval overdue is the upper committee's (the nearest
党委 or 党工委 above the branch, who enters steps 17 and 24)."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from dangjian.core import inbox
from dangjian.orgs.models import Organization, OrgKind

from . import reports
from .models import Applicant

SOURCE = "development"
# A half year's assessment recurs: its period is part of the key, so recording it closes that
# item and the next half year's is another. Probation ends once per round (an extension moves
# the date: the same item, later), and a file waits for one approval at a time.
KEYS = {"半年考察": "assessment", "预备期考察": "probation-assessment", "预备期届满": "probation-end"}
APPROVAL = "审批超期"
COMMITTEE_KINDS = (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE)


def _key(item: reports.DueItem) -> str:
    if item.kind == APPROVAL:
        return f"applicant:{item.applicant.pk}:approval"
    slug = KEYS.get(item.kind, "other")
    period = f":{item.due:%Y-%m-%d}" if slug.endswith("assessment") else ""
    return f"applicant:{item.applicant.pk}:{slug}{period}"


def _ancestors(path: str) -> list[str]:
    step = Organization.steplen
    return [path[:end] for end in range(step, len(path), step)]


def committees_above(paths: set[str]) -> dict[str, Organization]:
    """For each organization path, the nearest 党委 or 党工委 strictly above it (one query);
    missing where there is none."""
    wanted = {prefix for path in paths for prefix in _ancestors(path)}
    found = {
        org.path: org
        for org in Organization.objects.filter(path__in=wanted, kind__in=COMMITTEE_KINDS, deleted_at__isnull=True)
    }
    result = {}
    for path in paths:
        above = [found[prefix] for prefix in _ancestors(path) if prefix in found]
        if above:
            result[path] = above[-1]
    return result


def compute(today: dt.date, path: str | None) -> Iterator[inbox.Due]:
    """The due page's items of every open file (under ``path``)."""
    rows = Applicant.objects.filter(org_path__startswith=path) if path else Applicant.objects.all()
    items = reports.due_in(rows, today)
    upper = committees_above({i.applicant.org_path for i in items if i.kind == APPROVAL})
    for item in items:
        applicant = item.applicant
        owner: Any = applicant.organization
        who = applicant.name
        if item.kind == APPROVAL:  # the committee's item: which branch the file is in
            owner, who = upper.get(applicant.org_path, owner), f"{applicant.name}（{applicant.organization.name}）"
        yield inbox.Due(
            key=_key(item),
            organization_id=owner.pk,
            org_path=owner.path,
            kind=item.kind,
            title=f"{who}：{item.text}",
            due=item.due,
            link=reverse("development:detail", args=[applicant.pk]),
            subject=applicant,
        )


def file_changed(applicant: Applicant) -> None:
    """A step or an assessment was recorded: recompute the file's items once the service commits,
    as far up as the committee that approves (an approval overdue is its item)."""
    above = committees_above({applicant.org_path}).get(applicant.org_path)
    inbox.refresh_soon(SOURCE, above.path if above is not None else applicant.org_path)
