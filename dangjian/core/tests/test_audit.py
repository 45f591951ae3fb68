"""The security trail: what is recorded, and that tampering with it is found."""

import datetime as dt
import io
import logging
import stat
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
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


@pytest.fixture(autouse=True)
def checkpoints(db, settings, tmp_path):
    """A checkpoint file of the test's own, holding the chain's end as the test begins (events of
    the test's transaction never commit, so they write no checkpoint unless the test runs the
    commit callbacks)."""
    path = tmp_path / "audit-checkpoints.log"
    settings.AUDIT_CHECKPOINT_FILE = str(path)
    if (last := audit.last_checkpoint()) is not None:
        audit.append_checkpoint(path, last[1])
    return path


@pytest.fixture
def trail(checkpoints, django_capture_on_commit_callbacks):
    AuditEvent.objects.all().delete()  # a chain of its own (the test's transaction restores the rest)
    AuditHead.objects.all().delete()
    checkpoints.unlink(missing_ok=True)
    with django_capture_on_commit_callbacks(execute=True):
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


# --- the checkpoints outside the database --------------------------------------------------------


def cut_tail(trail, keep):
    """As an intruder with database access would: delete the events after ``keep``, and rewind
    the head to the new last event (number and hash both readable there)."""
    AuditEvent.objects.filter(seq__gt=keep).delete()
    AuditHead.objects.update(seq=keep, hash=trail[keep - 1].hash)


def test_each_committed_event_leaves_a_signed_checkpoint_in_a_private_file(trail, checkpoints):
    lines = checkpoints.read_text().splitlines()
    assert [audit.read_checkpoint(line) for line in lines] == [(event.seq, event.hash) for event in trail]
    assert stat.S_IMODE(checkpoints.stat().st_mode) == 0o600
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "外部校验点文件" in out.getvalue()
    assert "相符" in out.getvalue()


def test_a_rolled_back_event_leaves_no_checkpoint(trail, checkpoints, django_capture_on_commit_callbacks):
    @transaction.atomic
    def refused() -> None:
        audit.record(Event.LOGIN_FAILED, actor_name="rolled-back")
        raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        refused()
    assert len(checkpoints.read_text().splitlines()) == 6
    assert audit.verify() == (6, None)


def test_a_cut_tail_with_the_head_rewound_is_found(trail):
    cut_tail(trail, 4)
    assert audit.verify() == (4, audit.Break(5, "链尾缺失：外部校验点记录到第6号事件，数据库中只有4个事件"))
    with pytest.raises(CommandError, match="第5号事件处断开：链尾缺失"):
        call_command("verify_audit", stdout=StringIO())


def test_a_trail_deleted_whole_is_found(trail):
    AuditEvent.objects.all().delete()
    AuditHead.objects.all().delete()
    assert audit.verify() == (0, audit.Break(1, "链尾缺失：外部校验点记录到第6号事件，数据库中只有0个事件"))


def test_a_cut_tail_written_anew_is_found(trail):
    """The cut tail grown back past its old end with events anyone can cause (failed logins):
    the chain verifies and its last checkpoint is covered, but the old checkpoints are not."""
    cut_tail(trail, 4)
    for _ in range(3):
        audit.record(Event.LOGIN_FAILED, actor_name="outsider")
    broken = first_break()
    assert broken.seq == 5
    assert broken.problem.startswith("与外部校验点不符")


def test_a_forged_or_edited_checkpoint_is_reported_and_not_believed(trail, checkpoints, settings):
    key = settings.AUDIT_KEY
    settings.AUDIT_KEY = "a key that is not the server's"
    forged = audit.checkpoint_line(100, "0" * 64)  # would claim a cut tail
    settings.AUDIT_KEY = key
    edited = checkpoints.read_text().splitlines()[2].replace('"audit_checkpoint":3,', '"audit_checkpoint":30,')
    with checkpoints.open("a") as file:
        file.write(f"{forged}\n{edited}\n")
    assert audit.verify() == (
        6,
        audit.Break(7, "外部校验点文件第7行等2行签名不符，已不予采信：该文件被伪造或改动过", anchor=True),
    )
    assert first_break().message == first_break().problem  # the file's problem, not an event's


def test_a_missing_checkpoint_file_is_reported_unless_the_trail_is_new(trail, checkpoints):
    checkpoints.unlink()
    broken = first_break()
    assert broken.anchor
    assert broken.problem.startswith("外部校验点文件不存在")
    checkpoints.write_text("")
    assert first_break().problem.startswith("外部校验点文件中没有校验点")
    checkpoints.unlink()
    AuditEvent.objects.all().delete()
    AuditHead.objects.all().delete()
    assert audit.verify() == (0, None)  # a new installation: nothing to vouch for yet


def test_an_unwritable_checkpoint_file_fails_no_request_and_shows_when_it_lags(
    trail, checkpoints, settings, tmp_path, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "no such folder" / "audit-checkpoints.log")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/login/", {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(seq=7, event=Event.LOGIN_FAILED).exists()
    assert "checkpoint of event #7 not written" in caplog.text
    settings.AUDIT_CHECKPOINT_FILE = str(checkpoints)
    assert audit.verify() == (7, None)  # the checkpoint may still be on its way
    monkeypatch.setattr(audit, "CHECKPOINT_LAG", dt.timedelta(0))
    broken = first_break()
    assert (broken.seq, broken.anchor) == (7, True)
    assert broken.problem.startswith("外部校验点只记录到第6号事件，其后1个事件的校验点没有写入文件")


def test_the_log_carries_the_checkpoints_and_a_copy_of_it_verifies(
    trail, tmp_path, caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level(logging.INFO, logger="dangjian.audit.checkpoint"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        audit.record(Event.LOGIN_FAILED, actor_name="logged")
    [line] = [record.getMessage() for record in caplog.records if record.name == "dangjian.audit.checkpoint"]
    copy = tmp_path / "syslog"
    copy.write_text(f"Mar  1 08:00:00 web1 dangjian[812]: {line}\nMar  1 08:00:01 web1 sshd[90]: other news\n")
    assert audit.verify(copy) == (7, None)
    cut_tail([*trail, AuditEvent.objects.get(seq=7)], 6)
    with pytest.raises(CommandError, match="外部校验点记录到第7号事件"):
        call_command("verify_audit", "--checkpoints", str(copy), stdout=StringIO())


def test_a_new_checkpoint_file_is_started_by_the_command_which_covers_no_cut_tail(trail, checkpoints, tmp_path):
    rotated = checkpoints.rename(tmp_path / "audit-checkpoints.log.1")
    assert first_break().anchor
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert "第6号事件的校验点" in out.getvalue()
    assert audit.verify() == (6, None)
    assert audit.verify(rotated) == (6, None)
    cut_tail(trail, 5)
    with pytest.raises(CommandError, match="链尾缺失"):
        call_command("audit_checkpoint", stdout=StringIO())


def test_the_export_the_auditor_keeps_carries_a_checkpoint_that_later_finds_a_cut_tail(world, trail, tmp_path):
    from openpyxl import load_workbook

    response = world.client(world.audit_admin).get("/audit/export/")
    sheet = load_workbook(io.BytesIO(response.content))["校验点"]
    kept = tmp_path / "kept.txt"
    kept.write_text(sheet["B2"].value + "\n")
    assert audit.verify(kept)[1] is None
    cut_tail(list(AuditEvent.objects.order_by("seq")), 4)
    assert "链尾缺失" in first_break_of(kept).problem


def first_break_of(path):
    _, broken = audit.verify(path)
    assert broken is not None
    return broken
