"""Background work of the member registry (django-tasks; DESIGN.md: background work).

An import job (``MemberImport``) runs once: small uploads right in the request, larger ones in the
task worker (``manage.py worker``, django-tasks-db's ``db_worker`` with the recovery below) while
the page shows its progress. Whatever the outcome, the uploaded workbook is deleted at the end (it
holds ID numbers in clear); a workbook with the bad cells marked is kept for its author to
download when there were problems.

A process can die in the middle of a job (killed, out of memory) and never record the outcome.
While a job runs, its process touches ``heartbeat_at`` (at every chunk, and from a thread every
``HEARTBEAT``); ``recover_interrupted`` fails a job whose heartbeat is older than ``STALE_AFTER``
and deletes its files. The worker runs it when it starts and every ``SWEEP`` after; the job's
pages run it for the job they show. A job running in another live process keeps its heartbeat
fresh and is left alone, whichever process looks.
"""

import datetime as dt
import logging
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import DatabaseError, connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task

from dangjian.core import scope
from dangjian.core.excel import FileProblem, Problem, unpacked_size
from dangjian.core.idnumber import mask_id_number, mask_phone
from dangjian.core.models import AuditEvent, Event

from . import import_files, imports
from .models import ImportStatus, MemberImport

logger = logging.getLogger(__name__)

UNEXPECTED = "导入时发生意外错误，未导入任何数据。请稍后重试，或联系系统管理员"
INTERRUPTED = "导入过程中断（后台任务异常退出），未导入任何数据，请重新上传"
# The process died after the import's transaction committed and before the job recorded it: the
# security trail has the import's event. Rare (a few milliseconds), but then "nothing" is untrue.
INTERRUPTED_AFTER_COMMIT = (
    "导入过程中断（后台任务异常退出），导入结果未能记录，数据可能已经导入，请先在花名册中核对，再决定是否重新上传"
)
MASKED = {"公民身份号码": mask_id_number, "联系电话": mask_phone}  # kept on the job only masked

HEARTBEAT = dt.timedelta(seconds=30)
# Long enough for every pause of a live job's heartbeat: on SQLite the thread cannot write while
# the import's own write transaction holds the database (about 30 s per 10^5 rows), on
# PostgreSQL it never waits. A job of a dead process is failed this long after its last sign.
STALE_AFTER = dt.timedelta(minutes=10)
SWEEP = dt.timedelta(minutes=1)  # how often the worker looks for interrupted jobs
OPEN = (ImportStatus.QUEUED, ImportStatus.RUNNING)


@task()
def run_member_import(job_id: int) -> None:
    run_import(job_id)


def start_import(job: MemberImport) -> None:
    """Run a new job: now when the workbook is small (about 2,000 rows), else in the worker. A job
    that cannot even be queued fails at once, and its upload goes."""
    try:
        small = _small(job)
        if not small:
            run_member_import.enqueue(job.pk)
    except Exception:
        logger.exception("member import %s could not start", job.pk)
        _end(MemberImport.objects.filter(pk=job.pk, status=ImportStatus.QUEUED), UNEXPECTED)
        return
    if small:
        run_import(job.pk)


def _small(job: MemberImport) -> bool:
    try:
        with job.file.open("rb") as upload:
            return unpacked_size(upload) <= imports.INLINE_BYTES
    except FileProblem:
        return True  # refused at once, with the reason


def run_import(job_id: int) -> None:
    """Validate and commit one job, and record the outcome on it. A job runs once: a second
    delivery of the task finds it no longer queued and does nothing."""
    started = MemberImport.objects.filter(pk=job_id, status=ImportStatus.QUEUED)
    if not started.update(status=ImportStatus.RUNNING, heartbeat_at=timezone.now()):
        return
    try:
        _run(job_id)
    except Exception:
        # Outside the import itself (loading the job, saving its outcome): the job ends all the same.
        logger.exception("member import %s could not run", job_id)
        _end(MemberImport.objects.filter(pk=job_id, status=ImportStatus.RUNNING), UNEXPECTED)


def _run(job_id: int) -> None:
    job = MemberImport.objects.select_related("created_by").get(pk=job_id)
    actor = job.created_by
    # The job acts with the roles its author held at the organization the upload came from.
    actor.acting_organization_id = job.organization_id
    scope.forget_acting(actor)
    report: imports.ImportReport | None = None
    try:
        with _heartbeat(job_id):
            report = imports.import_members(actor=actor, file=_source(job), progress=lambda r: _progress(job_id, r))
            if not report.ok:
                _save_annotated(job, report)
    except PermissionDenied as error:
        job.message = str(error)
    except Exception:
        logger.exception("member import %s failed", job_id)
        job.message = UNEXPECTED
    finally:
        if job.file:
            job.file.delete(save=False)
    # Saved whole, even over a job that recovery failed meanwhile: what did happen wins.
    _finish(job, report)


def _source(job: MemberImport) -> Any:
    try:
        return job.file.path  # calamine reads a path without copying the file into memory
    except NotImplementedError:  # a storage without local paths
        return job.file.open("rb")


