from typing import Any

from django import forms
from django.db.models import Q

from dangjian.core.enums import Education, Ethnicity, Gender
from dangjian.core.forms import StyledForm, date_field
from dangjian.orgs.filters import scoped_organizations
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization
from dangjian.orgs.widgets import OrganizationPicker

from .models import Category, Member, Status

BLANK = [("", "（按身份证号）")]


class MemberForm(StyledForm):
    """登记 / 修改党员. Parsing only; members.services checks the rules."""

    organization = forms.ModelChoiceField(
        label="所在党组织",
        queryset=Organization.objects.none(),
        widget=OrganizationPicker(holders_only=True),
        error_messages={"invalid_choice": "所选党组织不存在或不在您的管理范围内", "required": "请选择所在党组织"},
    )
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=18, help_text="18位；旧的15位号码会自动升位")
    gender = forms.ChoiceField(label="性别", choices=BLANK + Gender.choices, required=False)
    birth_date = date_field("出生日期", help_text="留空则取自身份证号")
    ethnicity = forms.ChoiceField(label="民族", choices=Ethnicity.choices, initial=Ethnicity.HAN)
    education = forms.ChoiceField(label="学历", choices=Education.choices)
    category = forms.ChoiceField(label="人员类别", choices=Category.choices)
    joined_date = date_field("入党日期", required=True)
    regularized_date = date_field("转正日期", help_text="预备党员不填")
    status = forms.ChoiceField(label="党籍状态", choices=Status.choices, initial=Status.NORMAL)
    since = date_field("到本组织日期", help_text="留空则取入党日期（或组织成立日期，取较晚者）")

    def __init__(self, *args: Any, request: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            holders = Q(kind__in=BRANCH_LEVEL_KINDS) | Q(holds_members_directly=True)
            self.fields["organization"].queryset = (  # type: ignore[attr-defined]
                scoped_organizations(request).filter(holders, abolished_date__isnull=True).order_by("path")
            )
        else:
            del self.fields["organization"]
            del self.fields["since"]

    @classmethod
    def initial_from(cls, member: Member) -> dict[str, Any]:
        return {name: getattr(member, name) for name in cls.base_fields if hasattr(member, name)}

    def service_values(self) -> dict[str, Any]:
        """The cleaned data without blanks the service should derive (gender, birth date)."""
        data = dict(self.cleaned_data)
        for derived in ("gender", "birth_date", "since"):
            if not data.get(derived):
                data.pop(derived, None)
        return data
