"""Recording sanctions and ending 留党察看 through the services: who may, what is written, and
each refusal with its message and nothing written."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404

from dangjian.approvals.services import steps_for
from dangjian.core.errors import DomainError
from dangjian.discipline import services
from dangjian.discipline.models import Ending, Sanction
from dangjian.elections.models import Position
from dangjian.elections.services import appoint_officer, start_term
from dangjian.members.models import Category, LeftReason, Member, Status
from dangjian.members.services import update_member

D = dt.date


def record(world, actor=None, member=None, **changes):
    values = {
        "kind": "warning",
        "decided_on": D(2024, 3, 15),
        "deciding_org": world.town,
        "reason": "无故不参加组织生活",
    }
    return services.record_sanction(
        actor=actor or world.town_admin, member=member or world.zhangsan, **(values | changes)
    )


def test_a_warning_is_recorded_with_its_effect_period_and_in_the_log(world):
    sanction = record(world, document_number="坪纪〔2024〕1号")
    assert sanction.kind == "warning" and sanction.effect_until == D(2025, 3, 15)
    assert sanction.deciding_org_name == "中共坪塘镇委员会" and sanction.member_name == "张三"
    assert sanction.recorded_by == world.town_admin
    assert [(s.step, s.organization) for s in steps_for(sanction)] == [("给予警告", world.town)]
    assert sanction.history.first().history_user == world.town_admin


def test_the_county_may_decide_on_a_member_of_a_town_branch(world):
    """The deciding organization is the branch or any organization above it, even above the
    recorder's own scope: the town records what the county committee decided."""
    sanction = record(world, deciding_org=world.county, kind="serious_warning")
    assert sanction.deciding_org == world.county and sanction.effect_until == D(2025, 9, 15)
    term = start_term(actor=world.county_admin, organization=world.village, start=D(2021, 3, 1))
    post = appoint_officer(
        actor=world.county_admin, term=term, position=Position.ORGANIZATION, member=world.lisi, since=D(2021, 3, 1)
    )
    branch = record(world, member=world.lisi, deciding_org=world.village, kind="removal_from_post", post=post)
    assert branch.effect_until == D(2026, 3, 15)


def test_the_deciding_organization_must_be_the_branch_or_above(world):
    for organization, name in ((world.community, "新街社区"), (world.other_town, "古山镇")):
        with pytest.raises(DomainError) as refused:
            record(world, deciding_org=organization)
        assert refused.value.errors == {"deciding_org": ["决定处分的党组织应为张三所在党支部或其上级党组织"]}, name
    assert not Sanction.objects.exists()


def test_only_an_organization_admin_whose_scope_holds_the_member_records(world):
    with pytest.raises(PermissionDenied, match="您当前的角色无权记录党纪处分"):
        record(world, actor=world.branch_admin)
    with pytest.raises(PermissionDenied):
        record(world, actor=world.member_user)
    with pytest.raises(Http404):
        record(world, actor=world.other_admin)  # 张三 is outside 古山镇
    assert record(world, actor=world.county_admin).pk


def test_every_problem_of_the_input_at_once_and_nothing_written(world):
    with pytest.raises(DomainError) as refused:
        record(world, kind="probation", months=18, reason=" ", decided_on=D(1999, 1, 1), document_number="号" * 51)
    assert refused.value.errors == {
        "document_number": ["文号不能超过50个字"],
        "reason": ["请填写处分事由"],
        "months": ["留党察看期限为一年（12个月）或二年（24个月）（《中国共产党纪律处分条例》）"],
        "decided_on": ["处分决定日期不能早于张三的入党日期2000-07-01"],
    }
    assert not Sanction.objects.exists()


def test_probation_is_refused_to_a_probationary_member(world):
    update_member(actor=world.county_admin, member=world.lisi, category=Category.PROBATIONARY, regularized_date=None)
    with pytest.raises(DomainError) as refused:
        record(world, member=world.lisi, kind="probation", months=12)
    assert refused.value.errors["kind"][0].startswith("李四在2024-03-15是预备党员，预备党员不适用留党察看")
    assert not Sanction.objects.exists()


