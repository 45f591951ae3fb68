"""The demo county: deterministic, shaped like the source reports, valid data, idempotent."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from dangjian.approvals.models import ApprovalStep
from dangjian.core.dates import add_years
from dangjian.core.idnumber import parse_id_number
from dangjian.core.models import Role, User
from dangjian.core.services import grant_role
from dangjian.demo.generator import build_county
from dangjian.development.models import Applicant, StepRecord
from dangjian.discipline.models import Sanction
from dangjian.elections import rules
from dangjian.elections.models import Officer, Term
from dangjian.elections.structure import structure_report
from dangjian.members.integrity import problems
from dangjian.members.models import Category, Member, MembershipPeriod, PartyGroup, Status
from dangjian.orgs.models import CoManagement, CoveredUnit, Organization, UnitCategory
from dangjian.transfers.models import MobileMember, Transfer

AS_OF = dt.date(2026, 1, 15)


def snapshot():
    return list(Member.objects.order_by("id_hash").values_list("name", "id_number", "org_path", "joined_date"))


def past():
    """What the county did (activity.py), with its days and the times the services stamped."""
    return {
        "transfers": list(
            Transfer.objects.order_by("id").values_list(
                "member__id_hash", "state", "kind", "letter_number", "issued_date", "accepted_date", "requested_at"
            )
        ),
        "files": list(Applicant.objects.order_by("id").values_list("id_hash", "name", "step", "status", "round")),
        "steps": list(StepRecord.objects.order_by("id").values_list("applicant__id_hash", "step", "date", "warnings")),
        "sanctions": list(
            Sanction.objects.order_by("id").values_list("member__id_hash", "kind", "decided_on", "effect_until")
        ),
        "mobile": list(
            MobileMember.objects.order_by("id").values_list(
                "member__id_hash", "left_date", "last_contact_date", "certificate_number", "inflow_org__name"
            )
        ),
        "log": list(ApprovalStep.objects.order_by("id").values_list("workflow", "step", "decision", "at")),
    }


def test_the_same_seed_builds_the_same_county_and_the_same_past():
    arguments = ("demo", "--members", "1200", "--as-of", "2026-01-15", "--reset")
    call_command(*arguments, "--seed", "7", stdout=StringIO())
    first, first_past = snapshot(), past()
    assert all(first_past.values())
    call_command(*arguments, "--seed", "7", stdout=StringIO())
    assert snapshot() == first
    assert past() == first_past
    call_command(*arguments, "--seed", "8", stdout=StringIO())
    assert snapshot() != first
    assert past()["files"] != first_past["files"]


def test_the_county_follows_the_reports_and_its_data_is_valid():
    build_county(members=6000, seed=1, today=AS_OF, progress=lambda _: None)
    assert Member.objects.count() == 6000 == MembershipPeriod.objects.filter(end__isnull=True).count()
    pingtang = Organization.objects.get(name="中共坪塘镇委员会")
    assert Member.objects.filter(org_path__startswith=pingtang.path).count() == 1953
    live = Organization.objects.get_children(pingtang).filter(abolished_date__isnull=True)
    assert live.count() == 36  # 36 党(总)支部
    assert live.filter(kind="general_branch", unit_category="village").count() == 15
    assert live.filter(unit_category="community").count() == 5
    assert Organization.objects.get_children(pingtang).filter(abolished_date=dt.date(2005, 9, 30)).count() == 12
    assert Organization.objects.filter(name="中共古山镇商会委员会").exists()
    for member in Member.objects.order_by("?")[:300]:
        parsed = parse_id_number(member.id_number, today=AS_OF)
        assert parsed.birth_date == member.birth_date
        assert (member.gender == "1") == parsed.is_male
        assert member.joined_date >= add_years(member.birth_date, 18)
        assert member.organization.holds_members
        assert member.org_path == member.organization.path
    share = dict(Member.objects.values_list("category").annotate(n=Count("id")))
    assert 0.01 < share[Category.PROBATIONARY] / 6000 < 0.05
    women = Member.objects.filter(gender="2").count() / 6000
    assert 0.2 < women < 0.4


def test_make_run_loads_once_and_prints_working_logins(client):
    out = StringIO()
    call_command("demo", "--members", "3000", "--seed", "1", "--if-empty", stdout=out)
    built = Member.objects.count()  # 3,000 and those the county's past brought in (admitted, received)
    call_command("demo", "--members", "3000", "--seed", "1", "--if-empty", stdout=out)
    assert "演示数据已存在" in out.getvalue()
    assert Member.objects.count() == built
    landing = {
        "county": "/",
        "pingtang": "/",
        "gushan": "/",
        "branch": "/",
        "member": "/",
        "sysadmin": "/users/",
        "secadmin": "/security/",
        "auditor": "/audit/",
    }
    for username, page in landing.items():
        assert username in out.getvalue()
        login = client.post("/login/", {"username": username, "password": "dangjian-demo"})
        assert login.status_code == 302, username
        home = client.get("/", follow=True)
        assert home.status_code == 200
        assert home.redirect_chain[-1][0] == page if home.redirect_chain else page == "/"
        client.post("/logout/")
    with pytest.raises(CommandError, match="已有党组织"):
        call_command("demo", "--members", "10", stdout=StringIO())


def test_the_county_has_its_committees_groups_and_co_management_and_they_obey_the_rules():
    today = timezone.localdate()  # the structure report judges terms as of today
    build_county(members=6000, seed=1, today=today, progress=lambda _: None)
    live = Organization.objects.filter(abolished_date__isnull=True)
    assert Term.objects.filter(actual_end__isnull=True).count() == live.count()
    for officer in Officer.objects.select_related("term__organization", "member__organization"):
        organization, member = officer.term.organization, officer.member
        assert member.org_path.startswith(organization.path)
        assert organization.kind_enum.is_branch_level is False or member.organization == organization
        category, status = Category(member.category), Status(member.status)
        assert rules.officer_problem(member.name, organization.name, category, status) is None
        assert member.regularized_date is not None
        assert member.regularized_date <= officer.since == officer.term.start
        assert officer.term.expected_end == rules.expected_end(
            officer.term.start, organization.kind_enum, UnitCategory(organization.unit_category)
        )
    for group in PartyGroup.objects.select_related("leader"):
        assert group.members.exists()
        assert group.leader is None or group.leader.party_group_id == group.pk
    assert problems() == []
    joint = CoveredUnit.objects.values("organization").annotate(n=Count("id"))
    assert {row["n"] for row in joint} <= set(range(3, 7))
    gushan = Organization.objects.get(name="中共古山镇委员会")
    assert set(CoManagement.objects.filter(co_manager=gushan).values_list("organization__name", flat=True)) == {
        "中共清河县城东小学支部委员会",
        "中共清河县城西小学支部委员会",
    }
    # A county as it is, not spotless: a few overdue terms and findings, most organizations clean.
    states = Counter(rules.term_state(term.expected_end, term.actual_end, today, 6) for term in Term.objects.all())
    assert 0 < states[rules.TermState.OVERDUE] < 0.15 * live.count()
    assert states[rules.TermState.EXPIRING] > 0
    county = User.objects.create_user(username="county_zzb", home_organization=Organization.objects.get(depth=1))
    grant_role(actor=None, user=county, role=Role.ORG_ADMIN, organization=Organization.objects.get(depth=1))
    flagged = structure_report(county, Organization.objects.get(depth=1))
    assert 0 < len(flagged) < 0.2 * live.count()


def test_a_small_demo_county_leaves_out_the_stories_it_has_no_people_for():
    out = StringIO()
    call_command("demo", "--members", "60", "--seed", "1", stdout=out)
    assert "演示县已生成" in out.getvalue()
    assert "member" in out.getvalue()
