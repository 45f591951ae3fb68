"""The security trail: what is recorded, and that tampering with it is found."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import load_workbook

from dangjian.core import audit
from dangjian.core.models import AuditEvent, AuditHead, Event, Role
from dangjian.core.services import grant_role, update_security_settings


def first_break() -> audit.Break:
    checked, broken = audit.verify()
    assert broken is not None, f"the chain verified ({checked} events) though it was tampered with"
    return broken


def events(kind):
    return AuditEvent.objects.filter(event=kind)


@pytest.fixture
def trail(db):
    AuditEvent.objects.all().delete()  # a chain of its own (the test's transaction restores the rest)
    AuditHead.objects.all().delete()
    for number in range(6):
        audit.record(Event.LOGIN_FAILED, actor_name=f"user{number}", details={"n": number})
    return list(AuditEvent.objects.order_by("seq"))


def test_an_intact_chain_verifies(trail):
    assert audit.verify() == (6, None)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "已校验6个事件" in out.getvalue()


def test_an_edited_event_is_found(trail):
    AuditEvent.objects.filter(seq=3).update(actor_name="someone-else")
    assert audit.verify()[0] == 2
    broken = first_break()
    assert broken.seq == 3
    assert "被修改" in broken.problem
    with pytest.raises(CommandError, match="第3号"):
        call_command("verify_audit", stdout=StringIO())


def test_an_edited_detail_is_found(trail):
    AuditEvent.objects.filter(seq=2).update(details={"n": 99})
    assert first_break().seq == 2


def test_a_deleted_event_is_found(trail):
    AuditEvent.objects.filter(seq=4).delete()
    broken = first_break()
    assert broken.seq == 4
    assert "缺失" in broken.problem


def test_a_deleted_and_renumbered_event_is_found(trail):
    """Someone deletes #4 and shifts the later ones down to hide the gap."""
    AuditEvent.objects.filter(seq=4).delete()
    for seq in (5, 6):
        AuditEvent.objects.filter(seq=seq).update(seq=seq - 1)
    broken = first_break()
    assert broken.seq == 4
    assert "不衔接" in broken.problem


def test_reordered_events_are_found(trail):
    AuditEvent.objects.filter(seq=2).update(seq=100)
    AuditEvent.objects.filter(seq=3).update(seq=2)
    AuditEvent.objects.filter(seq=100).update(seq=3)
    assert first_break().seq == 2


def test_a_cut_tail_is_found(trail):
    AuditEvent.objects.filter(seq=6).delete()
    broken = first_break()
    assert broken.seq == 6
    assert "链尾" in broken.problem
    assert AuditHead.objects.get().seq == 6


def test_a_forged_event_without_the_key_is_found(trail, settings):
    settings.AUDIT_KEY = "a key that is not the server's"
    audit.record(Event.LOGIN_FAILED, actor_name="forger")
    settings.AUDIT_KEY = "dev-only-audit-key"
    assert first_break().seq == 7


def test_logins_failures_and_logouts_are_recorded(world, client):
    assert client.post("/login/", {"username": "town_admin", "password": "wrong"}).status_code == 200
    failed = events(Event.LOGIN_FAILED).get()
    assert (failed.actor_name, failed.ip) == ("town_admin", "127.0.0.1")
    client.post("/login/", {"username": "town_admin", "password": "Pw-for-tests-1"})
    login = events(Event.LOGIN).get()
    assert login.actor == world.town_admin
    assert login.org_path == world.town.path
    client.post("/logout/")
    assert events(Event.LOGOUT).filter(actor=world.town_admin).exists()
    assert audit.verify()[1] is None


def test_refusals_and_reaching_outside_are_recorded_even_when_the_request_rolls_back(world):
    client = world.client(world.branch_admin)
    assert client.get(f"/members/{world.wangfang.pk}/").status_code == 404
    reach = events(Event.OUT_OF_SCOPE).get()
    assert (reach.actor, reach.target_repr) == (world.branch_admin, "王芳")
    assert client.post(f"/orgs/{world.village.pk}/edit/", {"name": "x"}).status_code == 403
    denied = events(Event.PERMISSION_DENIED).get()
    assert denied.details["path"] == f"/orgs/{world.village.pk}/edit/"
    api = world.client(world.member_user).patch(
        f"/api/v1/members/{world.zhangsan.pk}/", {"name": "改"}, content_type="application/json"
    )
    assert api.status_code == 403
    assert events(Event.PERMISSION_DENIED).filter(actor=world.member_user).exists()


def test_role_and_setting_changes_are_recorded_with_old_and_new(world):
    grant_role(actor=world.town_admin, user=world.no_role, role=Role.BRANCH_ADMIN, organization=world.community)
    granted = events(Event.ROLE_GRANTED).get(actor=world.town_admin)
    assert granted.details == {"role": "支部书记/组织委员", "organization": "中共新街社区支部委员会"}
    update_security_settings(actor=world.security_admin, failure_limit=4)
    changed = events(Event.SETTING_CHANGED).get()
    assert changed.details == {"failure_limit": {"old": 5, "new": 4}}


def test_the_audit_page_searches_and_exports_and_the_export_is_recorded(world):
    world.client(world.branch_admin).get(f"/members/{world.wangfang.pk}/")  # one out-of-scope event
    client = world.client(world.audit_admin)
    everything = client.get("/audit/").context["page"]
    assert everything.paginator.count == AuditEvent.objects.count() > 0
    page = client.get("/audit/", {"event": Event.OUT_OF_SCOPE})
    assert [e.event for e in page.context["page"].object_list] == [Event.OUT_OF_SCOPE]
    export = client.get("/audit/export/", {"event": Event.OUT_OF_SCOPE})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "时间", "事件")
    assert [row[2] for row in rows[1:]] == ["访问范围外数据"]
    recorded = events(Event.EXPORT).get()
    assert recorded.details == {"what": "安全审计", "filters": {"event": "out_of_scope"}, "rows": 1}


def test_the_audit_page_verifies_the_chain(world):
    client = world.client(world.audit_admin)
    ok = client.post("/audit/verify/", follow=True)
    assert "审计链完整" in ok.content.decode()
    first = AuditEvent.objects.order_by("seq")[0]
    with connection.cursor() as cursor:  # as an intruder with database access would
        cursor.execute("UPDATE core_auditevent SET ip = '10.0.0.9' WHERE seq = %s", [first.seq])
    broken = client.post("/audit/verify/", follow=True)
    assert f"第{first.seq}号事件" in broken.content.decode()
