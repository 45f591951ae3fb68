from typing import Any

from django import forms

from dangjian.core.dates import DateKind
from dangjian.core.forms import StyledForm, date_field

from .models import Organization, OrgKind, SetupMode, UnitCategory


class OrganizationForm(StyledForm):
    """设立 / 修改党组织. Parsing only; orgs.services checks the rules."""

    name = forms.CharField(label="名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=30, required=False)
    code = forms.CharField(label="组织代码", max_length=32, help_text="全县唯一，字母、数字或“-”")
    kind = forms.ChoiceField(label="组织类别", choices=OrgKind.choices)
    unit_category = forms.ChoiceField(label="单位类别", choices=UnitCategory.choices)
    setup_mode = forms.ChoiceField(label="组建方式", choices=[("", "—"), *SetupMode.choices], required=False)
    setup_approval = forms.CharField(
        label="批准文件", max_length=100, required=False, help_text="低于人数标准设立或直接管理党员时，上级批准的文号"
    )
    address = forms.CharField(label="地址", max_length=200, required=False)
    contact_person = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    holds_members_directly = forms.BooleanField(
        label="直接管理党员", required=False, help_text="党委、党总支经批准直接管理党员时勾选"
    )
    founded_date = date_field("成立日期", kind=DateKind.EVENT)
    abolished_date = date_field(
        "撤销日期", kind=DateKind.EVENT, help_text="组织撤销时填写；撤销前须先转出全部党员和下级组织"
    )

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["abolished_date"]

    @classmethod
    def initial_from(cls, organization: Organization) -> dict[str, Any]:
        return {name: getattr(organization, name) for name in cls.base_fields}
