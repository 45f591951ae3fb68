"""The source report, replayed on the demo town: 坪塘镇's 35 village branches merged into 15, and 28
enterprise branches regrouped into 16 (shared/sources/004). Every member is accounted for and
each member's history says where they came from."""

import datetime as dt
import itertools

from django.urls import reverse

from conftest import make_id_number
from dangjian.core.models import Role, User
from dangjian.core.services import grant_role
from dangjian.demo.generator import build_county
from dangjian.members.integrity import problems
from dangjian.members.models import Member, MembershipPeriod
from dangjian.members.services import ON_ROLL, create_member
from dangjian.orgs import restructure
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization, OrgKind, RestructuringItem, UnitCategory
from dangjian.orgs.services import create_organization

AS_OF = dt.date(2026, 1, 15)
MERGER_DAY = dt.date(2026, 1, 10)


def test_the_pingtang_regrouping_loses_no_one(client):
    build_county(members=4000, seed=3, today=AS_OF, progress=lambda _: None)
    town = Organization.objects.get(name="中共坪塘镇委员会")
    admin = User.objects.create_user(username="pingtang_zzb", home_organization=town)
    grant_role(actor=None, user=admin, role=Role.ORG_ADMIN, organization=town)
    live = Organization.objects.filter(path__startswith=town.path, abolished_date__isnull=True)

    def branches(unit):
        return live.filter(kind__in=BRANCH_LEVEL_KINDS, unit_category=unit)

    # Twelve enterprise branches of the old layout, still with their members (28 in all).
    numbers = itertools.count(1)
    old = []
    for n in range(12):
        company = create_organization(
            actor=admin,
            parent=town,
            name=f"中共坪塘旧企业{n}支部委员会",
            code=f"PT-OLD{n}",
            kind=OrgKind.BRANCH,
            unit_category=UnitCategory.NON_PUBLIC_ENTERPRISE,
            founded_date=dt.date(1998, 1, 1),
        )
        for _ in range(3):
            k = next(numbers)
            create_member(
                actor=admin,
                organization=company,
                name=f"职工{k}",
                education="bachelor",
                category="full",
                id_number=make_id_number("1985-05-05", male=k % 2 == 1, sequence=k, region="430199"),
                joined_date=dt.date(2010, 7, 1),
                regularized_date=dt.date(2011, 7, 1),
            )
        old.append(company)
    assert branches(UnitCategory.VILLAGE).count() == 35
    enterprise = (UnitCategory.NON_PUBLIC_ENTERPRISE, UnitCategory.ORGAN, UnitCategory.SCHOOL, UnitCategory.HOSPITAL)
    assert live.filter(kind__in=BRANCH_LEVEL_KINDS, unit_category__in=enterprise).count() == 28
    on_roll = Member.objects.filter(status__in=ON_ROLL, deleted_at__isnull=True).count()
    before = dict(Member.objects.filter(org_path__startswith=town.path).values_list("pk", "organization_id"))

    # 35 village branches → 15: in each merged village, the first branch takes in the others.
    for general in live.filter(kind=OrgKind.GENERAL_BRANCH, unit_category=UnitCategory.VILLAGE):
        first, *others = Organization.objects.get_children(general).order_by("path")
        if others:
            restructure.merge_organizations(actor=admin, sources=others, target=first, date=MERGER_DAY)
    # 28 enterprise branches → 16: the old ones go into the two joint branches.
    joint = list(live.filter(kind=OrgKind.JOINT_BRANCH).order_by("path"))
    restructure.merge_organizations(actor=admin, sources=old[:6], target=joint[0], date=MERGER_DAY)
    restructure.merge_organizations(actor=admin, sources=old[6:], target=joint[1], date=MERGER_DAY)

    assert branches(UnitCategory.VILLAGE).count() == 15
    assert live.filter(kind__in=BRANCH_LEVEL_KINDS, unit_category__in=enterprise).count() == 16
    assert Member.objects.filter(status__in=ON_ROLL, deleted_at__isnull=True).count() == on_roll
    assert problems() == []
    moved = {
        pk for pk, org in Member.objects.filter(pk__in=before).values_list("pk", "organization_id") if before[pk] != org
    }
    assert len(moved) > 100
    items = dict(RestructuringItem.objects.filter(item_type="member").values_list("item_id", "from_organization_id"))
    assert set(items) == moved
    assert all(items[pk] == before[pk] for pk in moved)  # the record says where each came from
    for member in Member.objects.filter(pk__in=list(moved)[:50]):
        closed, current = list(member.periods.order_by("start"))[-2:]
        assert (closed.organization_id, closed.end) == (before[member.pk], MERGER_DAY)
        assert (current.organization_id, current.start) == (member.organization_id, MERGER_DAY)
    assert MembershipPeriod.objects.filter(end=MERGER_DAY).count() == len(moved)
    # …and the member's page says it: the old branch until the merger day, the new one since.
    client.force_login(admin)
    member = Member.objects.get(pk=min(moved))
    timeline = " ".join(client.get(reverse("members:detail", args=[member.pk])).content.decode().split())
    old_branch = Organization.objects.get(pk=before[member.pk])
    assert f"至 {MERGER_DAY:%Y-%m-%d}</span> · {old_branch.name}" in timeline
    assert f"{MERGER_DAY:%Y-%m-%d} 至 今</span> · {member.organization.name}" in timeline
    assert "组织调整：撤并" in timeline
