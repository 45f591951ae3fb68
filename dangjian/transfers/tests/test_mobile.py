"""Mobile members (流动党员): out, in, contacts, yearly review, return, the lists and the summary."""

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.members.models import Member, Status
from dangjian.transfers import services_mobile
from dangjian.transfers.models import MobileMember
from dangjian.transfers.rules import ContactAlert

TODAY = timezone.localdate


def _out(world, member=None, left=None, certificate="HN-2026-0001"):
    return services_mobile.register_outflow(
        actor=world.branch_admin,
        member=member or world.zhangsan,
        destination="广东省深圳市",
        reason="务工",
        contact="13800000000",
        expected_months=12,
        left_date=left or TODAY() - dt.timedelta(days=10),
        certificate_number=certificate,
    )


def test_going_out_makes_the_member_mobile_and_the_return_normal_again(world):
    record = _out(world)
    member = Member.objects.get(pk=world.zhangsan.pk)
    assert member.status == Status.MOBILE and record.outflow_org == world.village
    with pytest.raises(DomainError, match="张三的党籍状态为流动，不能登记为流动党员"):
        _out(world, certificate="HN-2")
    services_mobile.record_return(actor=world.branch_admin, mobile=record, date=TODAY())
    assert Member.objects.get(pk=world.zhangsan.pk).status == Status.NORMAL
    with pytest.raises(DomainError, match=r"已于.*登记返回"):
        services_mobile.record_return(actor=world.branch_admin, mobile=record, date=TODAY())


def test_the_inflow_side_registers_by_certificate_and_sees_the_member(world):
    record = _out(world)
    with pytest.raises(DomainError) as refused:
        services_mobile.register_inflow(actor=world.other_admin, organization=world.enterprise, certificate_number="X9")
    assert refused.value.errors["certificate_number"] == ["未找到活动证编号为“X9”的在外流动党员，请核对"]
    assert list(services_mobile.mobile_list(world.other_admin, "in")) == []
    services_mobile.register_inflow(
        actor=world.other_admin, organization=world.enterprise, certificate_number="HN-2026-0001"
    )
    assert list(services_mobile.mobile_list(world.other_admin, "in")) == [record]
    assert list(services_mobile.mobile_list(world.other_admin, "out")) == []
    assert list(services_mobile.mobile_list(world.town_admin, "out")) == [record]
    # the inflow side sees the record's page, not the member's registry record
    page = world.client(world.other_admin).get(reverse("transfers:mobile_detail", args=[record.pk]))
    assert page.status_code == 200 and "广东省深圳市" in page.content.decode()
    assert world.client(world.other_admin).get(reverse("members:detail", args=[world.zhangsan.pk])).status_code == 404


def test_a_record_outside_the_scope_is_not_found(world):
    record = _out(world)
    with pytest.raises(Http404):
        services_mobile.record_contact(actor=world.other_admin, mobile=record, date=TODAY())
    assert MobileMember.objects.get(pk=record.pk).last_contact_date == record.last_contact_date


def test_out_of_contact_members_are_listed_for_suspension(world):
    record = _out(world, left=TODAY() - dt.timedelta(days=400))
    assert services_mobile.alert(record) == ContactAlert.SUSPEND
    response = world.client(world.town_admin).get(reverse("transfers:mobile"), {"alert": "suspend"})
    assert "张三" in response.content.decode() and "失联满6个月" in response.content.decode()
    services_mobile.record_contact(actor=world.branch_admin, mobile=record, date=TODAY())
    record.refresh_from_db()
    assert services_mobile.alert(record) == ContactAlert.NONE
    response = world.client(world.town_admin).get(reverse("transfers:mobile"), {"alert": "suspend"})
    assert "张三" not in response.content.decode()


def test_the_yearly_review_needs_a_certificate_and_counts_as_contact(world):
    record = _out(world, certificate="")
    with pytest.raises(DomainError, match="未登记流动党员活动证编号"):
        services_mobile.review_certificate(actor=world.branch_admin, mobile=record, date=TODAY())
    other = _out(world, member=world.lisi, left=TODAY() - dt.timedelta(days=200), certificate="HN-7")
    services_mobile.review_certificate(actor=world.branch_admin, mobile=other, date=TODAY())
    other.refresh_from_db()
    assert other.last_review_date == TODAY() == other.last_contact_date
    with pytest.raises(DomainError, match="不能早于外出日期"):
        services_mobile.record_contact(actor=world.branch_admin, mobile=other, date=other.left_date - dt.timedelta(1))


def test_the_summary_counts_each_subordinate_organization(world):
    _out(world, left=TODAY() - dt.timedelta(days=400))
    services_mobile.register_outflow(
        actor=world.town_admin,
        member=world.wangfang,
        destination="长沙",
        reason="务工",
        contact="x",
        expected_months=6,
        left_date=TODAY(),
        certificate_number="HN-9",
    )
    services_mobile.register_inflow(actor=world.other_admin, organization=world.enterprise, certificate_number="HN-9")
    rows = {row["organization_name"]: row for row in services_mobile.summary(world.county_admin)}
    assert (rows["中共坪塘镇委员会"]["out"], rows["中共坪塘镇委员会"]["lost_contact"]) == (2, 1)
    assert rows["中共古山镇委员会"]["in"] == 1 and rows["中共古山镇委员会"]["out"] == 0
    assert services_mobile.summary(world.member_user) == []
    api = world.client(world.other_admin).get(reverse("mobile-member-summary")).json()
    assert [(r["organization_name"], r["in"]) for r in api] == [
        ("中共古山镇委员会", 0),
        ("中共三环颜料有限公司支部委员会", 1),
    ]
