from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dangjian.core.crypto import lookup_hash
from dangjian.core.dates import DateKind
from dangjian.core.enums import Degree, Education, Ethnicity, Gender, Occupation
from dangjian.core.forms import DateInput, date_validator, style_widgets
from dangjian.orgs.filters import OrganizationIdFilter, scoped_organizations
from dangjian.orgs.models import Organization
from dangjian.orgs.widgets import OrganizationPicker

from .models import Category, Member, Status
from .rules import AGE_BAND_CHOICES, JOINING_PERIODS, age_band_birth_ranges

QUERY_DATE = date_validator(DateKind.QUERY)


def search_members(queryset: QuerySet[Member], text: str) -> QuerySet[Member]:
    """One search box: Chinese text matches the name; letters match full pinyin or initials
    ("zs" and "zhangs" find 张三); a mobile number finds its owner; four digits match the end of
    the ID number or of the phone; more digits, the end of the ID number.

    Numbers are encrypted, so they are matched by keyed hash (whole numbers) or by the plain
    last four characters; a longer tail narrows those candidates by decrypting only them."""
    text = "".join(text.split()).upper()
    if not text:
        return queryset
    if text.isascii() and text.isalpha():
        text = text.lower()
        return queryset.filter(Q(name_initials__startswith=text) | Q(name_pinyin__startswith=text))
    if not (len(text) >= 4 and text[:-1].isdigit() and (text[-1].isdigit() or text[-1] == "X")):
        return queryset.filter(name__contains=text)
    if len(text) == 11 and text.startswith("1"):
        return queryset.filter(phone_hash=lookup_hash(text))
    if len(text) == 18:
        return queryset.filter(id_hash=lookup_hash(text))
    if len(text) == 4:
        return queryset.filter(Q(id_tail=text) | Q(phone_tail=text))
    candidates = queryset.filter(id_tail=text[-4:]).values_list("pk", "id_number")
    return queryset.filter(pk__in=[pk for pk, number in candidates if number.endswith(text)])


class AllYesNo(forms.Select):
    """是/否 with 全部 (not Django's 未知) as the choice that filters nothing; the field
    (NullBooleanField) reads "true" and "false"."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, choices=[("", "全部"), ("true", "是"), ("false", "否")])

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]  # as ChoiceWidget's
        return [{True: "true", False: "false", "true": "true", "false": "false"}.get(value, "")]


# The roster's orders: each ends with the primary key, so that pages never overlap or skip. By
# organization is the roster index's own order (read forwards or backwards, never sorted); the
# others sort the subtree's rows, which that index finds as one range, keeping only the page
# (a top-N sort: a branch or a town is a few thousand rows). No index of their own: each would
# cost the import's COPY an index entry per row (three of them more than doubled the database's
# time to insert 10^5 members), for what only a sort across a whole large county would gain.
SORTS = {
    "org": ("org_path", "name_pinyin", "id"),
    "name": ("name_pinyin", "id"),
    "joined": ("joined_date", "id"),
    "birth": ("birth_date", "id"),
}
SORT_CHOICES = [
    ("org", "所在组织"),
    ("-org", "所在组织（倒序）"),
    ("name", "姓名（拼音A→Z）"),
    ("-name", "姓名（拼音Z→A）"),
    ("joined", "入党日期（早→晚）"),
    ("-joined", "入党日期（晚→早）"),
    ("birth", "出生日期（早→晚）"),
    ("-birth", "出生日期（晚→早）"),
]


def sort_order(value: str) -> tuple[str, ...]:
    """The ORDER BY of a sort choice ("joined", "-joined"); the roster's own order otherwise."""
    key = value.removeprefix("-")
    fields = SORTS.get(key, SORTS["org"])
    return tuple(f"-{name}" for name in fields) if value.startswith("-") and key in SORTS else fields


