"""Restructuring on the bench county (撤并 and 调整隶属), against the same data movement in raw SQL.

Everything here happens inside one transaction that is rolled back at the end, and every timed run
inside a savepoint rolled back after it, so the county stays as built and each run repeats the same
work. Ours and the baseline alternate run by run: the dead rows a rolled-back run leaves behind slow
later runs a little, and alternating spreads that over both columns.

The baseline is only the re-homing itself (periods closed and opened, members and groups re-pointed,
paths rewritten, sources abolished). What the services add on top is the checks of the preview, the
history rows for every member and period touched, and the restructuring record with one item per
member: the ratio is the price of "nothing lost, and every member's history says where it came from".
"""

import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from dangjian.core.models import User
from dangjian.members.models import Member
from dangjian.members.services import ON_ROLL
from dangjian.orgs.models import Organization, OrgKind
from dangjian.orgs.restructure import merge_organizations, move_organization
from dangjian.orgs.services import create_organization

MERGED_BRANCHES = 35
MERGED_MEMBERS = 2_000
MOVED_ORGANIZATIONS = 10_000

MERGE_SQL = [
    """UPDATE members_membershipperiod SET "end" = %(date)s WHERE "end" IS NULL AND member_id IN (
           SELECT id FROM members_member
           WHERE organization_id = ANY(%(sources)s) AND deleted_at IS NULL AND status = ANY(%(on_roll)s))""",
    """INSERT INTO members_membershipperiod (member_id, organization_id, start, "end", reason)
       SELECT id, %(target)s, %(date)s, NULL, '组织调整：撤并' FROM members_member
       WHERE organization_id = ANY(%(sources)s) AND deleted_at IS NULL AND status = ANY(%(on_roll)s)""",
    """UPDATE members_member SET organization_id = %(target)s, org_path = %(target_path)s
       WHERE organization_id = ANY(%(sources)s) AND deleted_at IS NULL AND status = ANY(%(on_roll)s)""",
    # Groups keep unique names in their new branch: "第一党小组（原…）".
    """UPDATE members_partygroup g SET organization_id = %(target)s,
           name = left(g.name || '（原' || coalesce(nullif(o.short_name, ''), o.name) || '）', 50)
       FROM orgs_organization o
       WHERE o.id = g.organization_id AND g.organization_id = ANY(%(sources)s) AND g.dissolved_date IS NULL""",
    """UPDATE elections_term SET actual_end = %(date)s
       WHERE organization_id = ANY(%(sources)s) AND actual_end IS NULL""",
    "UPDATE orgs_organization SET abolished_date = %(date)s WHERE id = ANY(%(sources)s)",
]
MOVE_SQL = [
    """UPDATE orgs_organization SET path = %(new)s || substr(path, %(cut)s), depth = depth + %(shift)s
       WHERE path LIKE %(old_prefix)s""",
    "UPDATE orgs_organization SET numchild = numchild - 1 WHERE id = %(old_parent)s",
    "UPDATE orgs_organization SET numchild = numchild + 1 WHERE id = %(new_parent)s",
    """UPDATE members_member SET org_path = %(new)s || substr(org_path, %(cut)s)
       WHERE organization_id IN (SELECT id FROM orgs_organization WHERE path LIKE %(new_prefix)s)""",
]


@dataclass
class Row:
    label: str
    ours: float
    baseline: float


def restructure_rows(actor: User, repeat: int) -> list[Row]:
    with transaction.atomic():
        rows = [_merge(actor, repeat), _move(actor, repeat)]
        transaction.set_rollback(True)
    return rows


def _compare_writes(ours: Callable[[], Any], baseline: Callable[[], Any], repeat: int) -> tuple[float, float]:
    timings: dict[str, list[float]] = {"ours": [], "baseline": []}
    for run in range(repeat + 1):  # run 0 warms the caches and is not counted
        order = [("ours", ours), ("baseline", baseline)]
        for name, operation in order if run % 2 else reversed(order):
            savepoint = transaction.savepoint()
            started = time.perf_counter()
            operation()
            elapsed = (time.perf_counter() - started) * 1000
            transaction.savepoint_rollback(savepoint)
            if run:
                timings[name].append(elapsed)
    return statistics.median(timings["ours"]), statistics.median(timings["baseline"])


