"""The demo county's names read like a real county's: no 清河县县委…, every organization named
once, a village's branches numbered 第一、第二… under its 党总支 (a village of one branch has no
number), and a woman's given name never a man's (nor the other way round). Checked on the plan for
several sizes (no database), and on a county written to the database."""

import datetime as dt
import random
import re
from collections import Counter, defaultdict

import pytest

from dangjian.demo import names
from dangjian.demo.county import plan_county
from dangjian.demo.people import PersonFactory
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, OrgKind

SIZES = (1500, 6000, 100_000)
NUMBERED = re.compile(r"^(中共.+村)第(.+)支部委员会$")


@pytest.mark.parametrize("members", SIZES)
def test_no_county_office_is_named_county_county(members):
    plan = plan_county(members, random.Random(1))
    assert [spec.name for spec in plan.orgs if "县县" in spec.name] == []
    assert "中共清河县委办公室支部委员会" in {spec.name for spec in plan.orgs}


@pytest.mark.parametrize("members", SIZES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_organization_has_a_name_of_its_own(members, seed):
    plan = plan_county(members, random.Random(seed))
    twice = [name for name, count in Counter(spec.name for spec in plan.orgs).items() if count > 1]
    assert twice == []


@pytest.mark.parametrize("members", SIZES)
def test_a_village_numbers_its_branches_one_two_three_under_its_general_branch(members):
    plan = plan_county(members, random.Random(1))
    numbered: dict[str, list[str]] = defaultdict(list)
    for spec in plan.orgs:
        assert not re.search(r"第\d", spec.name), spec.name  # 第一支部, never 第6支部
        if found := NUMBERED.match(spec.name):
            village, number = found.groups()
            parent = plan.orgs[spec.parent] if spec.parent is not None else None
            # under the village's 党总支 (or its 党委, where 古山镇 upgraded two villages)
            assert parent is not None and parent.kind in (OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE), spec.name
            assert parent.name in (f"{village}总支部委员会", f"{village}委员会"), spec.name
            numbered[village].append(number)
    assert numbered
    for village, numbers in numbered.items():
        assert numbers == [names.ordinal(n) for n in range(1, len(numbers) + 1)], village
        assert len(numbers) >= 2, village  # a village of one branch: 中共…村支部委员会, no number


def test_the_two_lists_of_given_name_characters_share_none():
    assert set(names.MALE_GIVEN) & set(names.FEMALE_GIVEN) == set()


def test_given_names_are_drawn_from_the_gender_s_own_list():
    factory = PersonFactory(random.Random(5), dt.date(2026, 1, 15))
    surnames = sorted((*names.SURNAMES, *names.COMPOUND_SURNAMES), key=len, reverse=True)
    for _ in range(20_000):
        female = factory.rng.random() < 0.5
        name = factory.name(female)
        surname = next(s for s in surnames if name.startswith(s))
        given = name.removeprefix(surname)
        assert 1 <= len(given) <= 2
        assert set(given) <= set(names.FEMALE_GIVEN if female else names.MALE_GIVEN), (name, female)


def test_the_written_county_keeps_its_names_and_each_member_s_name_fits_the_gender(db):
    from dangjian.demo.generator import build_county

    build_county(members=1500, seed=4, today=dt.date(2026, 1, 15), progress=lambda _: None)
    organizations = list(Organization.objects.values_list("name", flat=True))
    assert len(organizations) == len(set(organizations))
    for name, gender in Member.objects.values_list("name", "gender"):
        given = name[2:] if name[:2] in names.COMPOUND_SURNAMES else name[1:]
        assert set(given) <= set(names.FEMALE_GIVEN if gender == "2" else names.MALE_GIVEN), name
