"""The member's timeline shows the development file's steps (发展党员历程)."""

from collections.abc import Iterable

from dangjian.members import timeline
from dangjian.members.models import Member

from . import rules
from .models import Applicant, StepRecord, round_labels


@timeline.register
def development_steps(member: Member) -> Iterable[timeline.Entry]:
    applicant = Applicant.objects.filter(member=member).first()
    if applicant is None:
        return
    records = list(StepRecord.objects.filter(applicant=applicant).order_by("date", "round", "step"))
    labels = round_labels(records)
    for record in records:
        again = labels.get(record.round, "")
        outcome = OUTCOMES.get(record.outcome, record.outcome)
        if record.refused:
            outcome = f"：不同意{outcome}" if outcome else "：不同意"
        elif outcome:
            outcome = f"：{outcome}"
        yield timeline.Entry(
            record.date, "发展党员", f"第{record.step}步 {rules.step_name(record.step)}{again}{outcome}"
        )


OUTCOMES = {"regularize": "按期转正", "extend": "延长预备期", "cancel": "取消预备党员资格"}
