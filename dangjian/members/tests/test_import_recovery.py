"""Import jobs whose process died (killed, out of memory) and the uploads on disk: the job is
failed with a message saying nothing was imported, its files go, and a job another live process
runs is left alone; uploads and reports are readable by the server's user only."""

import datetime as dt
import io
import os
import stat

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from dangjian.core import audit
from dangjian.core.models import AuditEvent, Event
from dangjian.members import imports, tasks
from dangjian.members.management.commands import worker
from dangjian.members.models import ImportStatus, Member, MemberImport
from dangjian.members.tests.test_import import line, person
from dangjian.members.tests.test_import_jobs import BAD_NUMBER, _queued, job_of, upload

LONG_AGO = tasks.STALE_AFTER + dt.timedelta(minutes=1)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _running(user, *, silent_for: dt.timedelta, report: bool = False) -> MemberImport:
    """A job as a process left it that was killed while checking the rows."""
    job = _queued(user, line(), person(1))
    job.status = ImportStatus.RUNNING
    job.heartbeat_at = timezone.now() - silent_for
    job.processed_rows = 1
    if report:  # a marked copy cut short while it was being written
        job.report.save("member-import-report.xlsx", ContentFile(b"PK\x03\x04half"), save=False)
    job.save()
    return job


def _mode(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# Recovery


def test_a_job_whose_process_died_is_failed_and_its_files_deleted(world):
    job = _running(world.branch_admin, silent_for=LONG_AGO, report=True)
    upload_path, report_path = job.file.path, job.report.path
    assert os.path.exists(upload_path) and os.path.exists(report_path)
    assert tasks.recover_interrupted() == 1
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportStatus.FAILED, tasks.INTERRUPTED)
    assert tasks.INTERRUPTED == "导入过程中断（后台任务异常退出），未导入任何数据，请重新上传"
    assert job.finished_at is not None
    assert not os.path.exists(upload_path)  # ID numbers in clear
    assert not os.path.exists(report_path)
    assert not job.file and not job.report
    assert tasks.recover_interrupted() == 0  # failed once


def test_a_job_running_in_a_live_process_is_left_alone(world):
    job = _running(world.branch_admin, silent_for=tasks.STALE_AFTER - dt.timedelta(minutes=1))
    assert tasks.recover_interrupted() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING
    assert os.path.exists(job.file.path)


def test_an_interrupted_job_whose_import_was_recorded_says_data_may_be_in(world):
    """Killed after the import's transaction committed, before the job noted it: the import's
    event in the security trail (written inside that transaction) is the sign."""
    job = _running(world.branch_admin, silent_for=LONG_AGO)
    audit.record(Event.IMPORT, actor=world.branch_admin, details={"what": "党员信息导入", "rows": 2})
    last_beat = timezone.now() - LONG_AGO
    MemberImport.objects.filter(pk=job.pk).update(
        heartbeat_at=last_beat, created_at=last_beat - dt.timedelta(minutes=3)
    )
    AuditEvent.objects.filter(event=Event.IMPORT).update(at=last_beat + dt.timedelta(seconds=5))  # just committed
    tasks.recover_interrupted()
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportStatus.FAILED, tasks.INTERRUPTED_AFTER_COMMIT)


def test_a_queued_job_is_failed_only_when_no_task_is_left_to_run_it(world, database_tasks):
    waiting = _queued(world.branch_admin, line())
    tasks.run_member_import.enqueue(waiting.pk)  # the worker is stopped: it waits
    lost = _queued(world.branch_admin, line())  # its task was taken by a worker that died
    result = tasks.run_member_import.enqueue(lost.pk)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING")
    MemberImport.objects.update(created_at=timezone.now() - LONG_AGO)
    lost_path = lost.file.path
    assert tasks.recover_interrupted() == 1
    waiting.refresh_from_db()
    lost.refresh_from_db()
    assert (waiting.status, lost.status, lost.message) == (ImportStatus.QUEUED, ImportStatus.FAILED, tasks.INTERRUPTED)
    assert os.path.exists(waiting.file.path) and not os.path.exists(lost_path)
    assert not lost.file


