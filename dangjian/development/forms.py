"""Forms of the development pages: they parse input only; the services check the rules."""

from typing import Any

from django import forms

from dangjian.core.dates import DateKind
from dangjian.core.enums import Education, Occupation
from dangjian.core.errors import DomainError
from dangjian.core.forms import IdsField, StyledForm, date_field
from dangjian.members.models import Member, PartyGroup

from . import rules
from .models import DocumentKind
from .services import OUTCOMES, StepInput


class ApplicantForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    application_date = date_field("递交入党申请书日期", kind=DateKind.EVENT, required=True)
    education = forms.ChoiceField(label="学历", choices=Education.choices)
    occupation = forms.ChoiceField(label="职业类别", choices=[("", "—"), *Occupation.choices], required=False)
    job = forms.CharField(label="工作单位及职务", max_length=100, required=False)
    leaving_date = date_field("预计离开工作单位日期", kind=DateKind.PLANNED)


class StepForm(StyledForm):
    """The next step: its date and what that step carries (the page shows the fields it needs)."""

    date = date_field("日期", kind=DateKind.EVENT, required=True)
    note = forms.CharField(label="情况说明", max_length=500, required=False)
    people = IdsField(label="谈话人 / 培养联系人 / 入党介绍人", queryset=Member.objects.none(), required=False)
    training_days = forms.IntegerField(label="集中培训天数", min_value=0, max_value=366, required=False)
    training_hours = forms.IntegerField(label="集中培训学时", min_value=0, max_value=10000, required=False)
    review_passed = forms.NullBooleanField(
        label="政审结论",
        required=False,
        widget=forms.Select(choices=[("", "—"), ("true", "合格"), ("false", "不合格")]),
    )
    present = forms.IntegerField(label="实到会有表决权的正式党员", min_value=0, max_value=100000, required=False)
    yes = forms.IntegerField(label="赞成", min_value=0, max_value=100000, required=False)
    no = forms.IntegerField(label="反对", min_value=0, max_value=100000, required=False)
    abstain = forms.IntegerField(label="弃权", min_value=0, max_value=100000, required=False)
    written_yes = forms.IntegerField(label="书面赞成意见", min_value=0, max_value=100000, required=False)
    excluded = IdsField(
        label="不计入应到会人数的党员（长期卧病、被依法留置等）", queryset=Member.objects.none(), required=False
    )
    excluded_reason = forms.CharField(label="不计入的理由", max_length=200, required=False)
    outcome = forms.ChoiceField(label="讨论结果", choices=[("", "—"), *OUTCOMES.items()], required=False)
    extension_months = forms.IntegerField(label="延长预备期（月）", min_value=0, max_value=120, required=False)
    party_group = forms.ModelChoiceField(label="编入党小组", queryset=PartyGroup.objects.none(), required=False)
    reject = forms.BooleanField(label="上级党委不同意（在情况说明中写明理由）", required=False)

    def __init__(self, *args: Any, people: Any = None, groups: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["people"].queryset = people  # type: ignore[attr-defined]
            self.fields["excluded"].queryset = people  # type: ignore[attr-defined]
        if groups is not None:
            self.fields["party_group"].queryset = groups  # type: ignore[attr-defined]

    def step_input(self, step: int) -> StepInput:
        data = self.cleaned_data
        people = list(data.get("people") or [])
        vote = None
        if data.get("present") is not None:
            vote = {key: data.get(key) or 0 for key in ("present", "yes", "no", "abstain", "written_yes")}
        return StepInput(
            note=data.get("note") or "",
            talkers=people if step in (2, 16) else [],
            contacts=people if step == 5 else [],
            introducers=people if step == 9 else [],
            training_days=data.get("training_days"),
            training_hours=data.get("training_hours"),
            review_passed=data.get("review_passed"),
            vote=vote,
            excluded={member.pk: data.get("excluded_reason") or "" for member in data.get("excluded") or []},
            outcome=data.get("outcome") or "",
            extension_months=data.get("extension_months"),
            reject=bool(data.get("reject")),
            party_group=data.get("party_group"),
        )


class AssessmentForm(StyledForm):
    assessed = date_field("考察日期", kind=DateKind.EVENT, required=True)
    opinion = forms.CharField(label="考察意见", max_length=500)


class PublicityForm(StyledForm):
    publicity_step = forms.TypedChoiceField(label="公示事项", choices=rules.PUBLICITY_CHOICES, coerce=int)
    starts = date_field("公示开始日期", kind=DateKind.PLANNED, required=True)
    ends = date_field("公示结束日期", kind=DateKind.PLANNED, required=True)
    result = forms.CharField(label="公示结果", max_length=500, help_text="有无反映问题及核实处理情况，如：无异议")

    FIELDS = {"step": "publicity_step", "start": "starts", "end": "ends"}  # the service's names → ours

    def add_domain_error(self, error: DomainError) -> None:
        for name, messages in error.errors.items():
            for message in messages:
                self.add_error(self.FIELDS.get(name or "", name if name in self.fields else None), message)


class DocumentForm(StyledForm):
    kind = forms.ChoiceField(label="材料类别", choices=DocumentKind.choices)
    upload = forms.FileField(label="文件")


class RuleForm(StyledForm):
    amount = forms.IntegerField(label="数量", min_value=1, max_value=1000)
    blocking = forms.BooleanField(label="强制", required=False)
    active = forms.BooleanField(label="启用", required=False)
    source = forms.CharField(label="依据", max_length=200)


class QuotaForm(StyledForm):
    organization = forms.IntegerField(label="党组织编号", widget=forms.HiddenInput)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = forms.IntegerField(label="计划名额", min_value=0, max_value=1000000)
