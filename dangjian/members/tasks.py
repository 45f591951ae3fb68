"""Background work of the member registry (django-tasks; DESIGN.md: background work).

An import job (``MemberImport``) runs once: small uploads right in the request, larger ones in the
task worker (``manage.py db_worker``) while the page shows its progress. Whatever the outcome, the
uploaded workbook is deleted at the end (it holds ID numbers in clear); a workbook with the bad
cells marked is kept for its author to download when there were problems.
"""

import logging
import tempfile
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.utils import timezone
from django_tasks import task

from dangjian.core import scope
from dangjian.core.excel import FileProblem, Problem, unpacked_size
from dangjian.core.idnumber import mask_id_number, mask_phone

from . import import_files, imports
from .models import ImportStatus, MemberImport

logger = logging.getLogger(__name__)

UNEXPECTED = "导入时发生意外错误，未导入任何数据。请稍后重试，或联系系统管理员"
MASKED = {"公民身份号码": mask_id_number, "联系电话": mask_phone}  # kept on the job only masked


@task()
def run_member_import(job_id: int) -> None:
    run_import(job_id)


def start_import(job: MemberImport) -> None:
    """Run a new job: now when the workbook is small (about 2,000 rows), else in the worker."""
    try:
        with job.file.open("rb") as upload:
            small = unpacked_size(upload) <= imports.INLINE_BYTES
    except FileProblem:
        small = True  # refused at once, with the reason
    if small:
        run_import(job.pk)
    else:
        run_member_import.enqueue(job.pk)


def run_import(job_id: int) -> None:
    """Validate and commit one job, and record the outcome on it. A job runs once: a second
    delivery of the task finds it no longer queued and does nothing."""
    if not MemberImport.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(status=ImportStatus.RUNNING):
        return
    job = MemberImport.objects.select_related("created_by").get(pk=job_id)
    actor = job.created_by
    # The job acts with the roles its author held at the organization the upload came from.
    actor.acting_organization_id = job.organization_id
    scope.forget_acting(actor)
    report: imports.ImportReport | None = None
    try:
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
    _finish(job, report)


def _source(job: MemberImport) -> Any:
    try:
        return job.file.path  # calamine reads a path without copying the file into memory
    except NotImplementedError:  # a storage without local paths
        return job.file.open("rb")


def _progress(job_id: int, report: imports.ImportReport) -> None:
    # Saved outside the import's write transaction (validation writes nothing), so the page sees it.
    expected = max(report.expected_rows - report.header_row, report.rows)
    MemberImport.objects.filter(pk=job_id).update(processed_rows=report.rows, total_rows=expected)


def _save_annotated(job: MemberImport, report: imports.ImportReport) -> None:
    with tempfile.TemporaryFile() as target:
        if import_files.annotated_workbook(_source(job), report, target):
            target.seek(0)
            job.report.save(f"member-import-{job.pk}-report.xlsx", File(target), save=False)


def _finish(job: MemberImport, report: imports.ImportReport | None) -> None:
    if report is not None:
        job.total_rows = job.processed_rows = report.rows
        job.created_count = report.created
        job.error_count = report.problem_count
        job.errors = [_shown(problem) for problem in report.problems[: imports.SHOW_PROBLEMS]]
        job.message = report.message
    job.status = ImportStatus.DONE if report is not None and report.ok else ImportStatus.FAILED
    job.finished_at = timezone.now()
    job.save()


def _shown(problem: Problem) -> dict[str, Any]:
    mask = MASKED.get(problem.column)
    value = mask(problem.value) if mask and problem.value else problem.value
    return {"row": problem.row, "column": problem.column, "value": value, "reason": problem.reason}
