"""Property tests (hypothesis): random trees, random sequences of merge, split and move. Whatever
happens, no member is lost or doubled, periods stay contiguous and the tree stays sound."""

import contextlib
import datetime as dt
import itertools

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_id_number
from dangjian.core.errors import DomainError
from dangjian.members.integrity import problems
from dangjian.members.models import Member, PartyGroup, Status
from dangjian.members.services import ON_ROLL, change_status, create_member, create_party_group
from dangjian.orgs import restructure
from dangjian.orgs.models import Organization, OrgKind, UnitCategory
from dangjian.orgs.services import create_organization

DAY = dt.date(2025, 1, 1)
sequence = itertools.count(200)


class Rollback(Exception):
    """Ends one example: everything it wrote is undone."""


trees = st.lists(st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=4), min_size=1, max_size=3)
operations = st.lists(
    st.tuples(st.sampled_from(["merge", "split", "move"]), st.integers(0, 50), st.integers(0, 50), st.integers(1, 4)),
    min_size=1,
    max_size=6,
)


def build(world, towns):
    actor = world.county_admin
    created = []
    for _t, branches in enumerate(towns):
        code = f"P{next(sequence)}"
        town = create_organization(
            actor=actor,
            parent=world.county,
            name=f"镇{code}",
            code=code,
            kind=OrgKind.COMMITTEE,
            unit_category=UnitCategory.TOWNSHIP,
        )
        created.append(town)
        for size in branches:
            code = f"P{next(sequence)}"
            branch = create_organization(
                actor=actor,
                parent=town,
                name=f"支部{code}",
                code=code,
                kind=OrgKind.BRANCH,
                unit_category=UnitCategory.VILLAGE,
                founded_date=dt.date(1990, 1, 1),
            )
            members = []
            for _ in range(size):
                number = next(sequence)
                member = create_member(
                    actor=actor,
                    organization=branch,
                    name=f"党员{number}",
                    id_number=make_id_number("1980-01-01", male=True, sequence=number % 500, region=f"43{number:04d}"),
                    education="bachelor",
                    category="full",
                    joined_date=dt.date(2000, 1, 1),
                    regularized_date=dt.date(2001, 1, 1),
                    since=dt.date(2000, 1, 1),
                )
                members.append(member)
            # Half the branch in a party group, and one member no longer on the roll, who stays
            # behind in every restructuring.
            if len(members) >= 2:
                half = [member.pk for member in members[: len(members) // 2 + 1]]
                create_party_group(actor=actor, organization=branch, name="第一党小组", member_ids=half)
            if len(members) >= 3:
                change_status(actor=actor, member=members[0], status=Status.DECEASED, date=dt.date(2020, 1, 1))
    return created


def run(world, operation, a, b, count, date):
    actor = world.county_admin
    live = Organization.objects.filter(
        path__startswith=world.county.path, deleted_at__isnull=True, abolished_date__isnull=True
    )
    branches = list(live.filter(kind=OrgKind.BRANCH).order_by("path"))
    towns = list(live.filter(kind=OrgKind.COMMITTEE).exclude(pk=world.county.pk).order_by("path"))
    if operation == "merge" and len(branches) >= 2:
        source, target = branches[a % len(branches)], branches[b % len(branches)]
        restructure.merge_organizations(actor=actor, sources=[source], target=target, date=date)
    elif operation == "split" and branches:
        source = branches[a % len(branches)]
        ids = list(Member.objects.filter(organization=source, status__in=ON_ROLL).values_list("pk", flat=True)[:count])
        groups = list(PartyGroup.objects.filter(organization=source).values_list("pk", flat=True))
        if count % 2 == 0:  # by party group rather than by member
            ids, groups = [], groups or [0]
        else:
            groups = []
        code = f"P{next(sequence)}"
        restructure.split_organization(
            actor=actor,
            source=source,
            date=date,
            member_ids=ids,
            party_group_ids=groups,
            new_fields={
                "name": f"拆分{code}",
                "code": code,
                "kind": OrgKind.BRANCH,
                "unit_category": UnitCategory.VILLAGE,
            },
        )
    elif operation == "move" and count % 2 == 0 and len(towns) >= 2:  # a whole town under another one
        restructure.move_organization(
            actor=actor, organization=towns[a % len(towns)], new_parent=towns[b % len(towns)], date=date
        )
    elif operation == "move" and branches and towns:
        restructure.move_organization(
            actor=actor, organization=branches[a % len(branches)], new_parent=towns[b % len(towns)], date=date
        )


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(towns=trees, steps=operations)
def test_no_sequence_of_restructurings_loses_or_doubles_a_member(world, towns, steps):
    try:
        with transaction.atomic():
            build(world, towns)
            on_roll = Member.objects.filter(status__in=ON_ROLL, deleted_at__isnull=True).count()
            everyone = Member.objects.count()
            for index, (operation, a, b, count) in enumerate(steps):
                # A refused step changes nothing, which the checks below also show.
                with contextlib.suppress(DomainError):
                    run(world, operation, a, b, count, DAY + dt.timedelta(days=index))
                assert problems() == []
                assert Member.objects.filter(status__in=ON_ROLL, deleted_at__isnull=True).count() == on_roll
                assert Member.objects.count() == everyone
            raise Rollback
    except Rollback:
        pass
