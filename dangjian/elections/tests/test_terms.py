"""Terms and officers (领导班子与届次), the expiring list, and terms ending with restructurings."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.core.dates import add_months, add_years
from dangjian.core.errors import DomainError
from dangjian.elections import rules
from dangjian.elections.models import Officer, Position, Term
from dangjian.elections.services import appoint_officer, end_term, relieve_officer, start_term
from dangjian.members.models import Category
from dangjian.members.services import update_member
from dangjian.orgs import restructure
from dangjian.orgs.models import OrgKind, UnitCategory

D = dt.date


@pytest.mark.parametrize(
    ("kind", "unit", "years"),
    [
        (OrgKind.BRANCH, UnitCategory.VILLAGE, 5),
        (OrgKind.BRANCH, UnitCategory.COMMUNITY, 5),
        (OrgKind.GENERAL_BRANCH, UnitCategory.VILLAGE, 5),
        (OrgKind.COMMITTEE, UnitCategory.TOWNSHIP, 5),
        (OrgKind.BRANCH, UnitCategory.NON_PUBLIC_ENTERPRISE, 3),
        (OrgKind.GENERAL_BRANCH, UnitCategory.SCHOOL, 3),
        (OrgKind.JOINT_BRANCH, UnitCategory.NON_PUBLIC_ENTERPRISE, 3),
    ],
)
def test_term_length_follows_the_branch_rules(kind, unit, years):
    assert rules.term_years(kind, unit) == years
    assert rules.expected_end(D(2023, 3, 1), kind, unit) == D(2023 + years, 3, 1)


@pytest.mark.parametrize(
    ("expected", "ended", "state"),
    [
        (D(2027, 1, 1), None, rules.TermState.CURRENT),
        (D(2026, 5, 23), None, rules.TermState.EXPIRING),  # within six months of 2025-11-23
        (D(2025, 11, 22), None, rules.TermState.OVERDUE),
        (D(2025, 11, 22), D(2025, 11, 1), rules.TermState.ENDED),
    ],
)
def test_term_state(expected, ended, state):
    assert rules.term_state(expected, ended, D(2025, 11, 23), 6) == state


def test_a_new_term_ends_the_previous_and_its_officers(world):
    first = start_term(actor=world.town_admin, organization=world.village, start=D(2021, 3, 1))
    assert (first.number, first.expected_end) == (1, D(2026, 3, 1))
    officer = appoint_officer(
        actor=world.branch_admin, term=first, position=Position.SECRETARY, member=world.zhangsan, since=D(2021, 3, 1)
    )
    second = start_term(actor=world.town_admin, organization=world.village, start=D(2024, 3, 1))
    first.refresh_from_db()
    officer.refresh_from_db()
    assert (second.number, first.actual_end, officer.until) == (2, D(2024, 3, 1), D(2024, 3, 1))


def test_overlapping_terms_are_refused(world):
    first = start_term(actor=world.town_admin, organization=world.village, start=D(2021, 3, 1))
    end_term(actor=world.town_admin, term=first, date=D(2023, 1, 1))
    with pytest.raises(DomainError, match="重叠"):
        start_term(actor=world.town_admin, organization=world.village, start=D(2022, 6, 1))
    with pytest.raises(DomainError, match="晚于今天"):
        start_term(actor=world.town_admin, organization=world.village, start=D(2099, 1, 1))
    assert Term.objects.filter(organization=world.village).count() == 1


def test_officers_are_full_members_of_the_organization_and_one_secretary_at_a_time(world):
    term = start_term(actor=world.town_admin, organization=world.village, start=D(2024, 1, 1))
    with pytest.raises(DomainError, match=r"不是.*正式党员"):
        appoint_officer(
            actor=world.town_admin, term=term, position=Position.SECRETARY, member=world.wangfang, since=D(2024, 1, 1)
        )
    update_member(actor=world.town_admin, member=world.lisi, category=Category.PROBATIONARY, regularized_date=None)
    with pytest.raises(DomainError, match="正式党员"):
        appoint_officer(
            actor=world.town_admin, term=term, position=Position.ORGANIZATION, member=world.lisi, since=D(2024, 1, 1)
        )
    secretary = appoint_officer(
        actor=world.town_admin, term=term, position=Position.SECRETARY, member=world.zhangsan, since=D(2024, 1, 1)
    )
    with pytest.raises(DomainError, match="已有书记"):
        appoint_officer(
            actor=world.town_admin, term=term, position=Position.SECRETARY, member=world.zhangsan, since=D(2024, 2, 1)
        )
    relieve_officer(actor=world.town_admin, officer=secretary, until=D(2024, 6, 1))
    assert Officer.objects.get(pk=secretary.pk).until == D(2024, 6, 1)


def test_the_expiring_list_shows_due_and_overdue_terms_of_the_subtree_only(world):
    today = timezone.localdate()
    start_term(actor=world.county_admin, organization=world.village, start=add_years(today, -6))  # 5 years: overdue
    # A 3-year term that ends in two months: due soon.
    start_term(actor=world.county_admin, organization=world.enterprise, start=add_months(add_years(today, -3), 2))
    rows = world.client(world.county_admin).get("/elections/expiring/").context["rows"]
    assert {(term.organization.name, state.value) for term, state in rows} == {
        ("中共兴丰村支部委员会", "overdue"),
        ("中共三环颜料有限公司支部委员会", "expiring"),
    }
    town_rows = world.client(world.town_admin).get("/elections/expiring/").context["rows"]
    assert [term.organization.name for term, _ in town_rows] == ["中共兴丰村支部委员会"]


def test_a_merged_organization_ends_its_term(world):
    term = start_term(actor=world.town_admin, organization=world.village, start=D(2024, 1, 1))
    restructure.merge_organizations(
        actor=world.town_admin, sources=[world.village], target=world.community, date=D(2025, 1, 1)
    )
    term.refresh_from_db()
    assert term.actual_end == D(2025, 1, 1)


def test_the_terms_page_registers_a_term_and_an_appointment(world):
    client = world.client(world.branch_admin)
    client.post(f"/elections/terms/{world.village.pk}/", {"start": "2024-01-01"})
    term = Term.objects.get(organization=world.village)
    client.post(
        f"/elections/terms/{world.village.pk}/",
        {"member": world.zhangsan.pk, "position": "secretary", "since": "2024-01-02"},
    )
    assert term.officers.get().member == world.zhangsan
    page = world.client(world.town_admin).get(f"/orgs/{world.village.pk}/").content.decode()
    assert "书记：张三" in page
