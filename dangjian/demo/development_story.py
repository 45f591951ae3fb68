"""Development files (发展党员) of the demo county, at every stage: applicants just talked to,
activists in training, development targets, probationary members, members regularized and their
files archived, a file closed, a pre-review the town did not agree to, a probation extended; and
the year's development plan, divided down to the demo branch.

Each file follows a path that meets every rule of the rule table (``path``), cut at the step it
has reached, so the due lists show what a real county would: the next assessment, probation
ending, an approval waiting.
"""

import datetime as dt
import math
from dataclasses import dataclass

from dangjian.core.dates import add_months, add_years
from dangjian.core.enums import Education, Occupation
from dangjian.development import rules
from dangjian.development import services as development
from dangjian.development.models import Applicant
from dangjian.development.services import StepInput
from dangjian.members.models import Member, PartyGroup
from dangjian.orgs.models import Organization, UnitCategory

from .activity import Cast, Story, unit_of

D = dt.timedelta


@dataclass(frozen=True)
class Event:
    day: dt.date
    kind: str  # "step", "assessment", "publicity"
    step: int = 0  # the step entered, or the step a publicity precedes
    start: dt.date | None = None  # a publicity's first day


def path(applied: dt.date) -> list[Event]:
    """Every step, assessment and publicity of a file that keeps every rule, from its application:
    an activist after 7 months, the development target a year and two weeks later, the branch
    vote three months after that, the upper committee's approval two months after the vote,
    regularization a year and a week after the vote (RULES.md §1.2)."""
    s = {1: applied, 2: applied + D(12)}
    s[3] = add_months(applied, 7)
    s.update({4: s[3] + D(6), 5: s[3] + D(12), 6: s[3] + D(25)})
    s[7] = add_years(s[3], 1) + D(14)
    s.update({8: s[7] + D(7), 9: s[7] + D(12), 10: s[7] + D(35), 11: s[7] + D(50), 12: s[7] + D(60)})
    s.update({13: s[12] + D(12)})
    s.update({14: s[13] + D(7), 15: s[13] + D(21)})
    s.update({16: s[15] + D(15), 17: add_months(s[15], 2)})
    s.update({18: s[17] + D(10), 19: s[17] + D(15), 20: s[17] + D(20), 21: s[17] + D(30)})
    s.update({22: add_months(s[15], 11) + D(7), 23: add_years(s[15], 1) + D(7)})
    s.update({24: s[23] + D(20)})
    s[25] = s[24] + D(14)
    events = [Event(day, "step", step) for step, day in s.items()]
    events += [Event(add_months(s[3], months), "assessment") for months in (5, 11)]
    events += [Event(add_months(s[15], months), "assessment") for months in (5, 11)]
    for step, (first, last) in {3: (-14, -4), 7: (-14, -4), 17: (2, 12), 24: (2, 12)}.items():
        base = s[step] if step in (3, 7) else s[rules.PUBLICITY_AFTER[step]]
        events.append(Event(base + D(last), "publicity", step, base + D(first)))
    return sorted(events, key=lambda event: (event.day, event.kind != "publicity", event.step))


def applied_for(step: int, reached: dt.date) -> dt.date:
    """The application date of a file whose step ``step`` was on ``reached``."""
    applied = reached
    for _ in range(4):  # months are not all alike: settle in a few rounds
        day = next(e.day for e in path(applied) if e.kind == "step" and e.step == step)
        applied -= day - reached
    while next(e.day for e in path(applied) if e.kind == "step" and e.step == step) > reached:
        applied -= D(1)
    return applied


@dataclass(frozen=True)
class Plan:
    where: str  # "branch": the demo branch; "pingtang", "gushan": a branch of the town; "county": any other
    step: int  # the last step done
    days_ago: int  # when it was done
    ending: str = ""  # "closed", "pre_review_refused", "extended"


