"""Excel pages of the organization tree: export a subtree, import organizations under one.

Thin like ``views``: the organization is looked up through the scope first (outside: 404), then
the role is checked (403); the work is done by ``exports`` and ``imports``."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dangjian.core import audit, scope
from dangjian.core.forms import StyledForm
from dangjian.core.models import Event

from . import exports, imports, tree
from .models import Organization, OrgKind, SetupMode, UnitCategory


class ImportForm(StyledForm):
    file = forms.FileField(
        label="Excel 文件", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}), help_text="仅支持 .xlsx"
    )
    dry_run = forms.BooleanField(label="仅校验，不写入", required=False)


def _get(request: HttpRequest, pk: int) -> Organization:
    return scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=pk)


def organization_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The organization and every organization under it that the user may see, as .xlsx."""
    organization = _get(request, pk)
    # A 党员 reaches their own branch through the scope, but reads only its name (docs/scope.md).
    scope.require_role(request.user, lambda role: role.reads_organizations, "导出党组织")
    visible = scope.scoped(request.user, Organization.objects.all())
    subtree = visible.filter(path__startswith=organization.path)
    filename = f"organizations-{organization.code}-{timezone.localdate():%Y%m%d}.xlsx"
    # Parent codes come from the scope too: the scope's top names no parent above it.
    response = exports.organizations_workbook(subtree, parents=visible, filename=filename)
    audit.record(
        Event.EXPORT, actor=request.user, target=organization, details={"what": "党组织", "rows": response.rows}
    )
    return response


def organization_import(request: HttpRequest, pk: int) -> HttpResponse:
    """导入党组织 under an organization: the upload form, the template, and the report."""
    organization = _get(request, pk)
    scope.require_role(request.user, lambda role: role.writes_organizations, "导入党组织")
    if request.method == "GET" and request.GET.get("template"):
        return exports.organizations_workbook(Organization.objects.none(), filename="organizations-template.xlsx")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = imports.import_organizations(
            actor=request.user,
            file=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
            under=organization,
        )
    return render(
        request,
        "orgs/organization_import.html",
        {
            "organization": organization,
            "form": form,
            "report": report,
            "lineage": tree.lineage(request.user, organization),
            "choices": [
                ("组织类别", OrgKind.labels),
                ("单位类别", UnitCategory.labels),
                ("组建方式", SetupMode.labels),
            ],
            "max_rows": imports.MAX_ROWS,
        },
    )
