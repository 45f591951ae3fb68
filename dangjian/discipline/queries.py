"""What other apps read about discipline (member development asks who is under 留党察看).

The reader takes member ids the caller has already scoped and answers without a user: it is a
fact about the members on a date, not a listing.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from .models import Sanction, SanctionKind


def _in_force(on: dt.date) -> Q:
    """A 留党察看 in force on ``on``: decided on or before it, its end (with the extension) after
    it, and not ended (rights restored, 开除党籍) on or before it."""
    return Q(kind=SanctionKind.PROBATION, decided_on__lte=on, effect_until__gt=on) & (
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )


def under_probation_discipline(member_ids: Iterable[int], on: dt.date) -> set[int]:
    """The ids among ``member_ids`` that are under 留党察看 on ``on`` (decided_on ≤ on < end,
    the end including an extension, and neither restored nor expelled on or before ``on``).
    Such members have no 表决权、选举权、被选举权 and cannot be 入党介绍人 (RULES.md §1.2 step 9,
    §1.3, §6.1). One query."""
    ids = list(member_ids)
    if not ids:
        return set()
    rows = Sanction.objects.filter(_in_force(on), member_id__in=ids).values_list("member_id", flat=True)
    return set(rows)


def probation_discipline_q(on: dt.date) -> Q:
    """On ``Member``: the members under 留党察看 on ``on`` (exclude them with ``~``)."""
    return Q(pk__in=Sanction.objects.filter(_in_force(on)).values("member_id"))
