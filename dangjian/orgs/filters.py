from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dangjian.core import scope

from .models import Organization, OrgKind, UnitCategory


def scoped_organizations(request: Any) -> QuerySet[Organization]:
    return scope.scoped(getattr(request, "user", None), Organization.objects.all())


@extend_schema_field(OpenApiTypes.INT)
class OrganizationIdFilter(django_filters.ModelChoiceFilter):
    """An organization chosen by its id (the API schema types it as an integer: the filter's
    method, not a model field, reads it)."""


class OrganizationFilter(django_filters.FilterSet):
    parent = OrganizationIdFilter(label="上级组织（直接下级）", queryset=scoped_organizations, method="filter_parent")
    within = OrganizationIdFilter(label="所属组织（含全部下级）", queryset=scoped_organizations, method="filter_within")
    kind = django_filters.ChoiceFilter(label="组织类别", choices=OrgKind.choices)
    unit_category = django_filters.ChoiceFilter(label="单位类别", choices=UnitCategory.choices)
    q = django_filters.CharFilter(label="名称、简称或代码", method="filter_q")
    abolished = django_filters.BooleanFilter(
        label="已撤销", field_name="abolished_date", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Organization
        fields = ["parent", "within", "kind", "unit_category", "q", "abolished"]

    def filter_parent(self, queryset: QuerySet[Organization], name: str, value: Organization) -> QuerySet[Organization]:
        return queryset.filter(path__startswith=value.path, depth=value.depth + 1)

    def filter_within(self, queryset: QuerySet[Organization], name: str, value: Organization) -> QuerySet[Organization]:
        return queryset.filter(path__startswith=value.path)

    def filter_q(self, queryset: QuerySet[Organization], name: str, value: str) -> QuerySet[Organization]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(short_name__contains=value) | Q(code__iexact=value))
