"""The month tally (``MonthTally``): for each organization and year, the meetings that count by kind
and month, the party groups that met, and the last meeting. The compliance of a county reads these
10^4 rows instead of aggregating its 4·10^5 meetings on every page (bench/heat_map.py).

The tally is never adjusted by increments: ``recount`` rewrites an organization's rows from its
meetings, so it cannot drift from them, and every service that changes a meeting calls it in its
own transaction. Writers that bypass the services (the demo's and the bench's bulk loads) call
``rebuild`` once they are done."""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear

from dangjian.orgs.models import Organization

from .models import Meeting, MonthTally

BATCH = 5000


def _aggregate(meetings: QuerySet[Meeting]) -> Iterator[MonthTally]:
    """The tally rows of ``meetings``: one aggregate by organization, kind, party group, year and
    month, folded into a row per organization and year."""
    rows = (
        meetings.filter(deleted_at__isnull=True)
        .annotate(year=ExtractYear("held_on"), month=ExtractMonth("held_on"))
        .values_list("organization_id", "kinds", "party_group_id", "year", "month")
        .annotate(held=Count("id", filter=Q(counted=True)), last=Max("held_on"))
        .order_by()
    )
    found: dict[tuple[int, int], MonthTally] = {}
    held: dict[tuple[int, int], dict[str, list[int]]] = {}
    met: dict[tuple[int, int], dict[str, list[int]]] = {}
    for organization, kind, group, year, month, count, last in rows.iterator(chunk_size=BATCH):
        if kind is None:  # no kind recorded (the services refuse that): nothing it could count for
            continue
        key = (organization, year)
        row = found.get(key)
        if row is None:
            row = found[key] = MonthTally(organization_id=organization, year=year, last_held=last)
            held[key], met[key] = {}, {}
        held[key].setdefault(str(kind), [0] * 12)[month - 1] += count
        if group is not None and count:  # one row per group: this group met
            met[key].setdefault(str(kind), [0] * 12)[month - 1] += 1
        row.last_held = max(row.last_held, last)
    for key, row in found.items():
        row.months = {
            "held": {kind: written(months) for kind, months in held[key].items()},
            "groups": {kind: written(months) for kind, months in met[key].items()},
        }
        yield row


def written(months: list[int]) -> str:
    """Twelve counts, January first, as the tally keeps them: "1,0,2,…"."""
    return ",".join(map(str, months))


def months(text: str) -> list[int]:
    return [int(n) for n in text.split(",")]


def recount(organization_ids: Iterable[int]) -> None:
    """Rewrite the tally of these organizations from their meetings (all years: a meeting may have
    been back-filled or deleted in any). Call it inside the transaction that changed them."""
    ids = sorted(set(organization_ids))
    # Two meetings of one organization recorded at once: the second recount waits for the first to
    # commit, then counts both (and does not insert the year's row twice).
    list(Organization.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
    MonthTally.objects.filter(organization_id__in=ids).delete()
    MonthTally.objects.bulk_create(_aggregate(Meeting.objects.filter(organization_id__in=ids)), batch_size=BATCH)


def rebuild() -> int:
    """Rewrite the whole tally from the meetings (after a bulk load; ``manage.py recount_meetings``).
    Returns the rows written."""
    MonthTally.objects.all().delete()
    rows = MonthTally.objects.bulk_create(_aggregate(Meeting.objects.all()), batch_size=BATCH)
    return len(rows)


# Organization → kind id (as JSON keys it) → its twelve months, January first, written "1,0,2,…": so
# organizations whose months read alike are found alike by a dictionary (compliance._standing).
ByKind = dict[int, dict[str, str]]


@dataclass
class Held:
    """A subtree's meetings of a year as compliance reads them: for each organization and kind, the
    meetings that count in each month; the same for the number of its party groups that met; the
    day of each organization's last meeting."""

    counts: ByKind = field(default_factory=dict)
    groups_met: ByKind = field(default_factory=dict)
    last: dict[int, dt.date] = field(default_factory=dict)


def read(path: str, year: int) -> Held:
    """The tally of the subtree at ``path`` for ``year``; the last meeting from this year's row,
    else last year's (enough for the silence days; an organization silent for longer has none)."""
    found = Held()
    rows = MonthTally.objects.filter(organization__path__startswith=path, year__in=(year - 1, year))
    earlier: dict[int, dt.date] = {}
    for organization, row_year, kept, last in rows.values_list("organization_id", "year", "months", "last_held"):
        if row_year != year:
            earlier[organization] = last
            continue
        found.last[organization] = last
        found.counts[organization] = kept["held"]
        if kept["groups"]:
            found.groups_met[organization] = kept["groups"]
    for organization, last in earlier.items():
        found.last.setdefault(organization, last)
    return found
