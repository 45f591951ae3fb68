"""Reading the tree for pages and the API: children with subtree counts, and breadcrumbs.

Every query goes through the scope. Counts of things kept by apps above orgs (members) come from
counters those apps register, so orgs does not import them (DESIGN.md: apps depend downward).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from dangjian.core import scope

from .models import BRANCH_LEVEL_KINDS, Organization


@dataclass(frozen=True)
class SubtreeCounter:
    """Something counted per subtree: ``rows()`` the rows to count, ``path_field`` the lookup to
    each row's organization path (the model must be registered with core.scope)."""

    key: str
    label: str
    rows: Callable[[], QuerySet[Any]]
    path_field: str

    def rows_for(self, user: Any) -> QuerySet[Any]:
        """Counts are aggregates: whoever sees an organization's profile (its line, or a town
        co-managing it) sees how many members it has; other roles count only what they see."""
        if scope.role_allows(user, lambda role: role.reads_organizations):
            return self.rows()
        return scope.scoped(user, self.rows())


def _branches() -> QuerySet[Organization]:
    return Organization.objects.filter(
        kind__in=BRANCH_LEVEL_KINDS, abolished_date__isnull=True, deleted_at__isnull=True
    )


subtree_counters: list[SubtreeCounter] = [SubtreeCounter("branches", "支部", _branches, "path")]


def register_subtree_counter(counter: SubtreeCounter) -> None:
    subtree_counters[:] = [c for c in subtree_counters if c.key != counter.key] + [counter]


@dataclass
class TreeNode:
    organization: Organization
    counts: dict[str, int] = field(default_factory=dict)
    has_children: bool = False  # something to expand (set by ``tree_level``)
    trail: list[Organization] = field(default_factory=list)  # those above it in scope (``search``)


def _count_by_child(counter: SubtreeCounter, user: Any, parent: Organization) -> dict[str, int]:
    """One GROUP BY over the parent's subtree: rows under each child of ``parent``."""
    path = counter.path_field
    rows = (
        counter.rows_for(user)
        .filter(**{f"{path}__startswith": parent.path})
        .exclude(**{path: parent.path})
        .annotate(child=Substr(path, 1, (parent.depth + 1) * Organization.steplen))
        .order_by()
        .values("child")
        .annotate(n=Count("pk"))
    )
    return {row["child"]: row["n"] for row in rows}


def children_with_counts(user: Any, parent: Organization) -> list[TreeNode]:
    """The in-scope children of ``parent`` (the caller saw ``parent`` through the scope), each with
    its subtree's counts."""
    children = scope.scoped(user, Organization.objects.all()).filter(
        path__startswith=parent.path, depth=parent.depth + 1
    )
    counted = {counter.key: _count_by_child(counter, user, parent) for counter in subtree_counters}
    return [
        TreeNode(child, {key: per_child.get(child.path, 0) for key, per_child in counted.items()})
        for child in children.order_by("path")
    ]


@dataclass
class TreeLevel:
    """One level of the tree page: the children shown, and how many abolished ones are not."""

    nodes: list[TreeNode]
    hidden_abolished: int = 0


def tree_level(user: Any, parent: Organization, *, show_abolished: bool) -> TreeLevel:
    """The children of ``parent`` for the tree page, abolished ones only if asked for, each knowing
    whether it has children to expand (of those that would be shown). One query more than
    ``children_with_counts``, whatever the number of children: treebeard's ``numchild`` also counts
    abolished and deleted children, which would leave toggles that open onto nothing."""
    nodes = children_with_counts(user, parent)
    below = (
        scope.scoped(user, Organization.objects.all())
        .filter(path__startswith=parent.path, depth=parent.depth + 2)
        .annotate(child=Substr("path", 1, (parent.depth + 1) * Organization.steplen))
        .order_by()
        .values("child")
        .annotate(every=Count("pk"), live=Count("pk", filter=Q(abolished_date__isnull=True)))
    )
    grandchildren = {row["child"]: row["every" if show_abolished else "live"] for row in below}
    shown = [node for node in nodes if show_abolished or not node.organization.is_abolished]
    for node in shown:
        node.has_children = grandchildren.get(node.organization.path, 0) > 0
    return TreeLevel(shown, hidden_abolished=len(nodes) - len(shown))


SEARCH_LIMIT = 50


def search(user: Any, text: str, *, show_abolished: bool) -> tuple[list[TreeNode], int]:
    """Organizations in scope whose name or short name contains ``text`` or whose code starts with
    it, in tree order, at most SEARCH_LIMIT, each with the organizations above it that the user
    sees (to tell apart the many 第一党支部); and how many matched in all."""
    text = text.strip()
    if not text:
        return [], 0
    found = scope.scoped(user, Organization.objects.all()).filter(
        Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__istartswith=text)
    )
    if not show_abolished:
        found = found.filter(abolished_date__isnull=True)
    matches = list(found.order_by("path")[: SEARCH_LIMIT + 1])
    total = len(matches) if len(matches) <= SEARCH_LIMIT else found.count()
    matches = matches[:SEARCH_LIMIT]
    above = {path for match in matches for path in lineage_paths(match)[:-1]}
    seen = {
        organization.path: organization
        for organization in scope.scoped(user, Organization.objects.filter(path__in=above))
    }
    nodes = [
        TreeNode(match, trail=[seen[path] for path in lineage_paths(match)[:-1] if path in seen]) for match in matches
    ]
    return nodes, total


def subtree_totals(user: Any, organization: Organization) -> dict[str, int]:
    """The counts for one organization's whole subtree, itself included."""
    return {
        counter.key: counter.rows_for(user).filter(**{f"{counter.path_field}__startswith": organization.path}).count()
        for counter in subtree_counters
    }


def lineage_paths(organization: Organization) -> list[str]:
    """The paths of the organization and of every organization above it, top first."""
    step = Organization.steplen
    return [organization.path[: depth * step] for depth in range(1, organization.depth + 1)]


def lineage(user: Any, organization: Organization) -> list[Organization]:
    """The organization and those of its ancestors in the user's scope, top first (breadcrumb)."""
    paths = lineage_paths(organization)
    return list(scope.scoped(user, Organization.objects.filter(path__in=paths)).order_by("path"))
