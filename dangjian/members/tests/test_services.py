"""Registering and correcting members: every refusal names its field in Chinese and writes nothing."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from conftest import make_id_number
from dangjian.core.errors import DomainError
from dangjian.members.models import Category, Member, MembershipPeriod
from dangjian.members.services import create_member, delete_member, update_member


def register(world, actor=None, organization=None, **overrides):
    values: dict[str, Any] = {
        "name": "周小红",
        "id_number": make_id_number("1992-04-05", male=False, sequence=40),
        "ethnicity": "01",
        "education": "bachelor",
        "category": "full",
        "joined_date": dt.date(2015, 6, 1),
        "regularized_date": dt.date(2016, 6, 1),
    }
    return create_member(
        actor=actor or world.town_admin, organization=organization or world.village, **(values | overrides)
    )


def test_it_registers_a_member_with_derived_fields_and_an_open_period(world):
    member = register(world)
    assert (member.gender, member.birth_date) == ("2", dt.date(1992, 4, 5))
    assert (member.name_pinyin, member.name_initials) == ("zhouxiaohong", "zxh")
    assert member.org_path == world.village.path
    period = MembershipPeriod.objects.get(member=member)
    assert (period.organization, period.start, period.end) == (world.village, dt.date(2015, 6, 1), None)


def test_the_period_starts_at_the_organization_founding_when_that_is_later(world):
    member = register(
        world,
        joined_date=dt.date(1985, 6, 1),
        regularized_date=dt.date(1986, 6, 1),
        id_number=make_id_number("1960-01-01", male=True, sequence=41),
    )
    assert member.periods.get().start == world.village.founded_date


def test_a_15_digit_number_is_stored_as_18(world):
    member = register(world, id_number="430122920405082")
    assert member.id_number == "430122199204050822"


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"id_number": "430122199204050820"}, "id_number", "校验位"),
        ({"id_number": ""}, "id_number", "请填写公民身份号码"),
        ({"name": ""}, "name", "请填写姓名"),
        ({"birth_date": dt.date(1992, 4, 6)}, "birth_date", "不一致"),
        ({"gender": "1"}, "gender", "不一致"),
        ({"joined_date": dt.date(2009, 1, 1), "regularized_date": None}, "joined_date", "未满18周岁"),
        ({"category": "probationary"}, "regularized_date", "预备党员不能有转正日期"),
        ({"education": "phd"}, "education", "不在可选范围内"),
        ({"since": dt.date(2014, 1, 1)}, "since", "不能早于入党日期"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(world, overrides, field, text):
    before = (Member.objects.count(), MembershipPeriod.objects.count())
    with pytest.raises(DomainError) as refused:
        register(world, **overrides)
    assert any(text in message for message in refused.value.errors[field]), refused.value.errors
    assert (Member.objects.count(), MembershipPeriod.objects.count()) == before


def test_all_problems_are_reported_at_once(world):
    with pytest.raises(DomainError) as refused:
        register(world, name="", gender="1", education="phd")
    assert {"name", "gender", "education"} <= set(refused.value.errors)


def test_a_member_cannot_be_placed_above_branch_level(world):
    with pytest.raises(DomainError) as refused:
        register(world, organization=world.town)
    assert "党委不直接管理党员" in refused.value.errors["organization"][0]


def test_a_duplicate_id_number_names_the_place_only_inside_the_scope(world):
    with pytest.raises(DomainError) as inside:
        register(world, id_number=world.wangfang.id_number)
    assert "新街社区" in inside.value.errors["id_number"][0]
    assert "王芳" in inside.value.errors["id_number"][0]
    with pytest.raises(DomainError) as outside:
        register(world, id_number=world.zhaoliu.id_number)
    message = outside.value.errors["id_number"][0]
    assert "其他党组织" in message
    assert "三环" not in message
    assert "赵六" not in message


def test_roles_that_may_not_write_are_refused_and_outside_organizations_hidden(world):
    with pytest.raises(PermissionDenied):
        register(world, actor=world.member_user)
    with pytest.raises(DomainError) as refused:
        register(world, actor=world.branch_admin, organization=world.community)
    assert "不在您的管理范围内" in refused.value.errors["organization"][0]


def test_update_changes_only_given_fields_and_recomputes_pinyin(world):
    member = update_member(actor=world.branch_admin, member=world.lisi, name="李思源")
    assert (member.name, member.name_initials, member.birth_date) == ("李思源", "lsy", dt.date(1972, 5, 20))


def test_a_corrected_id_number_brings_its_birth_date_and_gender(world):
    number = make_id_number("1973-06-01", male=False, sequence=42)
    member = update_member(actor=world.branch_admin, member=world.lisi, id_number=number)
    assert (member.birth_date, member.gender) == (dt.date(1973, 6, 1), "2")


def test_an_update_that_breaks_consistency_is_refused_and_changes_nothing(world):
    with pytest.raises(DomainError) as refused:
        update_member(actor=world.branch_admin, member=world.lisi, birth_date=dt.date(1980, 1, 1), name="新名字")
    assert "birth_date" in refused.value.errors
    world.lisi.refresh_from_db()
    assert (world.lisi.name, world.lisi.birth_date) == ("李四", dt.date(1972, 5, 20))


def test_probationary_category_with_a_regularized_date_is_refused_on_update(world):
    with pytest.raises(DomainError) as refused:
        update_member(actor=world.branch_admin, member=world.lisi, category=Category.PROBATIONARY)
    assert "regularized_date" in refused.value.errors


def test_update_outside_the_scope_is_404(world):
    with pytest.raises(Http404):
        update_member(actor=world.branch_admin, member=world.wangfang, name="改")


def test_delete_is_soft_and_hides_the_member(world):
    delete_member(actor=world.branch_admin, member=world.lisi)
    assert Member.objects.get(pk=world.lisi.pk).deleted_at is not None
    assert world.lisi.name not in world.client(world.branch_admin).get("/members/").content.decode()
