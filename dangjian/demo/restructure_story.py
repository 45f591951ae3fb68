"""A restructuring of last year (组织调整): two villages of 古山镇 merged (合村), the smaller
village's branch merged into the other's, its members moved with the record of where each came
from. Its two branches take part in no other story."""

import datetime as dt

from django.db.models import Max

from dangjian.elections.models import Term
from dangjian.members.models import MembershipPeriod
from dangjian.orgs import restructure
from dangjian.orgs.models import UnitCategory

from .activity import Cast, Story, Unavailable


def stories(cast: Cast) -> list[Story]:
    return [_merger(cast)]


def _merger(cast: Cast) -> Story:
    gushan = cast.town(cast.gushan)
    villages = [
        branch
        for branch in cast.branches(gushan, least=5)
        if branch.unit_category == UnitCategory.VILLAGE and branch.depth == gushan.depth + 1
    ]
    if len(villages) < 2:
        raise Unavailable
    target, source = cast.rng.sample(villages, 2)
    cast.reserved.update({target.pk, source.pk})
    # About ten months ago, after everything the source branch has dated (its latest member, its
    # current term): a merger comes after what it carries over.
    dated = [
        MembershipPeriod.objects.filter(organization=source).aggregate(last=Max("start"))["last"],
        Term.objects.filter(organization=source).aggregate(last=Max("start"))["last"],
        source.founded_date,
    ]
    latest: dt.date = max((day for day in dated if day is not None), default=cast.today - dt.timedelta(days=3650))
    day = max(cast.today - dt.timedelta(days=300), latest + dt.timedelta(days=1))
    if day > cast.today:
        raise Unavailable
    yield day
    restructure.merge_organizations(actor=cast.gushan, sources=[source], target=target, date=day)
