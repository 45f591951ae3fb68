"""Pages of the member import (党员信息导入): upload, progress, report, template.

Thin like ``views``: the work is done by ``imports`` (the import itself) and ``tasks`` (the job).
A job is seen only by its author, through the scope (another user's job answers 404): its report
holds the uploaded rows.
"""

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from dangjian.core import audit, scope
from dangjian.core.forms import StyledForm
from dangjian.core.models import Event, User
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization

from . import import_files, imports, tasks
from .models import MemberImport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 256 * 2**20  # some 10^6 rows
RECENT_JOBS = 10


class ImportForm(StyledForm):
    file = forms.FileField(
        label="Excel 文件",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text="仅支持 .xlsx（可先下载模板填写）",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() != ".xlsx":
            raise ValidationError("请上传 .xlsx 格式的 Excel 文件")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(f"文件不能超过{MAX_UPLOAD_BYTES // 2**20}MB，请分成几个文件")
        return upload


def _require_role(request: HttpRequest) -> scope.Acting:
    return scope.require_role(request.user, lambda role: role.writes_members, "导入党员")


def _own_jobs(request: HttpRequest) -> QuerySet[MemberImport]:
    return MemberImport.objects.filter(created_by_id=request.user.pk)


def _get(request: HttpRequest, pk: int) -> MemberImport:
    job = scope.get_scoped_or_404(request.user, _own_jobs(request), pk=pk)
    # A job whose process died is shown failed at once, whether or not a worker runs to notice.
    if job.status in tasks.OPEN and tasks.recover_interrupted(MemberImport.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    return job


def member_import(request: HttpRequest) -> HttpResponse:
    """The upload form, the template to fill, and the user's recent imports."""
    acting = _require_role(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        assert isinstance(request.user, User)  # the login is required everywhere (core.middleware)
        job = MemberImport.objects.create(
            organization=acting.organization, created_by=request.user, file=upload, file_name=upload.name[:200]
        )
        tasks.start_import(job)
        return redirect("members:import_detail", pk=job.pk)
    tasks.recover_interrupted(_own_jobs(request))
    jobs = scope.scoped(request.user, _own_jobs(request))[:RECENT_JOBS]
    return render(
        request,
        "members/import_form.html",
        {
            "form": form,
            "jobs": jobs,
            "required": "、".join(column.header for column in imports.REQUIRED),
            "inline_rows": 2000,
        },
    )


def import_template(request: HttpRequest) -> HttpResponse:
    """The template for this user: the organizations they may register members in (those that
    hold members, in their write scope) make the drop-down of the first column and the example."""
    _require_role(request)
    holders = Organization.objects.filter(
        Q(kind__in=BRANCH_LEVEL_KINDS) | Q(holds_members_directly=True), abolished_date__isnull=True
    )
    organizations = list(
        scope.scoped(request.user, holders, to_write=True).order_by("path").values_list("code", "name")
    )
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "党员信息导入模板.xlsx") or ""
    import_files.template_workbook(response, organizations)  # type: ignore[arg-type]  # a response is a writable file
    return response


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job: its progress while it runs, then what was imported or every problem found."""
    job = _get(request, pk)
    return render(
        request,
        "members/import_detail.html",
        {
            "job": job,
            "running": job.status in tasks.OPEN,
            "shown": len(job.errors),
            "large": job.total_rows > import_files.WHOLE_COPY_ROWS,
        },
    )


def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by the job's page; once the job is over the page reloads itself."""
    job = _get(request, pk)
    if job.status not in tasks.OPEN and request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "members/_import_progress.html", {"job": job})


def import_report(request: HttpRequest, pk: int) -> FileResponse:
    """The uploaded rows with the bad cells marked; its download goes into the security trail."""
    job = _get(request, pk)
    if not job.report:
        raise Http404("该导入没有错误标注文件")
    audit.record(Event.EXPORT, actor=request.user, target=job, details={"what": "党员信息导入错误标注"})
    filename = f"{PurePath(job.file_name).stem}-错误标注.xlsx"
    return FileResponse(job.report.open("rb"), as_attachment=True, filename=filename, content_type=XLSX)
