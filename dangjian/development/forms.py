"""Forms of the development pages: they parse input only; the services check the rules."""

from typing import Any, ClassVar

from django import forms

from dangjian.core.dates import DateKind
from dangjian.core.enums import Education, Occupation
from dangjian.core.errors import DomainError
from dangjian.core.forms import IdsField, StyledForm, date_field
from dangjian.members.models import Member, PartyGroup
from dangjian.members.picker import MembersPicker

from . import rules
from .models import DocumentKind
from .services import OUTCOMES, StepInput


class ApplicantForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    application_date = date_field("递交入党申请书日期", kind=DateKind.EVENT, required=True)
    education = forms.ChoiceField(label="学历", choices=[("", "—"), *Education.choices])  # no silent first choice
    occupation = forms.ChoiceField(label="职业类别", choices=[("", "—"), *Occupation.choices], required=False)
    job = forms.CharField(label="工作单位及职务", max_length=100, required=False)
    leaving_date = date_field("预计离开工作单位日期", kind=DateKind.PLANNED)


class StepForm(StyledForm):
    """One step: its date, 情况说明 and only what that step records (``rules.STEPS``: a 谈话 has
    its 谈话人, a 支部大会 its votes, nothing else)."""

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
    outcome = forms.ChoiceField(label="讨论结果", choices=[("", "—"), *OUTCOMES.items()], required=False)
    extension_months = forms.IntegerField(
        label="延长预备期（月）",
        min_value=0,
        max_value=120,
        required=False,
        help_text=f"讨论结果为延长预备期时填写：不少于{rules.EXTENSION_MIN}个月，不超过{rules.EXTENSION_MAX}个月",
        # static/js/development.js shows it only while 延长预备期 is chosen
        widget=forms.NumberInput(attrs={"data-shown-with": "outcome=extend"}),
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
    party_group = forms.ModelChoiceField(label="编入党小组", queryset=PartyGroup.objects.none(), required=False)
    reject = forms.BooleanField(label="上级党委不同意（在情况说明中写明理由）", required=False)

    # What each thing a step records is entered in (every step has date and note).
    FIELDS_OF: ClassVar[dict[rules.Record, tuple[str, ...]]] = {
        rules.Record.TALKERS: ("people",),
        rules.Record.CONTACTS: ("people",),
        rules.Record.INTRODUCERS: ("people",),
        rules.Record.TRAINING: ("training_days", "training_hours"),
        rules.Record.REVIEW: ("review_passed",),
        rules.Record.VOTE: ("present", "yes", "no", "abstain", "written_yes", "excluded", "excluded_reason"),
        rules.Record.OUTCOME: ("outcome",),
        rules.Record.EXTENSION: ("extension_months",),
        rules.Record.PARTY_GROUP: ("party_group",),
        rules.Record.REJECT: ("reject",),
    }
    PEOPLE_LABELS: ClassVar[dict[rules.Record, str]] = {
        rules.Record.TALKERS: "谈话人",
        rules.Record.CONTACTS: "培养联系人（1至2名正式党员）",
        rules.Record.INTRODUCERS: "入党介绍人（2名正式党员）",
    }
    # The service's names for what it refuses → the field it is shown under (None: above the form).
    ERRORS_UNDER: ClassVar[dict[str, str | None]] = {
        "talkers": "people",
        "contacts": "people",
        "introducers": "people",
        "vote": None,
        "step": None,
    }

    def __init__(
        self, *args: Any, step: int, people: Any = None, groups: Any = None, organization: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        info = rules.step_info(step)
        kept = {"date", "note"}.union(*(self.FIELDS_OF[record] for record in info.records))
        for name in list(self.fields):
            if name not in kept:
                del self.fields[name]
        if info.people is not None:
            self.fields["people"].label = self.PEOPLE_LABELS[info.people]
        # Chosen with the member picker among the branch's members on the roll; introducers and
        # contacts are offered among 正式党员 only (the service says why anyone else is refused).
        # The upper committee's 谈话 (step 16) is held by whom it sends: anyone of its scope.
        full = info.people in (rules.Record.INTRODUCERS, rules.Record.CONTACTS)
        within = None if step in rules.UPPER_STEPS else organization
        for name in ("people", "excluded"):
            if name in self.fields and people is not None:
                field = self.fields[name]
                field.widget = MembersPicker(within=within, full=full and name == "people")
                field.queryset = people  # type: ignore[attr-defined]  # (after the widget: it gives it the choices)
        if "party_group" in self.fields and groups is not None:
            self.fields["party_group"].queryset = groups  # type: ignore[attr-defined]

    def add_domain_error(self, error: DomainError) -> None:
        for name, messages in error.errors.items():
            target = self.ERRORS_UNDER.get(name or "", name)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)

    def step_input(self) -> StepInput:
        """What the form's step records, for the service (fields the step lacks stay empty)."""
        data = self.cleaned_data
        vote = None
        if data.get("present") is not None:
            vote = {key: data.get(key) or 0 for key in ("present", "yes", "no", "abstain", "written_yes")}
        named: dict[str, Any] = {}
        if (role := rules.step_info(self.step).people) is not None:
            named[role.value] = list(data.get("people") or [])
        return StepInput(
            note=data.get("note") or "",
            training_days=data.get("training_days"),
            training_hours=data.get("training_hours"),
            review_passed=data.get("review_passed"),
            vote=vote,
            excluded={member.pk: data.get("excluded_reason") or "" for member in data.get("excluded") or []},
            outcome=data.get("outcome") or "",
            extension_months=data.get("extension_months"),
            reject=bool(data.get("reject")),
            party_group=data.get("party_group"),
            **named,
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

    def __init__(self, *args: Any, offered: list[int] | None = None, **kwargs: Any) -> None:
        """``offered``: the items the file may record now (``services.publicity_open``), the only
        ones a new form lists; a posted form keeps them all, so the service says why one is not."""
        super().__init__(*args, **kwargs)
        if offered is not None and not self.is_bound:
            field = self.fields["publicity_step"]
            field.choices = [(step, label) for step, label in rules.PUBLICITY_CHOICES if step in offered]  # type: ignore[attr-defined]

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
    source = forms.CharField(label="依据", max_length=200, required=False)


class QuotaForm(StyledForm):
    organization = forms.IntegerField(label="党组织编号", widget=forms.HiddenInput)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = forms.IntegerField(label="计划名额", min_value=0, max_value=1000000)
