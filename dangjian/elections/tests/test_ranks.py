"""The rank of party posts (equal or higher, for the posts a sanction bars for two years), the
order officers are listed in (书记 first), and the vacancies a removal leaves (组织设置体检)."""

import datetime as dt

import pytest

from dangjian.elections import rules
from dangjian.elections.models import Position
from dangjian.elections.services import appoint_officer, start_term
from dangjian.orgs.models import OrgKind

D = dt.date
P = Position
K = OrgKind


def post(position: Position, kind: OrgKind = K.BRANCH, depth: int = 3) -> rules.Post:
    return rules.Post(position=position, kind=kind, depth=depth, organization="某党组织")


@pytest.mark.parametrize(
    ("new", "old", "equal_or_higher"),
    [
        # Within one organization: 书记 above 副书记 above the 委员 of every kind, who are equal.
        (post(P.SECRETARY), post(P.SECRETARY), True),
        (post(P.DEPUTY_SECRETARY), post(P.SECRETARY), False),
        (post(P.ORGANIZATION), post(P.SECRETARY), False),
        (post(P.SECRETARY), post(P.ORGANIZATION), True),
        (post(P.PROPAGANDA), post(P.ORGANIZATION), True),  # 委员 and 委员: equal
        (post(P.MEMBER), post(P.DISCIPLINE), True),
        (post(P.ORGANIZATION), post(P.DEPUTY_SECRETARY), False),
        # A branch secretary of another branch, deeper in the tree: still a branch secretary.
        (post(P.SECRETARY, depth=4), post(P.SECRETARY, depth=3), True),
        (post(P.SECRETARY, K.JOINT_BRANCH), post(P.SECRETARY), True),
        # Any post of a 党总支 is above the posts of the branches; a 党委's above the 总支's.
        (post(P.MEMBER, K.GENERAL_BRANCH), post(P.SECRETARY), True),
        (post(P.SECRETARY), post(P.MEMBER, K.GENERAL_BRANCH), False),
        (post(P.ORGANIZATION, K.COMMITTEE, 2), post(P.SECRETARY, K.GENERAL_BRANCH, 3), True),
        (post(P.SECRETARY, K.GENERAL_BRANCH, 3), post(P.MEMBER, K.COMMITTEE, 2), False),
        (post(P.SECRETARY), post(P.MEMBER, K.COMMITTEE, 2), False),  # a town 党委委员 made branch secretary
        # Among 党委: the one above ranks higher (a county committee over a town's).
        (post(P.MEMBER, K.COMMITTEE, 1), post(P.SECRETARY, K.COMMITTEE, 2), True),
        (post(P.SECRETARY, K.COMMITTEE, 2), post(P.MEMBER, K.COMMITTEE, 1), False),
        (post(P.SECRETARY, K.COMMITTEE, 2), post(P.SECRETARY, K.WORKING_COMMITTEE, 2), True),
    ],
)
def test_equal_or_higher_post(new, old, equal_or_higher):
    assert rules.equal_or_higher(new, old) is equal_or_higher


def test_positions_are_listed_by_rank():
    shuffled = [P.MEMBER, P.WOMEN, P.DISCIPLINE, P.SECRETARY, P.YOUTH, P.ORGANIZATION, P.DEPUTY_SECRETARY, P.PROPAGANDA]
    ordered = sorted(shuffled, key=rules.position_order)
    assert [p.label for p in ordered] == [
        "书记",
        "副书记",
        "组织委员",
        "宣传委员",
        "纪检委员",
        "青年委员",
        "妇女委员",
        "委员",
    ]


def officer(position: Position, name: str, since: dt.date, until: dt.date | None = None, removal: str = ""):
    return rules.Seat(position=position, member_name=name, since=since, until=until, removal=removal)


REMOVED = "受到留党察看处分，党内职务自然撤销"


@pytest.mark.parametrize(
    ("seats", "vacant"),
    [
        ([officer(P.SECRETARY, "张三", D(2021, 3, 1))], []),
        ([officer(P.SECRETARY, "张三", D(2021, 3, 1), D(2023, 1, 15), REMOVED)], ["张三"]),
        # Filled again on or after the day: no vacancy.
        (
            [
                officer(P.SECRETARY, "张三", D(2021, 3, 1), D(2023, 1, 15), REMOVED),
                officer(P.SECRETARY, "李四", D(2023, 1, 15)),
            ],
            [],
        ),
        # Relieved in the ordinary way (免职): not a vacancy the report names.
        ([officer(P.SECRETARY, "张三", D(2021, 3, 1), D(2023, 1, 15))], []),
        # Another 委员 appointed before the removal does not fill the removed one's seat.
        (
            [
                officer(P.MEMBER, "李四", D(2021, 3, 1)),
                officer(P.MEMBER, "张三", D(2021, 3, 1), D(2023, 1, 15), REMOVED),
            ],
            ["张三"],
        ),
    ],
)
def test_a_post_removed_by_a_sanction_is_vacant_until_filled(seats, vacant):
    assert [seat.member_name for seat in rules.vacancies(seats)] == vacant


def test_the_vacancy_finding_names_the_post_the_member_and_the_day():
    [finding] = rules.vacancy_findings([officer(P.SECRETARY, "张三", D(2021, 3, 1), D(2023, 1, 15), REMOVED)])
    assert finding.code == "vacant_post"
    assert finding.message == "书记空缺：张三2023-01-15受到留党察看处分，党内职务自然撤销，尚未补选"
    assert "《中国共产党纪律处分条例》" in finding.rule and "RULES" not in finding.rule


def test_officers_are_listed_secretary_first_on_the_pages_and_in_the_api(world):
    term = start_term(actor=world.county_admin, organization=world.town, start=D(2021, 3, 1))
    for position, member in (
        (P.MEMBER, world.wangfang),
        (P.ORGANIZATION, world.lisi),
        (P.SECRETARY, world.zhangsan),
    ):
        appoint_officer(actor=world.county_admin, term=term, position=position, member=member, since=D(2021, 3, 1))
    client = world.client(world.county_admin)
    api = client.get(f"/api/v1/terms/{term.pk}/").json()
    assert [o["position_display"] for o in api["officers"]] == ["书记", "组织委员", "委员"]
    page = client.get(f"/elections/terms/{world.town.pk}/").content.decode()
    assert page.index("张三") < page.index("李四") < page.index("王芳")
    panel = client.get(f"/orgs/{world.town.pk}/").content.decode()
    assert panel.index("书记：张三") < panel.index("组织委员：李四") < panel.index("委员：王芳")
