"""The report's files: the workbook (.xlsx) and the PDF of an organization's report as of a date.

Thin like the other views: ``selection`` checks the role (403) and the organization against the
scope (outside: 404, like one that does not exist) and reads the date; the figures are computed
live and checked as the report page computes and checks them, so that the file says what the
page says; ``exports`` and ``pdf`` write the files. Every file goes into the security trail, as
every export does: however aggregated, the report counts members by sex, age, ethnicity and
occupation, and a small branch's figures come close to naming people."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from dangjian.core import audit
from dangjian.core.models import Event

from . import checks, engine, exports, selection, services
from . import pdf as report_pdf  # the module; ``pdf`` is the view, as urls.py names it

PDF = "application/pdf"
WHAT = "党内统计年报"


def _file(request: HttpRequest, *, suffix: str, content_type: str, write: Callable[..., bytes]) -> HttpResponse:
    chosen = selection.select(request)
    organization = chosen.organization
    report = engine.compute(organization, chosen.day)
    results = services.run_checks(report)  # as the report page runs them: a child's submitted figures count
    body = write(report, results, unit_name=organization.name)
    response = HttpResponse(body, content_type=content_type)
    filename = f"{WHAT}_{organization.name}_{chosen.day.isoformat()}.{suffix}"
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    audit.record(
        Event.EXPORT,
        actor=request.user,
        target=organization,
        details={
            "what": WHAT,
            "format": suffix,
            "day": chosen.day.isoformat(),
            "form": report.form.code,
            "checks_failed": len(checks.failed(results)),
        },
    )
    return response


def workbook(request: HttpRequest) -> HttpResponse:
    """党内统计年报 as .xlsx: a sheet per table, then 审核结果."""
    return _file(request, suffix="xlsx", content_type=exports.XLSX, write=exports.workbook)


def pdf(request: HttpRequest) -> HttpResponse:
    """党内统计年报 as a PDF (A4 landscape): the tables, then 审核结果."""
    return _file(request, suffix="pdf", content_type=PDF, write=report_pdf.document)
