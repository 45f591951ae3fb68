"""Party posts and sanctions (《中国共产党纪律处分条例》, RULES.md §6.1), the discipline side of
``elections``.

Discipline sits above elections: a sanction names the posts it took away (``removed_posts``, a
key into ``elections.Officer``), and recording it ends them through ``elections.services.
vacate_posts`` in the same transaction. Elections, below, does not import discipline: it asks
the standing rules registered with it (``register_standing_rule``, in ``DisciplineConfig.ready``)
who may not be offered a post and why an appointment is refused.
"""

import datetime as dt
from typing import Any

from django.db.models import Q

from dangjian.elections import services as elections
from dangjian.elections.models import Officer
from dangjian.elections.rules import Post
from dangjian.members.models import Member

from . import rules
from .models import Sanction, SanctionKind

KINDS_ON_POSTS = (SanctionKind.PROBATION, SanctionKind.REMOVAL_FROM_POST)


def barred(on: dt.date) -> Q:
    """On Member: those under a 留党察看 on ``on`` (decided by then, rights not yet restored)."""
    open_then = Sanction.objects.filter(kind=SanctionKind.PROBATION, decided_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )
    return Q(pk__in=open_then.values("member_id"))


def post_facts(officer: Officer) -> Post:
    return elections.post_of(officer.term.organization, officer.position)


def facts(sanction: Sanction) -> rules.SanctionOnPosts:
    """``removed_posts`` is read through ``all()``: prefetch ``removed_posts__term__organization``."""
    return rules.SanctionOnPosts(
        kind=sanction.kind,
        decided_on=sanction.decided_on,
        effect_until=sanction.effect_until,
        ending=sanction.ending,
        ended_on=sanction.ended_on,
        posts=tuple(post_facts(officer) for officer in sanction.removed_posts.all()),
    )


def bearing_on_posts(member_ids: Any) -> Any:
    return Sanction.objects.filter(member_id__in=member_ids, kind__in=KINDS_ON_POSTS).prefetch_related(
        "removed_posts__term__organization"
    )


def office_problem(member: Member, post: Post, on: dt.date) -> str | None:
    sanctions = [facts(sanction) for sanction in bearing_on_posts([member.pk]).order_by("decided_on", "pk")]
    return rules.office_problem(member.name, sanctions, post, on)


STANDING_RULE = elections.StandingRule(barred=barred, problem=office_problem)


def end_posts(actor: Any, sanction: Sanction, named: Officer | None) -> list[Officer]:
    """The posts the decision takes away, on its date: the one 撤销党内职务 names, or every post
    held by a member under 留党察看 or 开除党籍."""
    removal = rules.REMOVAL_TEXT.get(sanction.kind_enum)
    one_post = sanction.kind == SanctionKind.REMOVAL_FROM_POST
    if removal is None or (one_post and named is None):
        return []
    ended = elections.vacate_posts(
        actor=actor,
        member=sanction.member,
        on=sanction.decided_on,
        removal=removal,
        officers=[named] if one_post and named is not None else None,
    )
    sanction.removed_posts.set(ended)
    return ended
