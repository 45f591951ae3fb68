"""The registry's invariants, checked over the whole database (``manage.py check_integrity``).

- every member on the roll belongs to exactly one organization: one open membership period, at the
  organization the member record names, whose path the record copies;
- each member's periods follow one another without overlap or gap (each ends where the next
  starts) and only the last is open;
- the organization tree is sound (paths, depths, child counts: treebeard's own check);
- a member's party group is in the member's organization;
- every member has one open status period, of the status the record names, and the status
  periods follow one another like the membership periods;
- a member whose relation went outside the tree (已转出) has no open membership period, and the
  only gap between two membership periods is such a time away: the status 已转出 from the day
  one period ended to the day the next began.
"""

import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from dangjian.orgs.models import Organization

from .models import Member, MembershipPeriod, Status, StatusPeriod
from .services import ON_ROLL


def per_record(checks: Iterable[tuple[QuerySet[Any], str]], record: str, limit: int) -> list[str]:
    """At most ``limit`` findings of checks given as (the records that break a rule, what is
    wrong), each read "<record>#pk（member name）what is wrong": the other apps' invariants, for
    records that copy their member's name (``member_name``)."""
    found: list[str] = []
    for rows, message in checks:
        for pk, name in rows.values_list("pk", "member_name")[:limit]:
            found.append(f"{record}#{pk}（{name}）{message}")
            if len(found) >= limit:
                return found
    return found


def problems(limit: int = 50) -> list[str]:
    found: list[str] = []

    def add(message: str) -> bool:
        found.append(message)
        return len(found) >= limit

    live = Member.objects.filter(deleted_at__isnull=True)
    on_roll = live.filter(status__in=ON_ROLL)
    open_counts = on_roll.annotate(open=Count("periods", filter=Q(periods__end__isnull=True))).exclude(open=1)
    for pk, name, count in open_counts.values_list("pk", "name", "open")[:limit]:
        if add(f"党员{name}(#{pk})有{count}个未结束的组织隶属期间，应为1个"):
            return found
    elsewhere = MembershipPeriod.objects.filter(member__in=on_roll, end__isnull=True).exclude(
        organization_id=F("member__organization_id")
    )
    for period in elsewhere.select_related("member")[:limit]:
        if add(f"党员{period.member.name}(#{period.member_id})的当前隶属期间不在其所在组织"):
            return found
    away = live.filter(status=Status.TRANSFERRED_OUT, periods__end__isnull=True).distinct()
    for pk, name in away.values_list("pk", "name")[:limit]:
        if add(f"党员{name}(#{pk})的组织关系已转出本系统，但仍有未结束的组织隶属期间"):
            return found
    stale = live.exclude(org_path=F("organization__path"))
    for pk, name in stale.values_list("pk", "name")[:limit]:
        if add(f"党员{name}(#{pk})的组织路径与所在组织不一致"):
            return found
    outside = live.filter(party_group__isnull=False).exclude(party_group__organization_id=F("organization_id"))
    for pk, name in outside.values_list("pk", "name")[:limit]:
        if add(f"党员{name}(#{pk})的党小组不在其所在组织"):
            return found
    open_status = live.annotate(open=Count("status_periods", filter=Q(status_periods__end__isnull=True)))
    for pk, name, count in open_status.exclude(open=1).values_list("pk", "name", "open")[:limit]:
        if add(f"党员{name}(#{pk})有{count}个未结束的党籍状态期间，应为1个"):
            return found
    other_status = StatusPeriod.objects.filter(member__in=live, end__isnull=True).exclude(status=F("member__status"))
    for member_id, status in other_status.values_list("member_id", "status")[:limit]:
        if add(f"党员#{member_id}的当前党籍状态期间（{status}）与党员记录不一致"):
            return found
    for model, label in ((MembershipPeriod, "组织隶属期间"), (StatusPeriod, "党籍状态期间")):
        for message in _gaps(model, label):
            if add(message):
                return found
    for kind, nodes in zip(
        ("字母", "路径", "孤立节点", "层级", "下级数"), Organization.objects.find_problems(), strict=True
    ):
        if nodes:
            add(f"组织树的{kind}有误：{len(nodes)}个节点")
    return found


def _gaps(model: Any, label: str) -> Any:
    """Each member's periods must follow one another: every one ends where the next starts. A
    membership period may end before the next starts only while the member was 已转出 for
    exactly that time (the relation outside the tree, then back)."""
    periods: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    rows = model.objects.filter(member__deleted_at__isnull=True).order_by("member_id", "start", "id")
    for member_id, start, end in rows.values_list("member_id", "start", "end"):
        periods[member_id].append((start, end))
    away: set[tuple[Any, Any, Any]] = set()
    if model is MembershipPeriod:
        outside = StatusPeriod.objects.filter(status=Status.TRANSFERRED_OUT, end__isnull=False)
        away = set(outside.values_list("member_id", "start", "end"))
    for member_id, spans in periods.items():
        for (start, end), (next_start, _) in itertools.pairwise(spans):
            if end is None or (end != next_start and (member_id, end, next_start) not in away):
                yield f"党员#{member_id}的{label}不衔接：{start}—{end or '今'} 之后是 {next_start}"
                break
