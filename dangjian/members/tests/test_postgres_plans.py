"""On PostgreSQL the subtree filter and the roster's first page are range scans of one index.

The path columns use the C collation (core.fields.PathField), so ``LIKE 'prefix%'`` and
``ORDER BY org_path`` can use the plain btree index whatever the database's locale is. Sequential
and bitmap scans are switched off here because the test tables are tiny (the planner would rather
read a few pages and sort); what is shown is that the index can answer both; the benchmark
(bench/) shows the planner choosing it on its own at 10^6 members.
"""

import pytest
from django.db import connection

from dangjian.core import scope
from dangjian.members.filters import MemberFilter
from dangjian.members.models import Member

pytestmark = pytest.mark.postgres


def plan_of(queryset):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    return queryset.explain()


def test_the_subtree_count_is_an_index_range_scan(world):
    members = scope.scoped(world.town_admin, Member.objects.all())
    plan = plan_of(members.values("pk"))
    assert "member_roster_order" in plan, plan
    assert "Index Cond" in plan, plan


def test_the_first_page_is_read_in_index_order_without_a_sort(world):
    members = scope.scoped(world.town_admin, Member.objects.all())[:20]
    plan = plan_of(members)
    assert "member_roster_order" in plan, plan
    assert "Sort" not in plan, plan


def test_the_path_columns_compare_bytewise(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, collation_name FROM information_schema.columns "
            "WHERE column_name IN ('path', 'org_path') AND table_name IN ('orgs_organization', 'members_member')"
        )
        assert dict(cursor.fetchall()) == {"orgs_organization": "C", "members_member": "C"}


@pytest.mark.parametrize("sort", ["org", "-org"])
def test_by_organization_either_way_the_roster_is_read_from_its_index(world, sort):
    members = MemberFilter({"sort": sort}, queryset=scope.scoped(world.county_admin, Member.objects.all())).qs[:20]
    plan = plan_of(members)
    assert "member_roster_order" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize("sort", ["name", "-joined", "birth"])
def test_the_other_orders_sort_the_subtrees_range_keeping_only_the_page(world, sort):
    members = MemberFilter({"sort": sort}, queryset=scope.scoped(world.town_admin, Member.objects.all())).qs[:20]
    plan = plan_of(members)
    assert plan.index("Limit") < plan.index("Sort") < plan.index("member_roster_order"), plan
    assert "Index Cond" in plan, plan
