import copy
from typing import Any

from django import forms
from django.db.models import Q

from dangjian.core.dates import DateKind
from dangjian.core.enums import Degree, Education, Ethnicity, Gender, Occupation
from dangjian.core.forms import StyledForm, date_field, style_widgets
from dangjian.orgs.filters import scoped_organizations
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization
from dangjian.orgs.widgets import OrganizationPicker

from .models import DIRECT_STATUS_CHOICES, Category, LeftReason, Member, Status
from .services import CORRECTABLE

BLANK = [("", "（按身份证号）")]
NONE = [("", "—")]
CHOOSE = [("", "请选择")]  # a required choice the user makes: no silent first option
PERSONAL = ("id_number", "phone")  # never put back into a form: shown masked, typed anew to change


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
    birth_date = date_field("出生日期", kind=DateKind.BIRTH, help_text="留空则取自身份证号")
    ethnicity = forms.ChoiceField(label="民族", choices=Ethnicity.choices, initial=Ethnicity.HAN)
    native_place = forms.CharField(label="籍贯", max_length=50, required=False)
    education = forms.ChoiceField(label="学历", choices=CHOOSE + Education.choices)
    degree = forms.ChoiceField(label="学位", choices=NONE + Degree.choices, required=False)
    occupation = forms.ChoiceField(label="职业类别", choices=NONE + Occupation.choices, required=False)
    job = forms.CharField(label="工作单位及职务", max_length=100, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="家庭住址", max_length=200, required=False)
    category = forms.ChoiceField(label="人员类别", choices=CHOOSE + Category.choices)
    joined_date = date_field("入党日期", kind=DateKind.EVENT, required=True)
    regularized_date = date_field("转正日期", kind=DateKind.EVENT, help_text="预备党员不填")
    is_central_household = forms.BooleanField(label="党员中心户", required=False)
    status = forms.ChoiceField(label="党籍状态", choices=DIRECT_STATUS_CHOICES, initial=Status.NORMAL)
    status_date = date_field("状态变更日期", kind=DateKind.EVENT, help_text="党籍状态不是“正常”时填写")
    status_reason = forms.CharField(label="状态变更原因", max_length=200, required=False)
    left_reason = forms.ChoiceField(label="出党方式", choices=NONE + LeftReason.choices, required=False)
    since = date_field("到本组织日期", kind=DateKind.EVENT, help_text="留空则取入党日期（或组织成立日期，取较晚者）")

    def __init__(self, *args: Any, request: Any, creating: bool, member: Member | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if member is not None:
            # Editing: personal numbers are not sent back to the browser; blank keeps them.
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = f"现为 {member.masked_id_number}；留空则不修改"
            self.fields["phone"].help_text = f"现为 {member.masked_phone or '（未填）'}；留空则不修改"
        if creating:
            holders = Q(kind__in=BRANCH_LEVEL_KINDS) | Q(holds_members_directly=True)
            self.fields["organization"].queryset = (  # type: ignore[attr-defined]
                scoped_organizations(request).filter(holders, abolished_date__isnull=True).order_by("path")
            )
        else:
            # The organization changes by transfer, the status with its date on its own form.
            for name in ("organization", "since", "status", "status_date", "status_reason", "left_reason"):
                del self.fields[name]

    @classmethod
    def initial_from(cls, member: Member) -> dict[str, Any]:
        return {
            name: getattr(member, name) for name in cls.base_fields if hasattr(member, name) and name not in PERSONAL
        }

    def service_values(self) -> dict[str, Any]:
        """The cleaned data without blanks the service should derive (gender, birth date)."""
        data = dict(self.cleaned_data)
        for derived in ("gender", "birth_date", "since", "status_date", *PERSONAL):
            if not data.get(derived):
                data.pop(derived, None)
        return data


class StatusForm(StyledForm):
    """变更党籍状态, with its date."""

    status = forms.ChoiceField(label="新的党籍状态", choices=DIRECT_STATUS_CHOICES)
    date = date_field("变更日期", kind=DateKind.EVENT, required=True)
    left_reason = forms.ChoiceField(label="出党方式", choices=NONE + LeftReason.choices, required=False)
    reason = forms.CharField(label="原因", max_length=200, required=False)


class CorrectionForm(StyledForm):
    """信息更正申请: the member's own data as it is (the fields of MemberForm the member may ask to
    correct), to be changed where it is wrong."""

    reason = forms.CharField(label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        initial = {name: getattr(member, name) for name in CORRECTABLE if name not in PERSONAL}
        super().__init__(*args, initial=initial, **kwargs)
        fields = {name: copy.deepcopy(MemberForm.base_fields[name]) for name in CORRECTABLE}
        self.fields = fields | {"reason": self.fields["reason"]}
        self.fields["phone"].help_text = f"现为 {member.masked_phone or '（未填）'}；留空则不修改"
        style_widgets(self)

    def changes(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.changed_data if name != "reason"}
        if not data.get("phone"):
            data.pop("phone", None)
        return data


class DecisionForm(StyledForm):
    decision = forms.ChoiceField(
        label="处理结果", choices=[("accept", "采纳并更正"), ("reject", "不予采纳")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="处理意见", max_length=500, required=False, help_text="不予采纳时必填，申请人会看到")