PLANS = (
    # The demo branch: a file at each stage, one closed, and the member login's own, archived.
    Plan("branch", 2, 20),
    Plan("branch", 6, 150),  # its half-year assessment falls due
    Plan("branch", 11, 12),
    Plan("branch", 16, 50),
    Plan("branch", 21, 70),  # so does the first of its probation
    Plan("branch", 25, 420),
    Plan("branch", 3, 150, "closed"),
    # 坪塘镇: the admission and the regularization waiting for the town, a refusal, an extension.
    Plan("pingtang", 1, 6),
    Plan("pingtang", 3, 30),
    Plan("pingtang", 7, 25),
    Plan("pingtang", 13, 15),
    Plan("pingtang", 15, 20),
    Plan("pingtang", 17, 100),
    Plan("pingtang", 23, 8),
    Plan("pingtang", 13, 90, "pre_review_refused"),
    Plan("pingtang", 24, 30, "extended"),
    # 古山镇
    Plan("gushan", 2, 40),
    Plan("gushan", 5, 100),
    Plan("gushan", 12, 20),
    Plan("gushan", 19, 70),
    # the rest of the county
    Plan("county", 1, 12),
    Plan("county", 4, 50),
    Plan("county", 8, 35),
    Plan("county", 16, 100),  # the town has not approved within three months
    Plan("county", 18, 100),
)
QUOTA = {"county": 60, "pingtang": 14, "gushan": 10, "branch": 2}
OCCUPATION_OF = {
    UnitCategory.VILLAGE: (Occupation.FARMER, "村民"),
    UnitCategory.COMMUNITY: (Occupation.WORKER, "居民"),
    UnitCategory.NON_PUBLIC_ENTERPRISE: (Occupation.WORKER, "职工"),
    UnitCategory.SCHOOL: (Occupation.PROFESSIONAL, "教师"),
    UnitCategory.HOSPITAL: (Occupation.PROFESSIONAL, "医生"),
    UnitCategory.ORGAN: (Occupation.OFFICIAL, "干部"),
}
EDUCATION = (
    Education.BACHELOR,
    Education.JUNIOR_COLLEGE,
    Education.JUNIOR_COLLEGE,
    Education.HIGH_SCHOOL,
    Education.SECONDARY_SPECIALIZED,
)


def stories(cast: Cast) -> list[Story]:
    return [_quota(cast), *(_file(cast, plan) for plan in PLANS)]


def _branch_for(cast: Cast, where: str) -> Organization:
    """The demo branch, a branch of 坪塘镇 or 古山镇, or one of the rest of the county."""
    towns = {"pingtang": cast.town(cast.pingtang), "gushan": cast.town(cast.gushan)}
    if where == "branch":
        return cast.login_branch
    if where in towns:
        return cast.branch_in(towns[where], least=15, exclude=(cast.login_branch.pk,))
    return cast.choice(
        [
            branch
            for branch in cast.branches(cast.root, least=15)
            if not any(branch.path.startswith(town.path) for town in towns.values())
        ]
    )


def _quota(cast: Cast) -> Story:
    """The year's plan (发展党员计划): the county's own, then what it gives the two towns and
    what 坪塘镇 gives the demo branch."""
    towns = {"pingtang": cast.town(cast.pingtang), "gushan": cast.town(cast.gushan)}
    yield dt.date(cast.today.year, 1, 15) if cast.today >= dt.date(cast.today.year, 1, 15) else cast.today
    year = cast.today.year
    development.set_quota(actor=cast.county, organization=cast.root, year=year, amount=QUOTA["county"])
    for key, town in towns.items():
        development.set_quota(actor=cast.county, organization=town, year=year, amount=QUOTA[key])
    development.set_quota(actor=cast.pingtang, organization=cast.login_branch, year=year, amount=QUOTA["branch"])


