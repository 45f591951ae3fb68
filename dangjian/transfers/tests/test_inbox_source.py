"""What transfers and mobile members put in the inbox (transfers/inbox.py): each step of a
transfer opens the next side's item and closes its own, through the real services and the
refresh they schedule; a letter expired, a receipt owed; a member away due a contact or a review,
or out of contact for six months."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.core import inbox
from dangjian.core.models import InboxItem, InboxState
from dangjian.transfers import services, services_mobile

from .conftest import issued

TODAY = timezone.localdate


def open_items(source="transfers"):
    return {
        (i.key.rsplit(":", 1)[-1] if source == "transfers" else i.kind, i.organization_id)
        for i in InboxItem.objects.filter(source=source, state=InboxState.OPEN)
    }


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run a service as a request would: the refresh it schedules runs when it commits."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def test_each_step_of_a_transfer_moves_the_work_to_the_side_that_must_act(world, after_commit):
    transfer = after_commit(
        services.request_transfer,
        actor=world.branch_admin,
        member=world.zhangsan,
        to_org=world.enterprise,
        reason="工作调动",
    )
    assert open_items() == {("approve", world.town.pk)}  # the sending 基层党委
    approval = InboxItem.objects.get(key=f"transfer:{transfer.pk}:approve")
    assert approval.kind == "待审批" and "张三" in approval.title and approval.link == f"/transfers/{transfer.pk}/"
    assert approval.subject == transfer
    after_commit(services.approve_transfer, actor=world.town_admin, transfer=transfer)
    assert open_items() == {("issue", world.town.pk)}
    assert InboxItem.objects.get(key=f"transfer:{transfer.pk}:approve").state == InboxState.DONE
    after_commit(
        services.issue_letter, actor=world.town_admin, transfer=transfer, valid_days=30, dues_paid_through=TODAY()
    )
    assert open_items() == {("accept", world.other_town.pk)}  # the receiving 基层党委
    after_commit(services.accept_transfer, actor=world.other_admin, transfer=transfer, date=TODAY())
    assert open_items() == {("receipt", world.other_town.pk)}
    receipt = InboxItem.objects.get(key=f"transfer:{transfer.pk}:receipt")
    assert receipt.kind == "寄回回执" and TODAY() < receipt.due <= TODAY() + dt.timedelta(days=31)  # a month
    after_commit(services.record_receipt, actor=world.other_admin, transfer=transfer, date=TODAY())
    assert open_items() == set()
    assert InboxItem.objects.get(key=f"transfer:{transfer.pk}:receipt").closed_at is not None


def test_a_letter_past_its_validity_is_the_sender_s_to_look_into(world, after_commit):
    transfer = issued(world, days_ago=40, valid_days=30)
    inbox.refresh(sources=["transfers"])
    assert open_items() == {("expired", world.town.pk)}  # no longer the receiver's to accept
    expired = InboxItem.objects.get(key=f"transfer:{transfer.pk}:expired")
    assert expired.due == transfer.valid_until and expired.kind == "介绍信过期"
    after_commit(services.cancel_transfer, actor=world.town_admin, transfer=transfer, reason="本人不再转出")
    assert open_items() == set()


def test_a_receipt_not_sent_within_a_month_is_overdue(world):
    transfer = issued(world, days_ago=50, valid_days=60)
    services.accept_transfer(actor=world.other_admin, transfer=transfer, date=TODAY() - dt.timedelta(days=45))
    inbox.refresh(sources=["transfers"])
    receipt = InboxItem.objects.get(key=f"transfer:{transfer.pk}:receipt", state=InboxState.OPEN)
    assert receipt.due < TODAY() and receipt.organization_id == world.other_town.pk
    assert receipt in inbox.overdue_first(world.other_admin, 5)
    assert not inbox.items_for(world.town_admin, source="transfers").exists()  # the sender owes nothing


def test_refreshing_again_changes_nothing(world):
    issued(world)
    issued(world, member=world.wangfang, days_ago=40, valid_days=30)
    first = inbox.refresh(sources=["transfers", "mobile"])
    assert sum(o.opened for o in first) == 2
    assert [(o.opened, o.updated, o.closed) for o in inbox.refresh(sources=["transfers", "mobile"])] == [(0, 0, 0)] * 2


def _away(world, *, left, certificate="HN-2026-0001"):
    return services_mobile.register_outflow(
        actor=world.branch_admin,
        member=world.zhangsan,
        destination="广东省深圳市",
        reason="务工",
        contact="13800000000",
        expected_months=24,
        left_date=left,
        certificate_number=certificate,
    )


def test_a_member_away_due_a_contact_and_the_yearly_review(world, after_commit):
    mobile = after_commit(_away, world, left=TODAY() - dt.timedelta(days=350))
    assert open_items("mobile") == {("失联满6个月", world.village.pk), ("活动证年审", world.village.pk)}
    lost = InboxItem.objects.get(source="mobile", kind="失联满6个月")
    assert "停止党籍" in lost.title and lost.due < TODAY()
    after_commit(services_mobile.record_contact, actor=world.branch_admin, mobile=mobile, date=TODAY())
    assert open_items("mobile") == {("活动证年审", world.village.pk)}
    assert InboxItem.objects.get(pk=lost.pk).state == InboxState.DONE
    after_commit(services_mobile.review_certificate, actor=world.branch_admin, mobile=mobile, date=TODAY())
    assert open_items("mobile") == set()


def test_a_contact_falls_due_a_month_ahead_and_a_return_closes_it(world, after_commit):
    mobile = after_commit(_away, world, left=TODAY() - dt.timedelta(days=160), certificate="")
    [contact] = InboxItem.objects.filter(source="mobile", state=InboxState.OPEN)
    assert contact.kind == "定期联系" and contact.due > TODAY()
    assert contact.due.isoformat() in contact.title
    after_commit(services_mobile.record_return, actor=world.branch_admin, mobile=mobile, date=TODAY())
    assert open_items("mobile") == set()
