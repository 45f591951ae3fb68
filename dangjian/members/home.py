"""A member's home page (首页 for the 党员 login): their record, their organization, their
probation, a 留党察看 in force, and what is due from them.

The record is the member's own, found through the scope. The facts of the apps above members
(development, discipline) are read here, where the page needs them, through what those apps
offer to read: ``discipline.queries`` (facts about member ids the caller has scoped) and the
member's own development file, which the member's timeline already shows them. Imported inside
the functions, so that members does not depend on them (and works without them installed).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from dangjian.core import scope
from dangjian.core.dates import add_months, add_years

from .models import Category, CorrectionStatus, Member, MembershipPeriod
from .services import members_on_roll

PROBATION_NOTICE_DAYS = 90  # the 转正申请 is asked for this long before probation ends


@dataclass(frozen=True)
class Probation:
    start: dt.date
    end: dt.date
    extension_months: int
    applied: bool  # the 转正申请 is recorded (development step 22)
    stage: str  # where the regularization stands, in words; "" before the application


@dataclass
class MemberHome:
    member: Member | None
    period: MembershipPeriod | None = None  # the current one: since when in this organization
    branch_size: int = 0  # members on the roll of the member's organization
    probation: Probation | None = None
    under_discipline: bool = False  # a 留党察看 in force today
    pending_corrections: list[Any] = field(default_factory=list)
    due: list[str] = field(default_factory=list)  # what the member is to do, in words


def member_home(user: Any, today: dt.date) -> MemberHome:
    member = scope.scoped(user, Member.objects.select_related("organization", "party_group")).first()
    if member is None:
        return MemberHome(member=None)
    home = MemberHome(
        member=member,
        period=member.periods.filter(end__isnull=True).order_by("-start").first(),
        branch_size=members_on_roll(member.organization).count(),
        pending_corrections=list(member.corrections.filter(status=CorrectionStatus.PENDING).order_by("created_at")),
        under_discipline=_under_discipline(member, today),
    )
    if member.category == Category.PROBATIONARY:
        home.probation = _probation(member)
        probation = home.probation
        if not probation.applied and probation.end <= today + dt.timedelta(days=PROBATION_NOTICE_DAYS):
            if probation.end < today:
                home.due.append(f"预备期已于{probation.end:%Y-%m-%d}届满，请尽快向党支部提交书面转正申请")
            else:
                home.due.append(f"预备期将于{probation.end:%Y-%m-%d}届满，请在届满前向党支部提交书面转正申请")
    return home


def _under_discipline(member: Member, today: dt.date) -> bool:
    if not apps.is_installed("dangjian.discipline"):
        return False
    from dangjian.discipline.queries import under_probation_discipline

    return member.pk in under_probation_discipline([member.pk], today)


# Where the regularization stands once applied for: the last step done (development's numbering).
REGULARIZATION_STAGES = {
    22: "转正申请已提交，等待支部大会讨论",
    23: "支部大会已讨论转正，等待上级党委审批",
    24: "上级党委已审批",
}


def _probation(member: Member) -> Probation:
    """The probation from the joining date: one year (《中国共产党章程》第七条), plus an extension
    recorded in the member's development file, and how far the regularization has gone."""
    extension, step = 0, 0
    if apps.is_installed("dangjian.development"):
        from dangjian.development.models import Applicant

        found = Applicant.objects.filter(member=member).values_list("extension_months", "step").first()
        if found is not None:
            extension, step = found
    end = add_months(add_years(member.joined_date, 1), extension)
    return Probation(
        start=member.joined_date,
        end=end,
        extension_months=extension,
        applied=step >= 22,
        stage=REGULARIZATION_STAGES.get(min(step, 24), "") if step >= 22 else "",
    )
