"""The demo county is a living county: every procedure's pages show real rows to the demo logins
(county, pingtang, branch, member), in every state, and everything was made by the services, so
the registry's invariants hold. Every app keeps demo data of its own: a model no demo row reaches
fails here until its app adds its story (activity.py), or says here why it stays empty."""

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import built_for_the_module
from dangjian.core.models import User
from dangjian.development import reports
from dangjian.development.models import Applicant, FileStatus
from dangjian.development.rules import Stage
from dangjian.discipline.models import Ending, Sanction, SanctionKind
from dangjian.orgs.models import Restructuring
from dangjian.transfers import services as transfers
from dangjian.transfers import services_mobile
from dangjian.transfers.models import MobileMember, Transfer, TransferKind, TransferState

# Tables a demo leaves empty, and why.
EMPTY_BY_NATURE = {
    "core.PasswordHistory": "written when a password changes: the demo logins keep theirs",
    "core.ApiToken": "a person's own credential, created by its holder",
    "core.SecuritySettings": "the 安全管理员's settings: the policy's defaults until they are edited",
    "orgs.StructureThresholds": "the county's own thresholds: the rules' defaults until it edits them",
    "members.MemberImport": "the job of an uploaded workbook",
    "members.CorrectionRequest": "made by a member from their own login",
    "development.Document": "an uploaded scan of the file",
    "stats.Snapshot": "kept when a large subtree's statistics are first asked for: the demo county is small",
}


@pytest.fixture(scope="module")
def county(_world_keys: Any, django_db_blocker: Any) -> Iterator[dict[str, User]]:
    """The county of make run (as of today: the pages judge what is due as of today), built once
    for the module: the tests only read it."""

    def build() -> dict[str, User]:
        call_command("demo", "--members", "3000", "--seed", "1", stdout=StringIO())
        return {user.username: user for user in User.objects.all()}

    yield from built_for_the_module(django_db_blocker, build)


def page(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    answer = client.get(url, follow=True)
    assert answer.status_code == 200, url
    return answer.content.decode()


def test_every_inbox_of_the_transfers_has_letters_for_the_town_and_the_county(county):
    for login in ("county", "pingtang"):
        user = county[login]
        counts = transfers.inbox_counts(user)
        assert all(counts.values()), (login, counts)
        for box in transfers.BOXES:
            first = transfers.box(user, box).order_by("valid_until", "-id").first()
            assert first is not None
            assert first.member_name in page(user, f"/transfers/?box={box}"), (login, box)
    counts = transfers.inbox_counts(county["branch"])
    assert counts["approvals"] and counts["incoming"], counts
    everyone = set(Transfer.objects.values_list("state", flat=True))
    assert everyone == set(TransferState.values)
    assert set(Transfer.objects.values_list("kind", flat=True)) == set(TransferKind.values)
    assert Transfer.objects.exclude(voided_letters="").exists()  # a letter re-issued (补转)


def test_mobile_members_out_and_in_with_their_alerts(county):
    for login in ("county", "pingtang", "branch"):
        user = county[login]
        away = services_mobile.mobile_list(user, "out")
        assert away.count() >= 2, login
        longest_silent = away.order_by("last_contact_date", "pk").first()
        assert longest_silent is not None and longest_silent.member.name in page(user, "/transfers/mobile/")
    received = services_mobile.mobile_list(county["pingtang"], "in")
    first = received.first()
    assert first is not None and first.member.name in page(county["pingtang"], "/transfers/mobile/?side=in")
    today = timezone.localdate()
    alerts = {services_mobile.alert(record, today).value for record in MobileMember.objects.all()}
    assert {"suspend", "remove"} <= alerts
    assert MobileMember.objects.filter(returned_date__isnull=False).exists()


def test_development_files_stand_at_every_stage(county):
    for login, least in (("county", 5), ("pingtang", 5), ("branch", 5)):
        user = county[login]
        acting = user.role_assignments.get().organization
        stages = {row.stage: row.count for row in reports.pipeline(user, acting)}
        assert sum(1 for count in stages.values() if count) >= least, (login, stages)
        html = page(user, "/development/")
        for applicant in reports.files(user, acting)[:10]:
            assert applicant.name in html, (login, applicant.name)
        assert reports.due_items(user, acting, timezone.localdate()), login
    assert set(Stage) == {row.stage for row in reports.pipeline(county["county"], county["county"].home_organization)}
    statuses = set(Applicant.objects.values_list("status", flat=True))
    assert statuses >= {FileStatus.OPEN, FileStatus.PROBATION, FileStatus.ARCHIVED, FileStatus.CLOSED}
    assert Applicant.objects.filter(round__gt=0, status=FileStatus.PROBATION).exists()  # a probation extended
    assert Applicant.objects.filter(steps__refused=True).exists()  # a pre-review not agreed


def test_sanctions_of_every_kind_and_the_member_s_own_record(county):
    assert set(Sanction.objects.values_list("kind", flat=True)) == set(SanctionKind.values)
    assert Sanction.objects.filter(kind=SanctionKind.PROBATION, ended_on__isnull=True).exists()
    assert Sanction.objects.filter(ending=Ending.RESTORED).exists()
    assert Sanction.objects.filter(extension_months__gt=0).exists()
    branch = county["branch"].role_assignments.get().organization
    ours = Sanction.objects.get(member__organization=branch)
    assert ours.member_name in page(county["branch"], "/discipline/")
    assert ours.member_name in page(county["pingtang"], "/discipline/")
    # The 党员 login is the member the demo branch developed: their record tells how they joined.
    own = page(county["member"], "/members/")
    assert "第25步 材料归档" in own
    assert "第1步 递交入党申请书" in own
    assert Restructuring.objects.exists()


def test_the_past_was_made_by_the_services_so_the_registry_holds_together(county):
    out = StringIO()
    call_command("check_integrity", stdout=out)
    assert "数据完整" in out.getvalue()
    empty = []
    for app in apps.get_app_configs():
        if not app.name.startswith("dangjian."):
            continue
        for model in app.get_models():
            label = model._meta.label
            if model.__name__.startswith("Historical") or label in EMPTY_BY_NATURE:
                continue
            if not model._default_manager.exists():
                empty.append(label)
    assert empty == [], "each app adds its demo data (dangjian/demo/activity.py): " + ", ".join(empty)


def test_the_clock_of_the_replay_is_back_after_it(county):
    assert abs(timezone.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_the_statistics_agree_with_an_independent_count_and_pass_every_check(county):
    from dangjian.orgs.models import Organization
    from dangjian.stats import checks, definition, engine
    from dangjian.stats.models import Submission, SubmissionState
    from dangjian.stats.tests import reference

    root = Organization.objects.get(depth=1)
    town = Organization.objects.get(name="中共坪塘镇委员会")
    last_year_end = dt.date(timezone.localdate().year - 1, 12, 31)
    for organization, day in ((root, last_year_end), (town, timezone.localdate())):
        report = engine.compute(organization, day)
        expected = reference.figures(definition.form_for(day.year), organization.path, day)
        assert {k: report.value(k) for k in expected} == expected, (organization.name, day)
        assert checks.failed(checks.run(report)) == [], (organization.name, day)
    assert report.value("2:total:total") > 1000 and report.value("14:total:total") > 0
    states = dict(Submission.objects.filter(year=last_year_end.year).values_list("organization__name", "state"))
    assert states == {"中共坪塘镇委员会": SubmissionState.SUBMITTED, "中共古山镇委员会": SubmissionState.RETURNED}