def _sql(statements: list[str], params: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params)

    return run


def _on_roll_counts(organizations: Any) -> dict[int, int]:
    on_roll = Q(members__deleted_at__isnull=True, members__status__in=ON_ROLL)
    return dict(organizations.annotate(n=Count("members", filter=on_roll)).values_list("pk", "n"))


def _new(actor: User, parent: Organization, name: str, code: str, kind: OrgKind) -> Organization:
    category = "village" if kind.is_branch_level else "township"
    return create_organization(actor=actor, parent=parent, name=name, code=code, kind=kind, unit_category=category)


def _merge(actor: User, repeat: int) -> Row:
    """35 branches of the town with the most branches, whose members add up to about 2,000 merge into a new branch."""
    today = timezone.localdate()
    leaves = Organization.objects.filter(kind=OrgKind.BRANCH, numchild=0, abolished_date__isnull=True, depth=3)
    sizes = _on_roll_counts(leaves)
    by_town: dict[str, list[int]] = defaultdict(list)
    for pk, path in leaves.values_list("pk", "path"):
        by_town[path[: 2 * Organization.steplen]].append(pk)

    def largest(pks: list[int]) -> list[int]:
        return sorted(pks, key=lambda pk: (-sizes[pk], pk))[:MERGED_BRANCHES]

    # The town whose 35 largest branches come closest to 2,000 members; then its 35 branches
    # closest to the average size.
    town_path = min(by_town, key=lambda path: abs(sum(sizes[pk] for pk in largest(by_town[path])) - MERGED_MEMBERS))
    town = Organization.objects.get(path=town_path)
    average = MERGED_MEMBERS / MERGED_BRANCHES
    chosen = sorted(by_town[town_path], key=lambda pk: (abs(sizes[pk] - average), pk))[:MERGED_BRANCHES]
    sources = list(Organization.objects.filter(pk__in=chosen).order_by("path"))
    target = _new(actor, town, "基准测试合并党支部", "BENCH-MERGE", OrgKind.BRANCH)
    params = {
        "sources": [source.pk for source in sources],
        "target": target.pk,
        "target_path": target.path,
        "date": today,
        "on_roll": [str(status) for status in ON_ROLL],
    }
    ours, baseline = _compare_writes(
        lambda: merge_organizations(actor=actor, sources=sources, target=target, date=today),
        _sql(MERGE_SQL, params),
        repeat,
    )
    moved = sum(sizes[source.pk] for source in sources)
    return Row(f"merge {len(sources)} branches ({moved:,} members) into one", ours, baseline)


def _move(actor: User, repeat: int) -> Row:
    """An area committee (片区党委) is formed over whole towns until it holds 10^4 organizations,
    then moved, subtree and members, under another committee."""
    today = timezone.localdate()
    root = Organization.objects.get(depth=1)
    area = _new(actor, root, "基准测试片区党委", "BENCH-AREA", OrgKind.COMMITTEE)
    held = 1
    for town in Organization.objects.filter(depth=2, kind=OrgKind.COMMITTEE).exclude(pk=area.pk).order_by("path"):
        if held >= MOVED_ORGANIZATIONS:
            break
        size = Organization.objects.filter(path__startswith=town.path).count()
        move_organization(actor=actor, organization=town, new_parent=area, date=today)
        held += size
    destination = _new(actor, root, "基准测试承接党委", "BENCH-DEST", OrgKind.COMMITTEE)
    area.refresh_from_db()
    new_path = Organization._get_path(destination.path, destination.depth + 1, 1)
    params = {
        "new": new_path,
        "cut": len(area.path) + 1,
        "shift": destination.depth + 1 - area.depth,
        "old_prefix": area.path + "%",
        "new_prefix": new_path + "%",
        "old_parent": root.pk,
        "new_parent": destination.pk,
    }
    ours, baseline = _compare_writes(
        lambda: move_organization(actor=actor, organization=area, new_parent=destination, date=today),
        _sql(MOVE_SQL, params),
        repeat,
    )
    members = Member.objects.filter(org_path__startswith=area.path).count()
    return Row(f"move a subtree ({held:,} orgs, {members:,} members)", ours, baseline)