def test_probation_then_extension_then_restoration(world, make_probation):
    sanction = make_probation(world)
    assert sanction.effect_until == D(2024, 1, 15) and sanction.is_open_probation
    with pytest.raises(DomainError) as early:
        services.restore_rights(actor=world.town_admin, sanction=sanction, date=D(2024, 1, 14))
    assert early.value.errors == {"date": ["留党察看2024-01-15期满，期满前不能恢复党员权利"]}
    services.extend_probation_discipline(
        actor=world.town_admin, sanction=sanction, date=D(2024, 1, 15), reason="期满仍不具备恢复党员权利的条件"
    )
    sanction.refresh_from_db()
    assert (sanction.extension_months, sanction.effect_until, sanction.total_months) == (12, D(2025, 1, 15), 24)
    with pytest.raises(DomainError, match="只能延长一次"):
        services.extend_probation_discipline(
            actor=world.town_admin, sanction=sanction, date=D(2024, 6, 1), reason="再延"
        )
    with pytest.raises(DomainError, match="（含延长的一年）2025-01-15期满，期满前不能恢复党员权利"):
        services.restore_rights(actor=world.town_admin, sanction=sanction, date=D(2025, 1, 14))
    services.restore_rights(actor=world.county_admin, sanction=sanction, date=D(2025, 1, 15), reason="确有悔改表现")
    sanction.refresh_from_db()
    assert (sanction.ending, sanction.ended_on) == (Ending.RESTORED, D(2025, 1, 15))
    assert [s.step for s in steps_for(sanction)] == ["给予留党察看", "延长留党察看一年", "恢复党员权利"]
    with pytest.raises(DomainError, match="该留党察看已于2025-01-15恢复党员权利，已经结束"):
        services.expel(actor=world.town_admin, sanction=sanction, date=D(2025, 2, 1), reason="又犯")
    # Restored: a new sanction may be given again.
    assert record(world, decided_on=D(2025, 6, 1)).kind == "warning"


def test_a_two_year_probation_is_not_extended(world, make_probation):
    sanction = make_probation(world, months=24)
    with pytest.raises(DomainError, match="二年的留党察看不能延长"):
        services.extend_probation_discipline(
            actor=world.town_admin, sanction=sanction, date=D(2025, 1, 15), reason="理由"
        )


def test_a_lighter_sanction_during_probation_points_to_expulsion(world, make_probation):
    make_probation(world)
    with pytest.raises(DomainError) as refused:
        record(world, decided_on=D(2023, 6, 1))
    assert refused.value.errors["kind"] == [
        "张三正在留党察看期间（2023-01-15起，2024-01-15期满），察看期间又违犯党纪应当给予处分的，应开除党籍"
        "（《中国共产党纪律处分条例》）：请在该留党察看记录上办理开除党籍，不再给予较轻的处分"
    ]
    with pytest.raises(DomainError, match="张三正在留党察看期间"):
        record(world, kind="probation", months=24, decided_on=D(2023, 6, 1))
    assert Sanction.objects.count() == 1


def test_expulsion_during_probation_ends_it_and_the_member_leaves_the_party(world, make_probation):
    sanction = make_probation(world)
    expulsion = services.expel(
        actor=world.town_admin, sanction=sanction, date=D(2023, 9, 1), reason="察看期间又严重违纪", document_number="X1"
    )
    assert expulsion.kind == "expulsion" and expulsion.deciding_org == world.town
    assert expulsion.effect_until == D(2028, 9, 1)
    sanction.refresh_from_db()
    assert (sanction.ending, sanction.ended_on, sanction.expulsion) == (Ending.EXPELLED, D(2023, 9, 1), expulsion)
    member = Member.objects.get(pk=world.zhangsan.pk)
    assert (member.status, member.left_reason, member.status_date) == (Status.LEFT, LeftReason.EXPELLED, D(2023, 9, 1))
    assert member.status_periods.get(end__isnull=True).reason.startswith("开除党籍：察看期间又严重违纪")
    with pytest.raises(DomainError) as again:
        record(world, decided_on=D(2024, 1, 1))
    assert again.value.errors[None] == ["张三的党籍状态为出党，已不是党员，不能再给予党纪处分"]