@contextmanager
def _heartbeat(job_id: int) -> Iterator[None]:
    """Touch the job every ``HEARTBEAT`` while the block runs, also while the import reads a
    large sheet or writes its rows (no progress is reported then)."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT.total_seconds()):
                try:
                    MemberImport.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:  # SQLite busy with the import's writes: the next beat
                    logger.info("member import %s: heartbeat not written", job_id)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"member-import-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _progress(job_id: int, report: imports.ImportReport) -> None:
    # Saved outside the import's write transaction (validation writes nothing), so the page sees it.
    expected = max(report.expected_rows - report.header_row, report.rows)
    MemberImport.objects.filter(pk=job_id).update(
        processed_rows=report.rows, total_rows=expected, heartbeat_at=timezone.now()
    )


def _save_annotated(job: MemberImport, report: imports.ImportReport) -> None:
    with tempfile.TemporaryFile() as target:
        if import_files.annotated_workbook(_source(job), report, target):
            target.seek(0)
            field, storage = job.report.field, job.report.storage
            name = field.generate_filename(job, f"member-import-{job.pk}-report.xlsx")
            name = storage.get_available_name(name, max_length=field.max_length)
            # Its name is on the job before the copy is written: recovery removes a copy cut short.
            MemberImport.objects.filter(pk=job.pk).update(report=name)
            job.report.name = storage.save(name, File(target), max_length=field.max_length)


def _finish(job: MemberImport, report: imports.ImportReport | None) -> None:
    if report is not None:
        job.total_rows = job.processed_rows = report.rows
        job.created_count = report.created
        job.error_count = report.problem_count
        job.errors = [_shown(problem) for problem in report.problems[: imports.SHOW_PROBLEMS]]
        job.message = report.message
    job.status = ImportStatus.DONE if report is not None and report.ok else ImportStatus.FAILED
    job.finished_at = job.heartbeat_at = timezone.now()
    job.save()


def _shown(problem: Problem) -> dict[str, Any]:
    mask = MASKED.get(problem.column)
    value = mask(problem.value) if mask and problem.value else problem.value
    return {"row": problem.row, "column": problem.column, "value": value, "reason": problem.reason}


# Jobs whose process died


def _silent_since(cutoff: dt.datetime) -> Q:
    """No sign of life since ``cutoff``: a job that never beat counts from its upload."""
    return Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)


def recover_interrupted(jobs: QuerySet[MemberImport] | None = None) -> int:
    """Fail the jobs (of ``jobs``, else all) whose process died, and delete their files.

    Running and silent for ``STALE_AFTER``; or queued that long with no task left to run them
    (the process died between taking the task and starting the job, or before queueing it). A
    queued job whose task still waits (the worker is stopped) is left to wait. Returns how many."""
    cutoff = timezone.now() - STALE_AFTER
    candidates = (jobs if jobs is not None else MemberImport.objects.all()).filter(
        _silent_since(cutoff), status__in=OPEN
    )
    waiting: set[int] | None = None
    failed = 0
    for job in candidates.only("pk", "status", "created_by", "created_at", "heartbeat_at"):
        if job.status == ImportStatus.QUEUED:
            waiting = _waiting_for_worker() if waiting is None else waiting
            if job.pk in waiting:
                continue
        message = INTERRUPTED_AFTER_COMMIT if _import_recorded(job) else INTERRUPTED
        # Only if still silent now: a live process that beat meanwhile keeps its job.
        if _end(MemberImport.objects.filter(_silent_since(cutoff), pk=job.pk, status=job.status), message):
            logger.warning("member import %s interrupted (its process died): marked failed", job.pk)
            failed += 1
    return failed


def _waiting_for_worker() -> set[int]:
    """Jobs whose task is still queued; all of them (as far as we can tell) when the tasks are
    not kept in this database."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = run_member_import.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return set(MemberImport.objects.filter(status=ImportStatus.QUEUED).values_list("pk", flat=True))
    queued = DBTaskResult.objects.filter(
        status="READY", task_path=run_member_import.module_path, backend_name=backend.alias
    )
    return {args[0] for args in queued.values_list("args_kwargs__args", flat=True) if args}


def _import_recorded(job: MemberImport) -> bool:
    """The security trail has an import by the job's author while the job ran: its transaction
    may have committed (the event is written inside it)."""
    last_sign = job.heartbeat_at or job.created_at
    return AuditEvent.objects.filter(
        event=Event.IMPORT,
        actor_id=job.created_by_id,
        details__what="党员信息导入",
        at__gte=job.created_at,
        at__lte=last_sign + STALE_AFTER,  # the longest pause of a live job's heartbeat
    ).exists()


def _end(still: QuerySet[MemberImport], message: str) -> bool:
    """Fail the job ``still`` selects (one job, with what must still hold of it) and delete its
    files; False when it no longer qualifies (another process ended or touched it meanwhile)."""
    job = still.only("pk", "file", "report").first()
    ended = {"status": ImportStatus.FAILED, "message": message, "finished_at": timezone.now()}
    if job is None or not still.update(**ended, file="", report=""):
        return False
    for file in (job.file, job.report):
        if file.name:
            try:
                file.storage.delete(file.name)
            except OSError:
                logger.exception("member import %s: file %s not deleted", job.pk, file.name)
    return True
