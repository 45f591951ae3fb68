"""Excel export of organizations (openpyxl, write-only: memory stays flat as rows grow).

The sheet is also the import template (``orgs.imports`` reads the same columns back), so coded
fields are written as their Chinese labels and every row names its parent by code.
"""

import datetime as dt
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.http import HttpResponse
from django.utils import timezone

from dangjian.core import excel
from dangjian.core.excel import workbook_with_header

from .models import Organization, OrgKind, SetupMode, UnitCategory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "党组织"
PARENT_CODE = "上级组织代码"
# (column header, Organization field); the parent code is not a field of the row itself.
COLUMNS: tuple[tuple[str, str], ...] = (
    (PARENT_CODE, ""),
    ("组织代码", "code"),
    ("名称", "name"),
    ("简称", "short_name"),
    ("组织类别", "kind"),
    ("单位类别", "unit_category"),
    ("组建方式", "setup_mode"),
    ("成立日期", "founded_date"),
    ("撤销日期", "abolished_date"),
    ("地址", "address"),
    ("联系人", "contact_person"),
    ("联系电话", "contact_phone"),
)
HEADERS = tuple(header for header, _ in COLUMNS)
WIDTHS = (14, 14, 36, 16, 12, 14, 12, 12, 12, 36, 10, 16)
CHOICES: dict[str, type[OrgKind] | type[UnitCategory] | type[SetupMode]] = {
    "kind": OrgKind,
    "unit_category": UnitCategory,
    "setup_mode": SetupMode,
}
DATE_FORMAT = "yyyy-mm-dd"


class ExportResponse(HttpResponse):
    rows: int = 0


def organizations_workbook(
    organizations: QuerySet[Organization],
    *,
    parents: QuerySet[Organization] | None = None,
    filename: str = "",
) -> ExportResponse:
    """The organizations as an .xlsx attachment, in tree order; ``response.rows`` counts them.

    Pass already scoped querysets: ``organizations`` and ``parents``, where parent codes are
    looked up (by default every organization). A parent outside ``parents`` (the scope's top
    organization's own parent, for one) is left blank. An empty ``organizations`` gives the
    import template: the headers only."""
    workbook, sheet = workbook_with_header(SHEET, HEADERS, WIDTHS)
    rows = 0
    if parents is None:
        parents = Organization.objects.all()
    for organization in _with_parent_code(organizations, parents).iterator(chunk_size=2000):
        excel.append(sheet, [_cell(sheet, organization, field) for _, field in COLUMNS])
        rows += 1
    response = ExportResponse(content_type=XLSX)
    name = filename or f"organizations-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    workbook.save(response)
    response.rows = rows
    return response


def _with_parent_code(organizations: QuerySet[Organization], parents: QuerySet[Organization]) -> QuerySet[Organization]:
    """Each row with its parent's code, looked up by the parent's path (a unique index) in the same
    query: the top row of an exported subtree names its parent too, and nothing is held in memory."""
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
    parent = parents.filter(path=parent_path).values("code")[:1]
    return organizations.annotate(parent_code=Subquery(parent)).order_by(F("path").asc())


def _cell(sheet: Any, organization: Organization, field: str) -> Any:
    if not field:
        return getattr(organization, "parent_code", None)
    value = getattr(organization, field)
    if field in CHOICES:
        return CHOICES[field](value).label if value else None
    if isinstance(value, dt.date):
        cell = excel.cell(sheet, value)
        cell.number_format = DATE_FORMAT  # a real date cell, shown without a time of day
        return cell
    return value or None  # an empty cell, not an empty string