@extend_schema_field(OpenApiTypes.DATE)
class DateParameter(django_filters.DateFilter):
    """A date its filter method reads (the API schema cannot tell the type from the method)."""


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="姓名、拼音或身份证号后几位", method="filter_q")
    organization = OrganizationIdFilter(
        label="所属组织（含全部下级）",
        queryset=scoped_organizations,
        method="filter_organization",
        widget=OrganizationPicker(submit_on_pick=True),
    )
    category = django_filters.ChoiceFilter(label="人员类别", choices=Category.choices)
    status = django_filters.ChoiceFilter(label="党籍状态", choices=Status.choices, empty_label="在册（全部）")
    gender = django_filters.ChoiceFilter(label="性别", choices=Gender.choices)
    ethnicity = django_filters.ChoiceFilter(label="民族", choices=Ethnicity.choices)
    education = django_filters.ChoiceFilter(label="学历", choices=Education.choices)
    degree = django_filters.ChoiceFilter(label="学位", choices=Degree.choices)
    occupation = django_filters.ChoiceFilter(label="职业类别", choices=Occupation.choices)
    age_band = django_filters.ChoiceFilter(label="年龄段", choices=AGE_BAND_CHOICES, method="filter_age_band")
    as_of = DateParameter(label="年龄计算日期", method="filter_nothing", widget=DateInput(), validators=[QUERY_DATE])
    joined_period = django_filters.ChoiceFilter(
        label="入党时间", choices=[(str(i), p.label) for i, p in enumerate(JOINING_PERIODS)], method="filter_period"
    )
    joined_from = django_filters.DateFilter(
        label="入党日期起", field_name="joined_date", lookup_expr="gte", widget=DateInput(), validators=[QUERY_DATE]
    )
    joined_to = django_filters.DateFilter(
        label="入党日期止", field_name="joined_date", lookup_expr="lte", widget=DateInput(), validators=[QUERY_DATE]
    )
    is_central_household = django_filters.BooleanFilter(label="党员中心户", widget=AllYesNo())
    sort = django_filters.ChoiceFilter(label="排序", choices=SORT_CHOICES, empty_label=None, method="filter_sort")

    class Meta:
        model = Member
        fields = [
            "q",
            "organization",
            "category",
            "status",
            "gender",
            "ethnicity",
            "education",
            "degree",
            "occupation",
            "age_band",
            "as_of",
            "joined_period",
            "joined_from",
            "joined_to",
            "is_central_household",
            "sort",
        ]

    def filter_nothing(self, queryset: QuerySet[Member], name: str, value: Any) -> QuerySet[Member]:
        return queryset  # read by filter_age_band

    def filter_age_band(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        """Age on ``as_of`` (default today) in the band, as a range of birth dates (an index
        comparison, no age computed per row)."""
        as_of = self.form.cleaned_data.get("as_of") or timezone.localdate()
        band = age_band_birth_ranges(as_of)[int(value)]
        if band.after:
            queryset = queryset.filter(birth_date__gt=band.after)
        if band.until:
            queryset = queryset.filter(birth_date__lte=band.until)
        return queryset

    def filter_period(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        period = JOINING_PERIODS[int(value)]
        if period.start:
            queryset = queryset.filter(joined_date__gte=period.start)
        if period.end:
            queryset = queryset.filter(joined_date__lt=period.end)
        return queryset

    def filter_queryset(self, queryset: QuerySet[Member]) -> QuerySet[Member]:
        """The roster is the members on the roll; the deceased (已故) and those who left (出党)
        show when their status is asked for, so list counts agree with the dashboard's."""
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=[status for status in Status if status.is_on_roll])
        return queryset

    def filter_sort(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        return queryset.order_by(*sort_order(value))

    def filter_q(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        return search_members(queryset, value)

    def filter_organization(self, queryset: QuerySet[Member], name: str, value: Organization) -> QuerySet[Member]:
        return queryset.filter(org_path__startswith=value.path)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["organization"].field.error_messages["invalid_choice"] = "所选组织不存在或不在您的管理范围内"
        style_widgets(self.form)
