"""The organizations of the synthetic county, planned before anything is written.

The backbone follows the source reports (shared/sources/): county organs, education, health and
the non-public sector; 坪塘镇 as its report describes it (15 villages, 5 communities, 16 enterprise
and institution branches: 36 党(总)支部 and 1,953 members; the 35 former village branches now sit
under the 15 merged villages' 党总支, and 12 of the 28 enterprise branches were abolished in the
2005 regrouping); 古山镇 with its 区域化党建 layout (upgraded village 党委, a 商会党委 over the
non-public enterprises, branches in cooperatives and for incoming workers). Further towns are
added until the county holds the requested number of members.
"""

import datetime as dt
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from dangjian.orgs.models import OrgKind, UnitCategory

from . import names

COUNTY_NAME = "清河县"
COUNTY_REGION = "430122"  # the county's administrative division code (GB/T 2260), also the ID prefix


Founded = str | tuple[int, int]  # a date, or a range of years to draw one from

PROFILE_OF_UNIT = {  # the kind of members a unit has (people.py draws them by profile)
    UnitCategory.VILLAGE: "village",
    UnitCategory.COMMUNITY: "community",
    UnitCategory.SCHOOL: "school",
    UnitCategory.HOSPITAL: "hospital",
    UnitCategory.NON_PUBLIC_ENTERPRISE: "enterprise",
    UnitCategory.SOCIAL_ORGANIZATION: "enterprise",
}


@dataclass
class OrgSpec:
    name: str
    kind: OrgKind
    unit: UnitCategory
    parent: int | None
    founded: dt.date
    profile: str = "organ"
    size: float = 0.0  # intended members; only branch-level organizations hold members here
    short_name: str = ""
    abolished: dt.date | None = None
    children: list[int] = field(default_factory=list)


