"""A member who leaves the tree and comes back (issue 16): a transfer out of the tree makes the
record 已转出 (not deleted), and a later letter from outside for the same ID number reopens that
same record, so its periods, history, development file and timeline stay one story."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError
from dangjian.development.models import Applicant
from dangjian.members import services as member_services
from dangjian.members.models import Member, MembershipPeriod, Status, StatusPeriod
from dangjian.members.timeline import entries
from dangjian.transfers import services
from dangjian.transfers.models import Transfer, TransferKind, TransferState

TODAY = timezone.localdate
OUTSIDE = "中共某省某市某区委员会"


def days_ago(days: int) -> dt.date:
    return TODAY() - dt.timedelta(days=days)


ISSUED, OUT, BACK = days_ago(300), days_ago(295), days_ago(10)


def transfer_out(world, member=None, *, issued=ISSUED, out=OUT) -> Transfer:
    member = member or world.lisi
    transfer = services.request_transfer(
        actor=world.branch_admin, member=member, to_outside=OUTSIDE, reason="到外省工作"
    )
    services.approve_transfer(actor=world.town_admin, transfer=transfer)
    services.issue_letter(
        actor=world.town_admin, transfer=transfer, valid_days=60, dues_paid_through=issued, date=issued
    )
    return services.record_receipt(actor=world.town_admin, transfer=transfer, date=out)


def letter_back(world, *, actor=None, to_org=None, number="外-2026-88", date=BACK, **fields):
    """The letter from outside bringing 李四 back (his ID number, as the letter carries it)."""
    person = {
        "name": "李四",
        "id_number": Member.objects.get(pk=world.lisi.pk).id_number,
        "education": "high_school",
        "category": "full",
        "joined_date": dt.date(2000, 7, 1),
        "regularized_date": dt.date(2001, 7, 1),
    } | fields
    return services.register_incoming(
        actor=actor or world.other_admin,
        to_org=to_org or world.enterprise,
        from_outside=OUTSIDE,
        letter_number=number,
        issued_date=date - dt.timedelta(days=5),
        valid_days=30,
        dues_paid_through=date - dt.timedelta(days=5),
        date=date,
        **person,
    )


def _periods(member):
    return list(member.periods.order_by("start", "pk").values_list("organization", "start", "end", "reason"))


def _statuses(member):
    return list(member.status_periods.order_by("start", "pk").values_list("status", "start", "end"))


def test_a_transfer_out_of_the_tree_keeps_the_record_as_transferred_out(world):
    transfer_out(world)
    lisi = Member.objects.get(pk=world.lisi.pk)
    assert lisi.deleted_at is None, "not deleted: the record stays"
    assert (lisi.status, lisi.status_date, lisi.status_reason) == (
        Status.TRANSFERRED_OUT,
        OUT,
        f"组织关系转出至{OUTSIDE}",
    )
    assert not Status(lisi.status).is_on_roll
    assert _periods(lisi) == [(world.village.pk, dt.date(2000, 7, 1), OUT, "登记入册")]
    assert _statuses(lisi)[-1] == (Status.TRANSFERRED_OUT, OUT, None)
    assert lisi.periods.get().history.first().history_change_reason == f"组织关系转出至{OUTSIDE}"
    assert lisi not in member_services.members_on_roll(world.village), "not counted in 党员数"
    call_command("check_integrity")


@pytest.mark.parametrize(
    ("change", "call"),
    [
        ("修改", lambda w, m: member_services.update_member(actor=w.town_admin, member=m, job="某公司")),
        (
            "变更党籍状态",
            lambda w, m: member_services.change_status(
                actor=w.town_admin, member=m, status="deceased", date=TODAY(), reason="x"
            ),
        ),
        ("删除", lambda w, m: member_services.delete_member(actor=w.town_admin, member=m)),
    ],
)
def test_nothing_changes_a_transferred_out_record(world, change, call):
    transfer_out(world)
    lisi = Member.objects.get(pk=world.lisi.pk)
    before = lisi.history.count()
    with pytest.raises(DomainError, match=f"已于{OUT:%Y-%m-%d}转出本系统（组织关系转出至{OUTSIDE}），记录不能{change}"):
        call(world, lisi)
    assert Member.objects.get(pk=lisi.pk).history.count() == before
    with pytest.raises(DomainError, match="转出本系统，不能再转接"):
        services.request_transfer(actor=world.town_admin, member=lisi, to_org=world.enterprise, reason="x")


def test_the_status_is_set_by_the_transfer_only(world):
    with pytest.raises(DomainError, match="不能直接设置"):
        member_services.change_status(
            actor=world.town_admin, member=world.lisi, status=Status.TRANSFERRED_OUT, date=TODAY()
        )


def test_out_of_the_tree_and_back_in_is_one_record_with_one_story(world):
    lisi = world.lisi
    file = Applicant.objects.create(
        name=lisi.name,
        gender=lisi.gender,
        birth_date=lisi.birth_date,
        id_number=lisi.id_number,
        id_hash=lisi.id_hash,
        id_tail=lisi.id_tail,
        education=lisi.education,
        organization=world.village,
        org_path=world.village.path,
        step=25,
        member=lisi,
    )
    created = lisi.history.count()
    transfer_out(world)
    back = letter_back(world, education="bachelor", job="某省某市某公司职员", phone="13912345678")

    member = Member.objects.get(pk=lisi.pk)
    assert back.member_id == lisi.pk and Member.objects.filter(id_hash=lisi.id_hash).count() == 1
    assert back.kind == TransferKind.FROM_OUTSIDE and back.state == TransferState.ACCEPTED
    assert (member.organization, member.org_path, member.status) == (world.enterprise, world.enterprise.path, "normal")
    assert (member.education, member.job, member.phone) == ("bachelor", "某省某市某公司职员", "13912345678")
    assert _periods(member) == [
        (world.village.pk, dt.date(2000, 7, 1), OUT, "登记入册"),
        (world.enterprise.pk, BACK, None, "组织关系转入（系统外）"),
    ]
    assert _statuses(member) == [
        (Status.NORMAL, dt.date(2000, 7, 1), OUT),
        (Status.TRANSFERRED_OUT, OUT, BACK),
        (Status.NORMAL, BACK, None),
    ]
    # The history: created, then on, in the order it happened, for the one record.
    rows = list(member.history.order_by("history_date", "history_id"))
    assert rows[0].history_type == "+" and len(rows) > created
    statuses = [row.status for row in rows]
    assert statuses.index(Status.TRANSFERRED_OUT) < len(statuses) - 1 - statuses[::-1].index(Status.NORMAL)
    assert rows[-1].education == "bachelor" and rows[-1].organization_id == world.enterprise.pk
    assert {row.id for row in rows} == {lisi.pk}
    # The development file stays the person's and follows them to the new branch.
    file.refresh_from_db()
    assert (file.member_id, file.organization, file.org_path) == (lisi.pk, world.enterprise, world.enterprise.path)
    # The timeline tells both moves.
    texts = [entry.text for entry in entries(member)]
    assert f"党籍状态变为已转出：组织关系转出至{OUTSIDE}" in texts
    assert f"编入{world.enterprise.name}（组织关系转入（系统外））" in texts
    assert f"{OUTSIDE}接收组织关系" in texts and f"{world.enterprise.name}接收组织关系" in texts
    call_command("check_integrity")


def test_a_letter_that_disagrees_with_the_record_says_which_field_and_nothing_more(world):
    transfer_out(world)
    before = (Transfer.objects.count(), MembershipPeriod.objects.count(), StatusPeriod.objects.count())
    with pytest.raises(DomainError) as refused:
        letter_back(world, name="李思")
    assert refused.value.errors == {"name": ["姓名与该公民身份号码原有的党员记录不一致，请核对介绍信"]}
    text = str(refused.value.errors)
    assert "李四" not in text and world.village.name not in text and "2000" not in text
    with pytest.raises(DomainError) as refused:
        letter_back(world, joined_date=dt.date(2001, 7, 1), regularized_date=dt.date(2002, 7, 1))
    assert refused.value.errors == {"joined_date": ["入党日期与该公民身份号码原有的党员记录不一致，请核对介绍信"]}
    with pytest.raises(DomainError) as refused:
        letter_back(world, date=days_ago(296))  # before the day the relation went out
    assert refused.value.errors == {"date": ["接收日期早于该党员组织关系转出本系统的日期，请核对介绍信"]}
    assert (Transfer.objects.count(), MembershipPeriod.objects.count(), StatusPeriod.objects.count()) == before
    assert Member.objects.get(pk=world.lisi.pk).status == Status.TRANSFERRED_OUT


def test_a_number_on_the_roll_stays_refused_as_before(world):
    zhangsan = Member.objects.get(pk=world.zhangsan.pk)
    with pytest.raises(DomainError) as refused:
        letter_back(world, name="张三", id_number=zhangsan.id_number)
    assert refused.value.errors == {"id_number": ["该公民身份号码已在其他党组织登记，一人只能有一条党员记录"]}
    with pytest.raises(DomainError) as refused:
        letter_back(world, actor=world.town_admin, to_org=world.community, name="张三", id_number=zhangsan.id_number)
    assert refused.value.errors["id_number"] == ["该公民身份号码已登记为“中共兴丰村支部委员会”的党员张三"]


def test_a_transferred_out_member_is_seen_where_they_were_until_reopened_elsewhere(world):
    transfer_out(world)
    lisi = world.lisi
    assert scope.get_scoped_or_404(world.town_admin, Member.objects.all(), pk=lisi.pk).status == "transferred_out"
    with pytest.raises(Http404):
        scope.get_scoped_or_404(world.other_admin, Member.objects.all(), pk=lisi.pk)
    other = world.client(world.other_admin)
    missing = other.get(reverse("members:detail", args=[999_999]))
    hidden = other.get(reverse("members:detail", args=[lisi.pk]))
    assert hidden.status_code == missing.status_code == 404
    assert "李四" not in hidden.content.decode(), "out of scope answers as nonexistent"

    letter_back(world)
    assert scope.get_scoped_or_404(world.other_admin, Member.objects.all(), pk=lisi.pk).status == "normal"
    with pytest.raises(Http404):
        scope.get_scoped_or_404(world.town_admin, Member.objects.all(), pk=lisi.pk)
    assert world.client(world.town_admin).get(reverse("members:detail", args=[lisi.pk])).status_code == 404


# The pages


def test_the_roster_shows_transferred_out_members_when_asked_and_their_page_says_where(world):
    transfer_out(world)
    town = world.client(world.town_admin)
    roster = town.get(reverse("members:list")).content.decode()
    assert "李四" not in roster and "张三" in roster
    asked = town.get(reverse("members:list"), {"status": "transferred_out"}).content.decode()
    assert "李四" in asked and "张三" not in asked
    page = town.get(reverse("members:detail", args=[world.lisi.pk])).content.decode()
    assert f"已于{OUT:%Y-%m-%d}转出本系统（组织关系转出至{OUTSIDE}）" in page
    assert 'data-testid="status">已转出' in page
    assert reverse("members:edit", args=[world.lisi.pk]) not in page and 'data-testid="status-form"' not in page


def test_the_incoming_form_with_the_same_id_number_lands_on_the_same_member(world):
    transfer_out(world)
    other = world.client(world.other_admin)
    day = BACK.isoformat()
    page = other.post(
        reverse("transfers:incoming"),
        {
            "to_org": world.enterprise.pk,
            "from_outside": OUTSIDE,
            "letter_number": "外-2026-99",
            "issued_date": day,
            "valid_days": "30",
            "dues_paid_through": day,
            "date": day,
            "name": "李四",
            "id_number": Member.objects.get(pk=world.lisi.pk).id_number,
            "ethnicity": "01",
            "education": "bachelor",
            "category": "full",
            "joined_date": "2000-07-01",
            "regularized_date": "2001-07-01",
            "job": "",
            "phone": "",
        },
    )
    assert page.status_code == 302 and page.url == reverse("members:detail", args=[world.lisi.pk])
    detail = other.get(page.url).content.decode()
    assert "三环颜料" in detail and 'data-testid="transferred-out"' not in detail
    assert "党籍状态变为已转出" in detail and "组织关系转入（系统外）" in detail
    assert Member.objects.count() == 4


# The migration of the records soft-deleted before


OLD = [("transfers", "0001_initial")]


def _as_before(member: Member, *, open_period: bool = False) -> None:
    """Put a member transferred out back the way the soft-deleting code left it."""
    away = StatusPeriod.objects.get(member=member, status=Status.TRANSFERRED_OUT)
    start = away.start
    away.delete()
    StatusPeriod.objects.filter(member=member, end=start).update(end=None)
    if open_period:
        MembershipPeriod.objects.filter(member=member).update(end=None)
    Member.objects.filter(pk=member.pk).update(
        deleted_at=timezone.now(), status="normal", status_date=None, status_reason=""
    )


@pytest.mark.django_db(transaction=True)
def test_members_soft_deleted_by_a_transfer_out_are_restored_as_transferred_out(world):
    executor = MigrationExecutor(connection)
    executor.migrate(OLD)
    transfer_out(world)
    transfer_out(world, world.zhangsan, issued=days_ago(200), out=days_ago(190))
    _as_before(world.lisi)
    _as_before(world.zhangsan, open_period=True)  # a period left open is closed too
    member_services.delete_member(actor=world.town_admin, member=world.wangfang)  # a mistaken record
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    for member, out in ((world.lisi, OUT), (world.zhangsan, days_ago(190))):
        restored = Member.objects.get(pk=member.pk)
        assert restored.deleted_at is None
        assert (restored.status, restored.status_date, restored.status_reason) == (
            "transferred_out",
            out,
            f"组织关系转出至{OUTSIDE}",
        )
        assert _statuses(restored) == [("normal", dt.date(2000, 7, 1), out), ("transferred_out", out, None)]
        assert _periods(restored) == [(world.village.pk, dt.date(2000, 7, 1), out, "登记入册")]
        assert restored.history.first().history_change_reason == "迁移：转往系统外的党员由删除改记为“已转出”"
    assert Member.objects.get(pk=world.wangfang.pk).deleted_at is not None, "deletion stays for mistakes"
    call_command("check_integrity")
    # And the person can come back into the one record.
    assert letter_back(world).member_id == world.lisi.pk
    call_command("check_integrity")