def _file(cast: Cast, plan: Plan) -> Story:
    rng = cast.rng
    branch = _branch_for(cast, plan.where)
    reached = cast.today - D(plan.days_ago)
    applied = applied_for(plan.step, reached)
    female = rng.random() < 0.4
    birth = add_years(applied, -rng.randint(19, 34)) - D(rng.randint(0, 360))
    id_number = cast.new_id_number(birth, female)
    occupation, role = OCCUPATION_OF.get(UnitCategory(branch.unit_category), (Occupation.OTHER, "职工"))
    # The members who talk to, guide and introduce the applicant: full members of the branch
    # since before the application, and a member of the town's office for the upper committee.
    contacts = cast.members(branch, 2, since=applied)
    upper = _upper_talker(cast, branch, applied)
    writer, admin = cast.writer_of(branch), cast.admin_of(branch)
    events = [event for event in path(applied) if event.day <= reached]
    if plan.ending == "extended":  # no 拟转正公示 before approving an extension
        events = [event for event in events if not (event.kind == "publicity" and event.step == 24)]
    last = max(event.step for event in events if event.kind == "step")
    assert last == plan.step, (plan, last)
    applicant: Applicant | None = None
    for event in events:
        yield event.day
        if event.kind == "step" and event.step == rules.APPLICATION:
            applicant = development.create_applicant(
                actor=writer,
                organization=branch,
                name=cast.people.name(female),
                id_number=id_number,
                application_date=event.day,
                education=rng.choice(EDUCATION).value,
                occupation=occupation.value,
                job=f"{unit_of(branch)}{role}",
            )
            continue
        assert applicant is not None
        if event.kind == "assessment":
            development.record_assessment(
                actor=writer, applicant=applicant, date=event.day, note=rng.choice(ASSESSMENT_NOTES)
            )
        elif event.kind == "publicity":
            assert event.start is not None
            development.record_publicity(
                actor=writer,
                applicant=applicant,
                step=event.step,
                start=event.start,
                end=event.day,
                result="公示期间未收到反映，无异议",
            )
        else:
            step = event.step
            data = _input(cast, applicant, branch, step, event.day, contacts, upper, plan)
            actor = admin if step in rules.UPPER_STEPS else writer
            development.enter_step(actor=actor, applicant=applicant, step=step, date=event.day, data=data)
            applicant.refresh_from_db()
    if plan.ending == "closed":
        assert applicant is not None
        yield reached + D(40)
        development.close_file(
            actor=writer, applicant=applicant, date=reached + D(40), reason="本人因外出务工，申请暂缓入党，终止培养"
        )


ASSESSMENT_NOTES = (
    "政治立场坚定，积极参加支部组织的学习和活动，表现良好",
    "能按时参加组织生活，主动承担村务工作，群众反映较好",
    "学习态度端正，工作认真负责，与群众关系融洽",
    "思想上积极要求进步，能发挥模范作用，表现较好",
)


def _upper_talker(cast: Cast, branch: Organization, before: dt.date) -> Member:
    """A member of the town's 机关支部 (the county's offices for a county branch): whom the upper
    committee sends to talk to the applicant (step 16)."""
    town_path = branch.path[: 2 * Organization.steplen]
    office = (
        Organization.objects.filter(path__startswith=town_path, name__endswith="机关支部委员会")
        .exclude(pk=branch.pk)
        .order_by("path")
        .first()
    )
    return cast.member(office or branch, since=before)


def _input(
    cast: Cast,
    applicant: Applicant,
    branch: Organization,
    step: int,
    day: dt.date,
    contacts: list[Member],
    upper: Member,
    plan: Plan,
) -> StepInput:
    if step == rules.TALK:
        return StepInput(talkers=contacts[:1], note="了解入党动机，讲解党的基本知识")
    if step == rules.CONTACTS:
        return StepInput(contacts=contacts)
    if step == rules.INTRODUCERS:
        return StepInput(introducers=contacts)
    if step == rules.POLITICAL_REVIEW:
        return StepInput(review_passed=True, note="经函调和外调，本人及直系亲属政治历史清楚，政审合格")
    if step == rules.TRAINING:
        return StepInput(training_days=3, note="参加镇党委举办的发展对象培训班，考试合格")
    if step == rules.PRE_REVIEW and plan.ending == "pre_review_refused" and step == plan.step:
        return StepInput(reject=True, note="该同志近期工作岗位变动，现实表现有待进一步考察，暂缓发展")
    if step == 16:
        return StepInput(talkers=[upper])
    if step in (rules.ADMISSION_VOTE, rules.REGULARIZATION_VOTE):
        expected = development.expected_voters(branch, day).count()
        present = max(expected // 2 + 1, expected - math.ceil(expected * cast.rng.uniform(0.05, 0.2)))
        abstaining = 1 if present - 1 > expected // 2 + 1 and cast.rng.random() < 0.3 else 0
        vote = {"present": present, "yes": present - abstaining, "no": 0, "abstain": abstaining}
        if step == rules.ADMISSION_VOTE:
            return StepInput(vote=vote)
        if plan.ending == "extended":
            return StepInput(vote=vote, outcome="extend", extension_months=6, note="预备期间表现一般，延长预备期半年")
        return StepInput(vote=vote, outcome="regularize")
    if step == 19:
        group = PartyGroup.objects.filter(organization=branch, dissolved_date__isnull=True).order_by("id").first()
        return StepInput(party_group=group)
    if step == rules.ARCHIVE:
        return StepInput(note="入党材料整理归档")
    return StepInput()