class CountyPlan:
    """The organizations of the county, in creation order, before anything is written."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.orgs: list[OrgSpec] = []
        self.names: set[str] = set()
        self.places: dict[str, set[str]] = {}

    def committee(
        self,
        parent: int | None,
        name: str,
        unit: UnitCategory,
        *,
        founded: Founded,
        short: str = "",
        kind: OrgKind = OrgKind.COMMITTEE,
    ) -> int:
        """An organization above branch level: it holds no members itself."""
        return self._add(OrgSpec(name, kind, unit, parent, self._date(founded), short_name=short))

    def branch(
        self,
        parent: int,
        name: str,
        unit: UnitCategory,
        *,
        founded: Founded,
        size: float = 0,
        short: str = "",
        kind: OrgKind = OrgKind.BRANCH,
        profile: str | None = None,
        abolished: str | None = None,
    ) -> int:
        """A branch-level organization of about ``size`` members (none once abolished)."""
        spec = OrgSpec(
            name,
            kind,
            unit,
            parent,
            self._date(founded),
            profile or PROFILE_OF_UNIT.get(unit, "organ"),
            self.size(size) if size else 0.0,
            short,
            dt.date.fromisoformat(abolished) if abolished else None,
        )
        return self._add(spec)

    def companies(
        self, parent: int, prefix: str, count: int, *, founded: Founded, size: float = 0, abolished: str | None = None
    ) -> None:
        """``count`` non-public enterprise branches, each company named by ``prefix`` (its town or
        the county), a brand and a kind of business, no two alike."""
        for _ in range(count):
            company = self.company(prefix)
            self.branch(
                parent,
                f"中共{company}支部委员会",
                UnitCategory.NON_PUBLIC_ENTERPRISE,
                founded=founded,
                size=size,
                abolished=abolished,
            )

    def company(self, prefix: str) -> str:
        """A company name not yet used: ``prefix``, a brand, a kind of business."""
        while True:
            name = f"{prefix}{self.place(f'companies:{prefix}')}{self.rng.choice(names.ENTERPRISE_KINDS)}"
            if f"中共{name}支部委员会" not in self.names:
                return name

    def _add(self, spec: OrgSpec) -> int:
        # Two organizations of one name would be two entries nobody can tell apart (and a
        # registry that accepted it would be wrong): the plan refuses it outright.
        if spec.name in self.names:
            raise ValueError(f"the demo county would have two organizations named {spec.name}")
        self.names.add(spec.name)
        self.orgs.append(spec)
        index = len(self.orgs) - 1
        if spec.parent is not None:
            self.orgs[spec.parent].children.append(index)
        return index

    def _date(self, founded: Founded) -> dt.date:
        if isinstance(founded, str):
            return dt.date.fromisoformat(founded)
        return dt.date(self.rng.randint(*founded), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def place(self, within: str, *, taken: Iterable[str] = ()) -> str:
        """A place name (兴山, 白塘…) not yet used ``within`` one scope: the villages and
        communities of a town, the brands of a town's companies, the towns of the county;
        ``taken``: names that scope already has."""
        used = self.places.setdefault(within, set())
        used.update(taken)
        if len(used) >= len(names.PLACE_FIRST) * len(names.PLACE_SECOND):
            raise ValueError(f"no place name left for {within}")
        while True:
            place = self.rng.choice(names.PLACE_FIRST) + self.rng.choice(names.PLACE_SECOND)
            if place not in used:
                used.add(place)
                return place

    def size(self, mean: float) -> float:
        return mean * self.rng.uniform(0.7, 1.3)

    def total(self) -> float:
        return sum(spec.size for spec in self.orgs)

    def normalize(self, first: int, total: float) -> None:
        """Scale the sizes of the organizations added since ``first`` to sum to ``total``."""
        added = self.orgs[first:]
        current = sum(spec.size for spec in added)
        for spec in added:
            spec.size *= total / current


def plan_county(members: int, rng: random.Random) -> CountyPlan:
    plan = CountyPlan(rng)
    root = plan.committee(None, f"中共{COUNTY_NAME}委员会", UnitCategory.ORGAN, founded="1949-10-01", short="县委")
    _county_organs(plan, root)
    _pingtang(plan, root)
    _gushan(plan, root)
    backbone = plan.total()
    if members > backbone:
        town_size = min(max(members / 50, 1500), 20000)
        towns = math.ceil((members - backbone) / town_size)
        for number in range(towns):
            _generic_town(plan, root, number, (members - backbone) / towns)
    scale = members / plan.total()
    for spec in plan.orgs:
        spec.size *= scale
    return plan


COUNTY_OFFICES = (
    "县委办公室",
    "县人大常委会办公室",
    "县政府办公室",
    "县政协办公室",
    "县纪委监委机关",
    "县委组织部",
    "县委宣传部",
    "县发展和改革局",
    "县财政局",
    "县人力资源和社会保障局",
    "县农业农村局",
    "县自然资源局",
)
COUNTY_SCHOOLS = ("第二中学", "第三中学", "职业中专", "实验小学", "城关小学", "城东小学", "城西小学", "特殊教育学校")


def _county_organs(plan: CountyPlan, root: int) -> None:
    county = COUNTY_NAME
    organs = plan.committee(
        root,
        f"中共{county}直属机关工作委员会",
        UnitCategory.ORGAN,
        founded="1984-06-01",
        short="县直机关工委",
        kind=OrgKind.WORKING_COMMITTEE,
    )
    for office in COUNTY_OFFICES:
        plan.branch(
            organs,
            f"中共{county}{office.removeprefix('县')}支部委员会",  # 中共清河县委办公室…, not 清河县县委
            UnitCategory.ORGAN,
            founded=(1980, 2000),
            size=25,
            short=f"{office}党支部",
        )
    education = plan.committee(
        root, f"中共{county}教育局委员会", UnitCategory.ORGAN, founded="1985-09-01", short="教育局党委"
    )
    first = plan.committee(
        education,
        f"中共{county}第一中学总支部委员会",
        UnitCategory.SCHOOL,
        founded="1988-09-01",
        short="一中党总支",
        kind=OrgKind.GENERAL_BRANCH,
    )
    for part in ("高中部", "初中部", "退休教师"):
        plan.branch(
            first,
            f"中共{county}第一中学{part}支部委员会",
            UnitCategory.SCHOOL,
            founded="1988-09-01",
            size=30,
            short=f"一中{part}党支部",
        )
    for school in COUNTY_SCHOOLS:
        plan.branch(
            education,
            f"中共{county}{school}支部委员会",
            UnitCategory.SCHOOL,
            founded=(1985, 2005),
            size=20,
            short=f"{school}党支部",
        )
    health = plan.committee(
        root, f"中共{county}卫生健康局委员会", UnitCategory.ORGAN, founded="1990-03-01", short="卫健局党委"
    )
    hospital = plan.committee(
        health, f"中共{county}人民医院委员会", UnitCategory.HOSPITAL, founded="1992-07-01", short="县人民医院党委"
    )
    for part in ("内科", "外科", "医技", "行政后勤"):
        plan.branch(
            hospital,
            f"中共{county}人民医院{part}支部委员会",
            UnitCategory.HOSPITAL,
            founded="1992-07-01",
            size=35,
            short=f"医院{part}党支部",
        )
    for clinic in ("中医医院", "妇幼保健院", "疾病预防控制中心"):
        plan.branch(
            health,
            f"中共{county}{clinic}支部委员会",
            UnitCategory.PUBLIC_INSTITUTION,
            founded=(1990, 2005),
            size=18,
            short=f"{clinic}党支部",
            profile="hospital",
        )
    private = plan.committee(
        root,
        f"中共{county}非公有制经济组织委员会",
        UnitCategory.NON_PUBLIC_ENTERPRISE,
        founded="2004-05-01",
        short="非公党委",
    )
    plan.companies(private, county.removesuffix("县"), 6, founded=(2004, 2020), size=18)
    for area in ("经开区", "城东", "城西"):
        plan.branch(
            private,
            f"中共{county}{area}非公企业联合支部委员会",
            UnitCategory.NON_PUBLIC_ENTERPRISE,
            founded=(2008, 2020),
            size=9,
            kind=OrgKind.JOINT_BRANCH,
        )
    social = plan.committee(
        root,
        f"中共{county}社会组织委员会",
        UnitCategory.SOCIAL_ORGANIZATION,
        founded="2012-07-01",
        short="社会组织党委",
    )
    for body in ("律师协会", "个体劳动者协会", "志愿者协会"):
        plan.branch(
            social, f"中共{county}{body}支部委员会", UnitCategory.SOCIAL_ORGANIZATION, founded=(2012, 2020), size=10
        )


PINGTANG_VILLAGES = (  # village → branches before the 2005 merger (35 in all)
    ("兴丰", 3),
    ("连山", 3),
    ("新联", 2),
    ("白泉", 3),
    ("大兴", 2),
    ("马桥", 2),
    ("玉峰", 3),
    ("乌山", 2),
    ("观音港", 2),
    ("新合", 2),
    ("双园", 3),
    ("清风", 2),
    ("龙骨", 2),
    ("坪塘", 2),
    ("白鹤", 2),
)


def _pingtang(plan: CountyPlan, root: int) -> None:
    """坪塘镇 as its 2006 report describes it: 36 党(总)支部, 1,953 members."""
    first = len(plan.orgs)
    town = plan.committee(root, "中共坪塘镇委员会", UnitCategory.TOWNSHIP, founded="1956-03-01", short="坪塘镇党委")
    for village, parts in PINGTANG_VILLAGES:
        general = plan.committee(
            town,
            f"中共坪塘镇{village}村总支部委员会",
            UnitCategory.VILLAGE,
            founded="2005-10-01",
            short=f"{village}村党总支",
            kind=OrgKind.GENERAL_BRANCH,
        )
        for part in "一二三"[:parts]:
            plan.branch(
                general,
                f"中共坪塘镇{village}村第{part}支部委员会",
                UnitCategory.VILLAGE,
                founded=(1956, 1980),
                size=1225 / 35,
                short=f"{village}村第{part}党支部",
            )
    for community in ("坪塘", "新街", "湘江", "建新", "正塘"):
        plan.branch(
            town,
            f"中共坪塘镇{community}社区支部委员会",
            UnitCategory.COMMUNITY,
            founded=(1995, 2004),
            size=60,
            short=f"{community}社区党支部",
        )
    plan.branch(
        town, "中共坪塘镇机关支部委员会", UnitCategory.ORGAN, founded="1956-03-01", size=45, short="镇机关党支部"
    )
    for unit, category in (
        ("坪塘镇中学", UnitCategory.SCHOOL),
        ("坪塘镇中心小学", UnitCategory.SCHOOL),
        ("坪塘镇卫生院", UnitCategory.HOSPITAL),
    ):
        plan.branch(town, f"中共{unit}支部委员会", category, founded=(1970, 1995), size=22)
    plan.branch(
        town,
        "中共三环颜料有限公司支部委员会",
        UnitCategory.NON_PUBLIC_ENTERPRISE,
        founded="1996-05-01",
        size=40,
        short="三环颜料党支部",
    )
    plan.companies(town, "坪塘", 9, founded=(1995, 2005), size=24)
    for name, short, size in (("非公企业", "非公企业联合党支部", 20), ("个体私营经济", "个私联合党支部", 16)):
        plan.branch(
            town,
            f"中共坪塘镇{name}联合支部委员会",
            UnitCategory.NON_PUBLIC_ENTERPRISE,
            founded="2005-09-30",
            size=size,
            short=short,
            kind=OrgKind.JOINT_BRANCH,
        )
    # Regrouped in September 2005: 28 enterprise branches became 16.
    plan.companies(town, "坪塘", 12, founded=(1990, 2002), abolished="2005-09-30")
    plan.normalize(first, 1953)


def _gushan(plan: CountyPlan, root: int) -> None:
    """古山镇, a 乡镇党建科学化 pilot: 区域化党建 with upgraded village committees and a 商会党委."""
    town = plan.committee(root, "中共古山镇委员会", UnitCategory.TOWNSHIP, founded="1956-03-01", short="古山镇党委")
    plan.branch(
        town, "中共古山镇机关支部委员会", UnitCategory.ORGAN, founded="1956-03-01", size=35, short="镇机关党支部"
    )
    for village in ("古山", "前仓"):  # 探索升格村党组织设置
        committee = plan.committee(
            town, f"中共古山镇{village}村委员会", UnitCategory.VILLAGE, founded="2010-06-01", short=f"{village}村党委"
        )
        for part in ("第一", "第二", "产业", "老年"):
            plan.branch(
                committee,
                f"中共古山镇{village}村{part}支部委员会",
                UnitCategory.VILLAGE,
                founded="2010-06-01",
                size=35,
                short=f"{village}村{part}党支部",
            )
    for _ in range(8):
        village = plan.place("古山镇", taken=("古山", "前仓", "金胜", "世雅"))
        plan.branch(
            town,
            f"中共古山镇{village}村支部委员会",
            UnitCategory.VILLAGE,
            founded=(1956, 1985),
            size=40,
            short=f"{village}村党支部",
        )
    for community in ("古山", "金胜", "世雅"):
        plan.branch(town, f"中共古山镇{community}社区支部委员会", UnitCategory.COMMUNITY, founded=(2000, 2010), size=45)
    plan.branch(
        town,
        "中共古山镇五金农民专业合作社支部委员会",
        UnitCategory.OTHER,
        founded="2009-03-01",
        size=12,
        profile="village",
    )
    plan.branch(
        town,
        "中共古山镇新古山人之家支部委员会",
        UnitCategory.SOCIAL_ORGANIZATION,
        founded="2009-07-01",
        size=15,
        short="新古山人之家党支部",
    )
    chamber = plan.committee(
        town, "中共古山镇商会委员会", UnitCategory.SOCIAL_ORGANIZATION, founded="2008-11-01", short="商会党委"
    )
    plan.companies(chamber, "古山", 5, founded=(2005, 2015), size=15)
    for area in ("工业园", "五金城"):
        plan.branch(
            chamber,
            f"中共古山镇{area}非公企业联合支部委员会",
            UnitCategory.NON_PUBLIC_ENTERPRISE,
            founded=(2008, 2015),
            size=8,
            kind=OrgKind.JOINT_BRANCH,
        )
    plan.branch(town, "中共古山镇中心学校支部委员会", UnitCategory.SCHOOL, founded="1980-09-01", size=20)
    plan.branch(town, "中共古山镇卫生院支部委员会", UnitCategory.HOSPITAL, founded="1985-05-01", size=15)


GENERIC_UNITS = (  # share of a generic town's branches by kind of unit
    (UnitCategory.VILLAGE, 0.6),
    (UnitCategory.COMMUNITY, 0.15),
    (UnitCategory.NON_PUBLIC_ENTERPRISE, 0.2),
    (UnitCategory.SCHOOL, 0.05),
)
BRANCHES_PER_VILLAGE = (1, 1, 1, 2, 2, 3)  # a large village has a 党总支 over two or three branches
TOWN_NAMES_TAKEN = ("坪塘", "古山", COUNTY_NAME.removesuffix("县"))


def _generic_town(plan: CountyPlan, root: int, number: int, size: float) -> None:
    """A town (every fourth a 街道 under a 党工委) of ``size`` members in branches of about 38:
    villages (one branch, or a 党总支 over 第一、第二… branches), communities, companies and
    schools, every one named once."""
    rng = plan.rng
    first = len(plan.orgs)
    subdistrict = number % 4 == 0
    place = plan.place("towns", taken=TOWN_NAMES_TAKEN)
    town_name = f"{place}{'街道' if subdistrict else '镇'}"
    town = plan.committee(
        root,
        f"中共{town_name}{'工作' if subdistrict else ''}委员会",
        UnitCategory.SUBDISTRICT if subdistrict else UnitCategory.TOWNSHIP,
        founded=(1956, 1995),
        short=f"{town_name}{'党工委' if subdistrict else '党委'}",
        kind=OrgKind.WORKING_COMMITTEE if subdistrict else OrgKind.COMMITTEE,
    )
    branches = max(6, round(size / 38))
    mean = size / branches
    plan.branch(
        town,
        f"中共{town_name}机关支部委员会",
        UnitCategory.ORGAN,
        founded=(1956, 1995),
        size=35,
        short=f"{town_name}机关党支部",
    )
    units = [unit for unit, _ in GENERIC_UNITS]
    drawn = rng.choices(units, [share for _, share in GENERIC_UNITS], k=branches - 1)
    if subdistrict:  # a 街道 has communities, not villages
        drawn = [UnitCategory.COMMUNITY if unit == UnitCategory.VILLAGE else unit for unit in drawn]
    villages = drawn.count(UnitCategory.VILLAGE)
    while villages > 0:
        parts = min(villages, rng.choice(BRANCHES_PER_VILLAGE))
        villages -= parts
        _village(plan, town, town_name, parts, mean)
    for _ in range(drawn.count(UnitCategory.COMMUNITY)):
        community = plan.place(town_name)
        plan.branch(
            town,
            f"中共{town_name}{community}社区支部委员会",
            UnitCategory.COMMUNITY,
            founded=(1995, 2015),
            size=mean,
            short=f"{community}社区党支部",
        )
    for _ in range(drawn.count(UnitCategory.NON_PUBLIC_ENTERPRISE)):
        company = plan.company(place)
        plan.branch(
            town, f"中共{company}支部委员会", UnitCategory.NON_PUBLIC_ENTERPRISE, founded=(1995, 2020), size=mean
        )
    schools = iter((f"{town_name}中学", f"{town_name}中心小学"))
    for _ in range(drawn.count(UnitCategory.SCHOOL)):
        school = next(schools, None) or f"{town_name}{plan.place(town_name)}小学"
        plan.branch(town, f"中共{school}支部委员会", UnitCategory.SCHOOL, founded=(1960, 2000), size=mean)
    plan.normalize(first, size)


def _village(plan: CountyPlan, town: int, town_name: str, parts: int, mean: float) -> None:
    """A village of ``parts`` branches: one 党支部, or a 党总支 over 第一 … 第``parts``支部."""
    village = plan.place(town_name)
    founded = (1956, 1990)
    if parts == 1:
        plan.branch(
            town,
            f"中共{town_name}{village}村支部委员会",
            UnitCategory.VILLAGE,
            founded=founded,
            size=mean,
            short=f"{village}村党支部",
        )
        return
    general = plan.committee(
        town,
        f"中共{town_name}{village}村总支部委员会",
        UnitCategory.VILLAGE,
        founded=(1995, 2010),
        short=f"{village}村党总支",
        kind=OrgKind.GENERAL_BRANCH,
    )
    for number in range(1, parts + 1):
        part = names.ordinal(number)
        plan.branch(
            general,
            f"中共{town_name}{village}村第{part}支部委员会",
            UnitCategory.VILLAGE,
            founded=founded,
            size=mean,
            short=f"{village}村第{part}党支部",
        )