def test_a_restarted_worker_fails_the_dead_job_and_runs_the_waiting_one(world, database_tasks, monkeypatch):
    monkeypatch.setattr(db_worker.Worker, "configure_signals", lambda self: None)  # pytest keeps its own
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # it would close the test's transaction
    sweeps = []
    monkeypatch.setattr(worker, "_sweep_forever", lambda: sweeps.append("started"))
    dead = _running(world.branch_admin, silent_for=LONG_AGO)
    waiting = _queued(world.branch_admin, person(7))
    tasks.run_member_import.enqueue(waiting.pk)
    call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0, stdout=io.StringIO())
    dead.refresh_from_db()
    waiting.refresh_from_db()
    assert (dead.status, dead.message) == (ImportStatus.FAILED, tasks.INTERRUPTED)
    assert (waiting.status, waiting.created_count) == (ImportStatus.DONE, 1)
    assert sweeps == ["started"]  # and it keeps looking while it runs


def test_the_page_of_a_dead_job_shows_it_interrupted(world):
    job = _running(world.branch_admin, silent_for=LONG_AGO)
    client = world.client(world.branch_admin)
    polled = client.get(reverse("members:import_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert (polled.status_code, polled["HX-Refresh"]) == (204, "true")  # the page reloads to the result
    page = client.get(reverse("members:import_detail", args=[job.pk])).content.decode()
    assert tasks.INTERRUPTED in page
    assert "hx-get" not in page
    assert not MemberImport.objects.get(pk=job.pk).file


def test_a_job_recovery_failed_by_mistake_still_records_what_happened(world, monkeypatch):
    """A live job that paused longer than the limit: its own outcome wins over the recovery's."""
    monkeypatch.setattr(tasks, "STALE_AFTER", dt.timedelta(0))
    original = tasks._progress

    def progress(job_id, report):
        original(job_id, report)
        MemberImport.objects.filter(pk=job_id).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=1))
        assert tasks.recover_interrupted() == 1

    monkeypatch.setattr(tasks, "_progress", progress)
    job = _queued(world.branch_admin, person(1))
    tasks.run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.message) == (ImportStatus.DONE, 1, "")
    assert Member.objects.filter(name="测试1").exists()


def test_a_job_that_cannot_be_queued_fails_and_its_upload_goes(world, database_tasks, monkeypatch, settings):
    monkeypatch.setattr(imports, "INLINE_BYTES", 0)

    def broken(*args, **kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr(DatabaseBackend, "enqueue", broken)
    response = upload(world.client(world.branch_admin), line())
    job = job_of(world.branch_admin)
    assert response.status_code == 302
    assert (job.status, job.message) == (ImportStatus.FAILED, tasks.UNEXPECTED)
    assert not job.file
    assert not [name for _, _, names in os.walk(settings.MEDIA_ROOT) for name in names]


def test_a_job_that_fails_outside_the_import_still_ends_and_its_upload_goes(world, monkeypatch):
    """Loading the job or saving its outcome failed (a database error): not left running."""

    def broken(user):
        raise RuntimeError("database away")

    monkeypatch.setattr(tasks.scope, "forget_acting", broken)
    job = _queued(world.branch_admin, line())
    path = job.file.path
    tasks.run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportStatus.FAILED, tasks.UNEXPECTED)
    assert not job.file and not os.path.exists(path)


# Files on disk


@pytest.mark.parametrize("in_memory", [True, False])
def test_an_upload_is_readable_by_the_server_only(world, database_tasks, monkeypatch, settings, in_memory):
    monkeypatch.setattr(imports, "INLINE_BYTES", 0)  # queued: the upload stays until the worker runs
    if not in_memory:
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django writes it to a temporary file first
    upload(world.client(world.branch_admin), line())
    job = job_of(world.branch_admin)
    assert job.status == ImportStatus.QUEUED
    assert _mode(job.file.path) == 0o600
    assert _mode(os.path.dirname(job.file.path)) == 0o700
    assert _mode(os.path.join(settings.MEDIA_ROOT, "imports")) == 0o700


def test_the_marked_workbook_is_readable_by_the_server_only(world):
    upload(world.client(world.branch_admin), line(id_number=BAD_NUMBER))
    job = job_of(world.branch_admin)
    assert job.report
    assert _mode(job.report.path) == 0o600
