"""The transfer workflow through its services: who may do each step, what moves when, and every
bad input refused with its Chinese message and nothing changed."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from dangjian.approvals.models import ApprovalStep, Decision
from dangjian.approvals.services import steps_for
from dangjian.core.errors import DomainError
from dangjian.members.models import Member, MembershipPeriod
from dangjian.members.timeline import entries
from dangjian.transfers import services
from dangjian.transfers.models import Transfer, TransferKind, TransferState

from .conftest import issued

TODAY = timezone.localdate


def _periods(member):
    return list(
        MembershipPeriod.objects.filter(member=member)
        .order_by("start", "pk")
        .values_list("organization", "start", "end")
    )


def _snapshot(world):
    return (
        Transfer.objects.count(),
        list(Transfer.objects.values_list("pk", "state", "accepted_date", "receipt_date", "letter_number")),
        list(Member.objects.values_list("pk", "organization_id", "deleted_at")),
        MembershipPeriod.objects.count(),
        ApprovalStep.objects.count(),
    )


def test_a_transfer_inside_the_tree_moves_the_member_only_on_acceptance(world):
    before = _periods(world.zhangsan)
    transfer = issued(world)
    member = Member.objects.get(pk=world.zhangsan.pk)
    assert transfer.state == TransferState.ISSUED
    assert member.organization == world.village, "issuing the letter does not move the member"
    assert _periods(member) == before
    assert transfer.sending_committee == world.town and transfer.receiving_committee == world.other_town
    assert transfer.letter_number == f"T1-{TODAY().year}-{transfer.pk:06d}"
    assert transfer.valid_until == TODAY() + dt.timedelta(days=30)

    services.accept_transfer(actor=world.other_admin, transfer=transfer, date=TODAY())

    member.refresh_from_db()
    assert member.organization == world.enterprise and member.org_path == world.enterprise.path
    periods = _periods(member)
    assert periods[-2] == (world.village.pk, before[-1][1], TODAY())
    assert periods[-1] == (world.enterprise.pk, TODAY(), None)
    transfer.refresh_from_db()
    assert transfer.state == TransferState.ACCEPTED and transfer.accepted_date == TODAY()
    steps = [(s.step, s.decision, s.organization_id, s.level) for s in steps_for(transfer)]
    assert steps == [
        ("申请转接", Decision.RECORD, world.village.pk, "党支部"),
        ("审批", Decision.PASS, world.town.pk, "党委"),
        ("开具介绍信", Decision.RECORD, world.town.pk, "党委"),
        ("接收", Decision.PASS, world.other_town.pk, "党委"),
    ]
    call_command("check_integrity")
    assert any("接收组织关系" in e.text for e in entries(member))


def test_the_receipt_of_an_accepted_transfer_is_recorded_once(world):
    transfer = services.accept_transfer(actor=world.other_admin, transfer=issued(world), date=TODAY())
    services.record_receipt(actor=world.other_admin, transfer=transfer, date=TODAY())
    with pytest.raises(DomainError, match=r"回执已于.*登记，不能重复登记"):
        services.record_receipt(actor=world.town_admin, transfer=transfer, date=TODAY())


def test_the_branch_may_request_but_only_the_sending_committee_approves(world):
    transfer = services.request_transfer(
        actor=world.branch_admin, member=world.zhangsan, to_org=world.community, reason="迁居"
    )
    with pytest.raises(PermissionDenied, match="只有中共坪塘镇委员会或其上级党组织可以审批"):
        services.approve_transfer(actor=world.branch_admin, transfer=transfer)
    with pytest.raises(Http404):  # the other town does not see a transfer between two of ours
        services.approve_transfer(actor=world.other_admin, transfer=transfer)
    assert Transfer.objects.get(pk=transfer.pk).state == TransferState.REQUESTED


def test_a_member_may_ask_for_their_own_transfer(world):
    transfer = services.request_transfer(
        actor=world.member_user, member=world.zhangsan, to_outside="中共某市某区委员会", reason="到外地工作"
    )
    assert transfer.kind == TransferKind.TO_OUTSIDE and transfer.requested_by == world.member_user
    with pytest.raises(Http404):
        services.request_transfer(actor=world.member_user, member=world.lisi, to_outside="某地", reason="x")


def test_the_receiving_side_returns_with_a_reason_and_the_member_stays(world):
    transfer = issued(world)
    with pytest.raises(DomainError, match="退回时请写明理由"):
        services.return_transfer(actor=world.other_admin, transfer=transfer, reason=" ")
    with pytest.raises(PermissionDenied):
        services.accept_transfer(actor=world.town_admin, transfer=transfer)  # the sender cannot accept for them
    services.return_transfer(actor=world.other_admin, transfer=transfer, reason="该党员未在本企业工作")
    transfer.refresh_from_db()
    assert transfer.state == TransferState.RETURNED
    assert Member.objects.get(pk=world.zhangsan.pk).organization == world.village
    with pytest.raises(DomainError, match=r"^该转接已退回，不能再办理$"):  # said as it is, once
        services.accept_transfer(actor=world.other_admin, transfer=transfer)
    # closed: the member may be transferred again
    services.request_transfer(actor=world.branch_admin, member=world.zhangsan, to_org=world.community, reason="迁居")


# Bad input: each refused with its message, nothing written.


def test_a_member_outside_the_scope_is_not_found(world):
    before = _snapshot(world)
    with pytest.raises(Http404):
        services.request_transfer(actor=world.other_admin, member=world.zhangsan, to_org=world.enterprise, reason="x")
    assert _snapshot(world) == before


def test_a_transfer_to_the_same_organization_is_refused(world):
    before = _snapshot(world)
    with pytest.raises(DomainError) as refused:
        services.request_transfer(actor=world.branch_admin, member=world.zhangsan, to_org=world.village, reason="x")
    assert refused.value.errors["to_org"] == ["转入组织与张三现所在组织相同，无需转接"]
    assert _snapshot(world) == before


def test_a_second_open_transfer_is_refused(world):
    services.request_transfer(actor=world.branch_admin, member=world.zhangsan, to_org=world.community, reason="x")
    before = _snapshot(world)
    with pytest.raises(DomainError, match="张三已有一项未办结的组织关系转接（待审批），请先办结或撤销"):
        services.request_transfer(actor=world.town_admin, member=world.zhangsan, to_org=world.enterprise, reason="y")
    assert _snapshot(world) == before


def test_the_database_holds_one_open_transfer_per_member(world):
    first = services.request_transfer(
        actor=world.branch_admin, member=world.zhangsan, to_org=world.community, reason="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            kind=first.kind, member=first.member, member_name="张三", from_org=world.village, to_org=world.enterprise
        )


def test_an_expired_letter_cannot_be_accepted(world):
    transfer = issued(world, days_ago=40, valid_days=30)
    valid_until = transfer.valid_until
    before = _snapshot(world)
    with pytest.raises(DomainError) as refused:
        services.accept_transfer(actor=world.other_admin, transfer=transfer, date=TODAY())
    assert refused.value.errors["date"] == [
        f"介绍信已于{valid_until:%Y-%m-%d}过期，不能凭此信接收；请转出方查明原因后重新开具（补转）"
    ]
    assert _snapshot(world) == before
    # listed: overdue on both sides, 口袋党员 on the sending side
    assert list(services.box(world.town_admin, "pocket")) == [transfer]
    assert list(services.box(world.other_admin, "overdue")) == [transfer]
    assert not services.box(world.other_admin, "pocket").exists()
    # 补转: the old number is voided, the new letter is accepted
    services.reissue_letter(
        actor=world.town_admin, transfer=transfer, valid_days=30, dues_paid_through=TODAY(), reason="信件遗失"
    )
    transfer.refresh_from_db()
    assert transfer.letter_number.endswith("-B1") and transfer.voided_letters
    services.accept_transfer(actor=world.other_admin, transfer=transfer, date=TODAY())
    assert not services.box(world.town_admin, "pocket").exists()


def test_accepting_twice_is_refused(world):
    transfer = issued(world)
    services.accept_transfer(actor=world.other_admin, transfer=transfer, date=TODAY())
    before = _snapshot(world)
    with pytest.raises(DomainError, match=f"该转接已于{TODAY():%Y-%m-%d}接收办结，不能再次办理"):
        services.accept_transfer(actor=world.other_admin, transfer=transfer, date=TODAY())
    assert _snapshot(world) == before


def test_a_receipt_for_an_unknown_letter_number_is_refused(world):
    issued(world)
    before = _snapshot(world)
    with pytest.raises(DomainError) as refused:
        services.record_receipt_by_number(actor=world.town_admin, letter_number="T9-2020-000001", date=TODAY())
    assert refused.value.errors["letter_number"] == [
        "未找到编号为“T9-2020-000001”的介绍信（或不在您的管理范围内），请核对回执"
    ]
    assert _snapshot(world) == before


def test_a_letter_valid_longer_than_three_months_is_refused(world):
    transfer = services.request_transfer(
        actor=world.branch_admin, member=world.zhangsan, to_org=world.enterprise, reason="x"
    )
    services.approve_transfer(actor=world.town_admin, transfer=transfer)
    with pytest.raises(DomainError, match="一般不超过90天"):
        services.issue_letter(actor=world.town_admin, transfer=transfer, valid_days=120, dues_paid_through=TODAY())
    assert Transfer.objects.get(pk=transfer.pk).letter_number == ""


def test_the_validity_limit_is_configurable(world, settings):
    settings.TRANSFER_LETTER_MAX_DAYS = 180  # a province allowing 6 months across provinces
    transfer = issued(world, valid_days=180)
    assert transfer.valid_days == 180


# Outside the tree


def test_a_transfer_out_of_the_tree_ends_with_the_receipt(world):
    transfer = services.request_transfer(
        actor=world.branch_admin, member=world.lisi, to_outside="中共某省某市委员会", reason="到外省工作"
    )
    services.approve_transfer(actor=world.town_admin, transfer=transfer)
    services.issue_letter(actor=world.town_admin, transfer=transfer, valid_days=60, dues_paid_through=TODAY())
    transfer.refresh_from_db()
    assert Member.objects.filter(pk=world.lisi.pk, deleted_at__isnull=True).exists(), "still ours until received"
    services.record_receipt_by_number(actor=world.town_admin, letter_number=transfer.letter_number, date=TODAY())
    transfer.refresh_from_db()
    assert transfer.state == TransferState.ACCEPTED and transfer.receipt_date == TODAY()
    lisi = Member.objects.get(pk=world.lisi.pk)
    assert lisi.deleted_at is None and lisi.status == "transferred_out", "off the roll, not deleted"
    assert (lisi.status_date, lisi.status_reason) == (TODAY(), "组织关系转出至中共某省某市委员会")
    assert not MembershipPeriod.objects.filter(member=lisi, end__isnull=True).exists()
    call_command("check_integrity")
    with pytest.raises(DomainError, match="回执已于"):
        services.record_receipt_by_number(actor=world.town_admin, letter_number=transfer.letter_number)


def test_a_letter_from_outside_receives_the_member(world):
    from conftest import make_id_number

    transfer = services.register_incoming(
        actor=world.town_admin,
        to_org=world.community,
        from_outside="中共某县某镇委员会",
        letter_number="外-2026-15",
        issued_date=TODAY() - dt.timedelta(days=45),
        valid_days=60,
        dues_paid_through=TODAY(),
        date=TODAY() - dt.timedelta(days=40),
        name="钱七",
        id_number=make_id_number("1980-01-02", male=True, sequence=40),
        education="bachelor",
        category="full",
        joined_date=dt.date(2005, 7, 1),
        regularized_date=dt.date(2006, 7, 1),
    )
    member = transfer.member
    assert member.organization == world.community
    assert _periods(member) == [(world.community.pk, TODAY() - dt.timedelta(days=40), None)]
    assert MembershipPeriod.objects.get(member=member).reason == "组织关系转入（系统外）"
    assert list(services.box(world.town_admin, "overdue")) == [transfer], "the receipt is owed within a month"
    call_command("check_integrity")
    with pytest.raises(DomainError, match="第外-2026-15号介绍信已登记，不能重复接收"):
        services.register_incoming(
            actor=world.town_admin,
            to_org=world.community,
            from_outside="x",
            letter_number="外-2026-15",
            issued_date=TODAY(),
            valid_days=30,
            dues_paid_through=None,
            name="孙八",
            id_number=make_id_number("1981-01-02", male=True, sequence=41),
            education="bachelor",
            category="full",
            joined_date=dt.date(2005, 7, 1),
            regularized_date=dt.date(2006, 7, 1),
        )


# Inboxes and scope


def test_the_inboxes_follow_the_steps_on_both_sides(world):
    transfer = services.request_transfer(
        actor=world.branch_admin, member=world.zhangsan, to_org=world.enterprise, reason="x"
    )
    assert services.inbox_counts(world.town_admin)["approvals"] == 1
    assert services.inbox_counts(world.other_admin) == dict.fromkeys(services.BOXES, 0)
    services.approve_transfer(actor=world.town_admin, transfer=transfer)
    services.issue_letter(actor=world.town_admin, transfer=transfer, valid_days=30, dues_paid_through=TODAY())
    assert services.inbox_counts(world.town_admin)["outgoing"] == 1
    assert services.inbox_counts(world.other_admin)["incoming"] == 1
    assert services.inbox_counts(world.county_admin) == {
        "approvals": 0,
        "incoming": 1,
        "outgoing": 1,
        "overdue": 0,
        "pocket": 0,
    }
    assert services.inbox_counts(world.member_user) == dict.fromkeys(services.BOXES, 0)


def test_approval_log_refuses_a_rejection_without_reason(world):
    transfer = services.request_transfer(
        actor=world.branch_admin, member=world.zhangsan, to_org=world.enterprise, reason="x"
    )
    with pytest.raises(DomainError, match="不同意时请写明理由"):
        services.approve_transfer(actor=world.town_admin, transfer=transfer, approve=False)
    services.approve_transfer(actor=world.town_admin, transfer=transfer, approve=False, reason="材料不全")
    transfer.refresh_from_db()
    assert transfer.state == TransferState.REJECTED
    assert [s.reason for s in steps_for(transfer)][-1] == "材料不全"
