"""The home page of a 党员 login: their record, their organization with its real size, their
probation and what is due from them, a 留党察看 in force; the administrators' home unchanged."""

import datetime as dt

from django.utils import timezone

from conftest import _user, make_id_number
from dangjian.discipline import services as discipline
from dangjian.members import services
from dangjian.members.home import member_home


def _probationer(world, joined: dt.date):
    member = services.create_member(
        actor=world.county_admin,
        organization=world.village,
        name="孙七",
        id_number=make_id_number("1990-02-02", male=True, sequence=71),
        ethnicity="01",
        education="bachelor",
        category="probationary",
        joined_date=joined,
    )
    user = _user("sunqi", world.village)
    services.link_login(actor=world.county_admin, member=member, user=user)
    return member, user


def test_a_members_home_shows_their_record_and_their_organization_with_its_size(world):
    page = world.client(world.member_user).get("/").content.decode()
    assert "张三" in page and world.village.name in page
    assert "本组织党员" in page and '<dd class="col-8" data-testid="branch-size">2名</dd>' in page  # 张三, 李四
    assert "目前没有需要您办理的事项" in page
    assert f"/members/{world.zhangsan.pk}/" in page  # the whole record, one click away
    assert "年龄结构" not in page and "查看我的党员档案" not in page  # not the administrators' home


def test_a_probationer_near_the_end_is_asked_for_the_application(world):
    today = timezone.localdate()
    joined = today - dt.timedelta(days=330)
    _, user = _probationer(world, joined)
    page = world.client(user).get("/").content.decode()
    home = member_home(user, today)
    assert home.probation is not None and home.probation.start == joined
    end = f"{home.probation.end:%Y-%m-%d}"
    assert f"预备期自{joined:%Y-%m-%d}起，至{end}届满" in page
    assert f"预备期将于{end}届满，请在届满前向党支部提交书面转正申请" in page


def test_a_probationer_far_from_the_end_has_nothing_due_yet(world):
    _, user = _probationer(world, timezone.localdate() - dt.timedelta(days=30))
    assert member_home(user, timezone.localdate()).due == []


def test_a_member_under_probation_discipline_is_told_so(world):
    discipline.record_sanction(
        actor=world.town_admin,
        member=world.zhangsan,
        kind="probation",
        months=12,
        decided_on=timezone.localdate() - dt.timedelta(days=10),
        deciding_org=world.town,
        reason="违反组织纪律，情节较重",
        document_number="坪纪〔2023〕3号",
    )
    page = world.client(world.member_user).get("/").content.decode()
    assert "您正处于留党察看期间，没有表决权、选举权和被选举权" in page


def test_the_administrators_home_is_unchanged(world):
    page = world.client(world.branch_admin).get("/").content.decode()
    assert 'data-testid="total-members"' in page and "需要我办理的事项" not in page
