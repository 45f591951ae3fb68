"""A few sanctions (党纪处分) of the demo county, as the 纪律处分条例 grades them: warnings in effect
and long over, a 严重警告, a 撤销党内职务, 留党察看 in force, extended and ended with rights
restored, and one 开除党籍. Decided by the member's town committee (the county's for its own
offices and for the other towns), recorded by its administrator."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from dangjian.core.dates import add_months
from dangjian.discipline import services as discipline
from dangjian.discipline.models import SanctionKind
from dangjian.elections.models import Officer
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, UnitCategory

from .activity import Cast, Story
from .county import COUNTY_NAME

D = dt.timedelta


@dataclass(frozen=True)
class Case:
    where: str  # "branch" (the demo branch), "pingtang", "gushan", "county"
    kind: SanctionKind
    months_ago: int
    reason: str
    months: int | None = None  # 留党察看: 12 or 24
    then: str = ""  # "restore" (rights restored at the end), "extend" (extended at the end)


CASES = (
    Case("branch", SanctionKind.WARNING, 4, "违反群众纪律，在低保对象评议中优亲厚友"),
    Case("pingtang", SanctionKind.SERIOUS_WARNING, 14, "违反廉洁纪律，违规收受服务对象礼金"),
    Case("pingtang", SanctionKind.PROBATION, 5, "醉酒驾驶机动车，被人民法院判处拘役二个月", months=12),
    Case("pingtang", SanctionKind.WARNING, 40, "违反工作纪律，村级财务报账不及时、不规范"),
    Case("gushan", SanctionKind.PROBATION, 14, "违反组织纪律，在村级换届选举中拉票", months=12, then="restore"),
    Case("gushan", SanctionKind.REMOVAL_FROM_POST, 8, "违反工作纪律，在惠农补贴发放中审核把关不严"),
    Case("county", SanctionKind.PROBATION, 15, "违反廉洁纪律，利用职务便利为亲属承揽工程", months=12, then="extend"),
    Case("county", SanctionKind.EXPULSION, 9, "违犯国家法律，犯诈骗罪被判处有期徒刑三年"),
)


def stories(cast: Cast) -> list[Story]:
    numbers: dict[int, int] = {}  # the deciding organization's documents of the demo, numbered
    return [_sanction(cast, case, numbers) for case in CASES]


def _member_for(cast: Cast, case: Case, decided: dt.date) -> Member:
    towns = {"pingtang": cast.town(cast.pingtang), "gushan": cast.town(cast.gushan)}
    if case.where == "branch":
        return cast.member(cast.login_branch, since=decided)
    if case.kind == SanctionKind.REMOVAL_FROM_POST:
        return _officer_of(cast, towns.get(case.where, cast.root), decided)
    if case.where in towns:
        branch = cast.branch_in(towns[case.where], exclude=(cast.login_branch.pk,))
    else:
        branch = cast.choice(
            [b for b in cast.branches(cast.root) if not any(b.path.startswith(t.path) for t in towns.values())]
        )
    return cast.member(branch, since=decided)


def _officer_of(cast: Cast, town: Organization, decided: dt.date) -> Member:
    """A member of the town holding a post of a branch committee since before ``decided``."""
    posts = (
        Officer.objects.filter(
            member__org_path__startswith=town.path,
            member__deleted_at__isnull=True,
            since__lt=decided,
            term__organization__kind__in=("branch", "joint_branch"),
        )
        .filter(Q(until__isnull=True))
        .exclude(member__in=cast.used)
        .exclude(member__organization__in=cast.reserved)  # a merger ends the posts it carries over
        .exclude(position="secretary")
        .order_by("id")
    )
    officer = cast.choice(list(posts))
    cast.used.add(officer.member_id)
    return officer.member


def _deciding(cast: Cast, member: Member) -> Organization:
    """The member's town committee (the organization directly under the county), or the county."""
    town_path = member.org_path[: 2 * Organization.steplen]
    town = Organization.objects.get(path=town_path)
    return town if town.unit_category in (UnitCategory.TOWNSHIP, UnitCategory.SUBDISTRICT) else cast.root


def _sanction(cast: Cast, case: Case, numbers: dict[int, int]) -> Story:
    decided = add_months(cast.today, -case.months_ago) - D(cast.rng.randint(0, 20))
    member = _member_for(cast, case, decided)
    deciding = _deciding(cast, member)
    recorder = cast.admin_of(member.organization)
    numbers[deciding.pk] = numbers.get(deciding.pk, 0) + 1
    prefix = (deciding.short_name if deciding.pk != cast.root.pk else COUNTY_NAME)[:1]  # 坪纪发, 清纪发
    document = f"{prefix}纪发〔{decided.year}〕{numbers[deciding.pk]}号"
    post = None
    if case.kind == SanctionKind.REMOVAL_FROM_POST:
        post = Officer.objects.filter(member=member, until__isnull=True).order_by("id").first()
    yield decided
    sanction = discipline.record_sanction(
        actor=recorder,
        member=member,
        kind=case.kind.value,
        decided_on=decided,
        deciding_org=deciding,
        reason=case.reason,
        document_number=document,
        months=case.months,
        post=post,
    )
    if case.then:
        assert case.months is not None
        end = add_months(decided, case.months)
        yield end + D(10)
        if case.then == "restore":
            discipline.restore_rights(
                actor=recorder, sanction=sanction, date=end + D(10), reason="察看期间表现良好，确有悔改"
            )
        else:
            discipline.extend_probation_discipline(
                actor=recorder,
                sanction=sanction,
                date=end + D(10),
                reason="察看期间表现一般，尚不具备恢复党员权利的条件",
            )
