"""The dues files: the registers for print (党费收缴登记表 of a branch's month, 党费收缴汇总表 of a
committee's year) and the import of a payment list exported by a bank or payment platform.

Thin like the other views: the role is checked first (403), then the organization is looked up
through the scope (outside: 404, like one that does not exist); ``excel`` writes the workbooks,
``imports`` records the payments. Every export goes into the security trail."""

import datetime as dt
import re
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from dangjian.core import audit, scope
from dangjian.core.forms import StyledForm
from dangjian.core.models import Event
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization

from . import excel, imports

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _reader(request: HttpRequest, action: str) -> scope.Acting:
    return scope.require_role(request.user, lambda role: role.reads_members, action)


def _bad(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def register(request: HttpRequest, pk: int) -> HttpResponse:
    """党费收缴登记表 of a branch for ``?month=YYYY-MM`` (default: this month), as .xlsx."""
    _reader(request, "导出党费收缴登记表")
    organization = scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=pk)
    if organization.kind not in BRANCH_LEVEL_KINDS:
        return _bad("党费收缴登记表按党支部填写，请选择一个党支部；党委请导出年度汇总表")
    today = timezone.localdate()
    raw = request.GET.get("month", "")
    match = MONTH.match(raw) if raw else None
    if raw and (match is None or not 1921 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 12):
        return _bad("月份应写作 YYYY-MM，如 2026-01")
    month = dt.date(int(match[1]), int(match[2]), 1) if match else today.replace(day=1)
    rows = excel.register_rows(request.user, organization, month)
    filename = f"{organization.display_name}党费收缴登记表-{month:%Y%m}.xlsx"
    response = excel.register_workbook(organization, month, rows, today=today, filename=filename)
    audit.record(
        Event.EXPORT,
        actor=request.user,
        target=organization,
        details={"what": "党费收缴登记表", "month": f"{month:%Y-%m}", "rows": response.rows},
    )
    return response


def summary(request: HttpRequest) -> HttpResponse:
    """党费收缴汇总表 of ``?year=YYYY`` (default: this year) for ``?organization=`` (default: the
    organization the user acts from), by branch and month, as .xlsx."""
    acting = _reader(request, "导出党费收缴汇总表")
    organization = acting.organization
    if raw := request.GET.get("organization", ""):
        pk = int(raw) if raw.isascii() and raw.isdecimal() and len(raw) < 19 else 0
        organization = scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=pk)
    today = timezone.localdate()
    raw_year = request.GET.get("year", "")
    if raw_year and not (raw_year.isascii() and raw_year.isdecimal() and 1921 <= int(raw_year) <= 2100):
        return _bad("年度应为1921至2100之间的整数")
    year = int(raw_year) if raw_year else today.year
    rows = excel.summary_rows(request.user, organization, year)
    filename = f"{organization.display_name}{year}年度党费收缴汇总表.xlsx"
    response = excel.summary_workbook(organization, year, rows, today=today, filename=filename)
    audit.record(
        Event.EXPORT,
        actor=request.user,
        target=organization,
        details={"what": "党费收缴汇总表", "year": year, "rows": response.rows},
    )
    return response


class PaymentImportForm(StyledForm):
    file = forms.FileField(
        label="交纳明细文件",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        help_text=f"银行或支付平台导出的 Excel（.xlsx）或 CSV 文件，不超过{imports.MAX_UPLOAD_BYTES // 2**20}MB",
    )
    method = forms.ChoiceField(
        label="交纳方式",
        choices=[("", "请选择"), *((method.value, method.label) for method in imports.METHODS)],
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in (".xlsx", ".csv"):
            raise ValidationError("请上传 .xlsx 格式的 Excel 文件或 .csv 文件（.xls 请先另存为 .xlsx）")
        if upload.size > imports.MAX_UPLOAD_BYTES:
            raise ValidationError(f"文件不能超过{imports.MAX_UPLOAD_BYTES // 2**20}MB，请分成几个文件")
        return upload


def payment_import(request: HttpRequest) -> HttpResponse:
    """导入党费交纳明细: the upload form, then what was recorded or every wrong row."""
    acting = scope.require_role(request.user, lambda role: role.writes_members, "导入党费交纳明细")
    form = PaymentImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = imports.import_payments(
            actor=request.user, file=upload, filename=upload.name or "", method=form.cleaned_data["method"]
        )
    return render(
        request,
        "dues/import.html",
        {
            "form": form,
            "report": report,
            "organization": acting.organization,
            "columns": imports.ALIASES,
            "max_rows": imports.MAX_ROWS,
        },
    )