def test_expulsion_without_probation_changes_the_status_on_its_date(world):
    record(world, member=world.wangfang, kind="expulsion", decided_on=D(2024, 5, 20))
    member = Member.objects.get(pk=world.wangfang.pk)
    assert (member.status, member.left_reason, member.status_date) == (Status.LEFT, LeftReason.EXPELLED, D(2024, 5, 20))


def test_expulsion_before_the_last_status_change_is_refused(world):
    from dangjian.members.services import change_status

    change_status(actor=world.town_admin, member=world.lisi, status=Status.MOBILE, date=D(2024, 6, 1))
    with pytest.raises(DomainError) as refused:
        record(world, member=world.lisi, kind="expulsion", decided_on=D(2024, 5, 31))
    assert refused.value.errors == {"decided_on": ["开除党籍的日期不能早于李四党籍状态上一次变更的日期2024-06-01"]}
    assert Member.objects.get(pk=world.lisi.pk).status == Status.MOBILE


def test_the_database_holds_one_open_probation_per_member(world, make_probation):
    first = make_probation(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sanction.objects.create(
            member=first.member,
            member_name="张三",
            kind="probation",
            months=12,
            decided_on=D(2023, 2, 1),
            effect_until=D(2024, 2, 1),
            deciding_org=world.town,
            deciding_org_name="镇",
            reason="x",
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "probation", "months": 18},
        {"kind": "warning", "months": 12},
        {"kind": "probation", "months": 24, "extension_months": 12, "extended_on": D(2025, 1, 1)},
        {"kind": "warning", "ending": "restored", "ended_on": D(2025, 1, 1)},
        {"kind": "probation", "months": 12, "ending": "restored"},
        {"kind": "warning", "effect_until": D(2024, 1, 1)},
    ],
)
def test_the_database_refuses_impossible_rows(world, fields):
    values = {
        "member": world.zhangsan,
        "member_name": "张三",
        "decided_on": D(2024, 1, 1),
        "effect_until": D(2025, 1, 1),
        "deciding_org": world.town,
        "deciding_org_name": "镇",
        "reason": "x",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Sanction.objects.create(**(values | fields))


def test_check_integrity_finds_an_expulsion_without_its_status(world, make_probation):
    from django.core.management import CommandError, call_command

    sanction = make_probation(world)
    services.expel(actor=world.town_admin, sanction=sanction, date=D(2023, 6, 1), reason="又犯")
    call_command("check_integrity")
    Member.objects.get(pk=world.zhangsan.pk).status_periods.filter(status=Status.LEFT).update(left_reason="removed")
    with pytest.raises(CommandError, match="开除党籍，但党员的党籍状态没有自决定日期起变为出党（开除党籍）"):
        call_command("check_integrity")


def test_expel_defaults_to_the_branch_when_the_deciding_one_is_no_longer_above(world):
    from dangjian.orgs.restructure import merge_organizations

    sanction = services.record_sanction(
        actor=world.town_admin,
        member=world.zhangsan,
        kind="probation",
        months=24,
        decided_on=D(2024, 1, 10),
        deciding_org=world.village,
        reason="违纪",
    )
    merge_organizations(actor=world.town_admin, sources=[world.village], target=world.community, date=D(2024, 6, 1))
    expulsion = services.expel(actor=world.town_admin, sanction=sanction, date=D(2024, 7, 1), reason="又犯")
    assert expulsion.deciding_org == world.community


def test_expel_takes_the_deciding_organization_chosen(world, make_probation):
    sanction = make_probation(world)
    expulsion = services.expel(
        actor=world.town_admin, sanction=sanction, date=D(2023, 7, 1), reason="又犯", deciding_org=world.county
    )
    assert (expulsion.deciding_org, expulsion.deciding_org_name) == (world.county, "中共示范县委员会")
