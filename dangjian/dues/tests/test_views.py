"""The dues pages through the test client: the branch's month recorded in one submission (all of
it or nothing), a member's ledger with its payments and reversals, the basis form, the arrears
with the six silent months first, the collection of a committee; each page within the scope."""

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from conftest import World
from dangjian.dues import rules, services
from dangjian.dues.models import ArrearsReason, DuesBasis, DuesMonth, DuesPayment, PaymentKind

pytestmark = pytest.mark.django_db
D = dt.date


DECEMBER = D(2025, 12, 1)


def based(world: World, *pairs: tuple[Any, str], since: dt.date = DECEMBER) -> None:
    """Each member in service with a base (5,400 yuan: 81.00 a month; 3,000: 15.00)."""
    for member, base in pairs:
        services.set_basis(actor=world.county_admin, member=member, valid_from=since, category="in_service", base=base)


def months(first: dt.date, last: dt.date) -> None:
    for month in rules.months_between(first, last):
        services.generate_month(month)


def ledger_of(member: Any) -> dict[dt.date, tuple[int, int]]:
    return {row.month: (row.owed, row.paid) for row in DuesMonth.objects.filter(member=member)}


@pytest.fixture
def village(world: World, today) -> World:
    """December and January owed in the village: 张三 81.00 a month, 李四 15.00; today 10 January 2026."""
    based(world, (world.zhangsan, "5400"), (world.lisi, "3000"))
    months(D(2025, 12, 1), D(2026, 1, 1))
    return world


def month_url(world: World, month: str = "2026-01") -> str:
    return f"{reverse('dues:branch', args=[world.village.pk])}?month={month}"


def sheet_post(world: World, rows: dict[Any, dict[str, str]], **shared: str) -> dict[str, str]:
    data = {"paid_on": "2026-01-08", "method": "cash", **shared}
    for member, fields in rows.items():
        data |= {f"{name}_{member.pk}": value for name, value in fields.items()}
    return data


# --- 本月党费 ------------------------------------------------------------------------------------


def test_the_month_page_records_two_members_paying_differently_in_one_submission(village: World) -> None:
    world = village
    client = world.client(world.branch_admin)
    page = client.get(month_url(world))
    rows = {row.member: row for row in page.context["rows"]}
    assert (rows[world.zhangsan].sheet.outstanding, rows[world.zhangsan].sheet.earlier) == (16200, 8100)
    assert rows[world.zhangsan].amount == "162.00"  # prefilled: everything owed up to the month
    assert f'name="amount_{world.zhangsan.pk}" value="162.00"' in page.content.decode()
    answer = client.post(
        month_url(world),
        sheet_post(
            world,
            {
                world.zhangsan: {"paid": "1", "amount": "162.00", "receipt": "NO.0001"},
                world.lisi: {"paid": "1", "amount": "20", "receipt": ""},
            },
            method="wechat",
        ),
    )
    assert answer.status_code == 302 and answer["Location"].endswith("?month=2026-01")
    assert ledger_of(world.zhangsan) == {D(2025, 12, 1): (8100, 8100), D(2026, 1, 1): (8100, 8100)}
    assert ledger_of(world.lisi) == {D(2025, 12, 1): (1500, 1500), D(2026, 1, 1): (1500, 500)}  # oldest first
    assert set(DuesPayment.objects.values_list("method", "paid_on", "receipt")) == {
        ("wechat", D(2026, 1, 8), "NO.0001"),
        ("wechat", D(2026, 1, 8), ""),
    }
    after = client.get(answer["Location"])
    body = after.content.decode()
    assert "已登记2名党员交纳2026年1月党费，合计182.00元" in body
    totals = after.context["summary"]
    assert (totals.owed, totals.paid, totals.outstanding, totals.settled, totals.members) == (9600, 8600, 1000, 1, 2)
    rows = {row.member: row for row in after.context["rows"]}
    assert rows[world.zhangsan].sheet.settled and not rows[world.zhangsan].payable
    assert rows[world.lisi].amount == "10.00"


def test_an_unticked_row_is_not_recorded_whatever_its_amount(village: World) -> None:
    world = village
    client = world.client(world.branch_admin)
    data = sheet_post(world, {world.zhangsan: {"paid": "1", "amount": "81"}, world.lisi: {"amount": "15.00"}})
    assert client.post(month_url(world), data).status_code == 302
    assert list(DuesPayment.objects.values_list("member_id", "amount")) == [(world.zhangsan.pk, 8100)]


@pytest.mark.parametrize(
    ("lisi", "message"),
    [
        ({"amount": "-5"}, "交纳金额不能为负数"),
        ({"amount": "十五元"}, "交纳金额应为数字"),
        ({"amount": "0"}, "交纳金额应大于0"),
        (
            {"amount": "500"},
            "交纳金额超过李四应交的30.00元。预交以后月份或自愿多交党费的，请在该党员的党费账中单独登记",
        ),
        ({"amount": "15", "receipt": "NO.0001"}, "在本次登记中重复（李四、张三）"),
        ({"amount": "15", "receipt": "OLD-7"}, "收据或交易单号“OLD-7”已经登记过，不能重复登记"),
        ({"amount": "15", "receipt": "R" * 65}, "收据或交易单号不能超过64个字符"),
        ({"amount": "15", "receipt": "A\x07B"}, "收据或交易单号含有不可见的控制字符"),
    ],
)
def test_one_wrong_row_writes_nothing_and_the_page_keeps_what_was_typed(village: World, lisi, message) -> None:
    world = village
    DuesPayment.objects.create(
        member=world.wangfang,
        amount=100,
        paid_on=D(2025, 6, 1),
        receipt="OLD-7",
        collected_by=world.community,
        org_path=world.community.path,
    )
    client = world.client(world.branch_admin)
    data = sheet_post(
        world,
        {world.zhangsan: {"paid": "1", "amount": "162.00", "receipt": "NO.0001"}, world.lisi: {"paid": "1", **lisi}},
    )
    answer = client.post(month_url(world), data)
    assert answer.status_code == 400
    assert DuesPayment.objects.filter(member__in=[world.zhangsan, world.lisi]).count() == 0
    assert DuesMonth.objects.filter(paid__gt=0).count() == 0
    rows = {row.member: row for row in answer.context["rows"]}
    assert any(message in error for error in rows[world.lisi].errors), rows[world.lisi].errors
    assert not rows[world.zhangsan].errors or "重复" in message
    body = answer.content.decode()
    assert f"李四：{rows[world.lisi].errors[0]}" in body
    assert "本次提交的党费均未登记" in body
    assert rows[world.lisi].amount == lisi["amount"] and rows[world.lisi].ticked  # what was typed stays
    assert f'name="receipt_{world.zhangsan.pk}" value="NO.0001"' in body
    assert f'id="paid_{world.zhangsan.pk}" checked' in body


def test_the_shared_date_and_an_empty_submission_are_refused_on_the_form(village: World) -> None:
    world = village
    client = world.client(world.branch_admin)
    future = client.post(
        month_url(world), sheet_post(world, {world.zhangsan: {"paid": "1", "amount": "81"}}, paid_on="2026-01-11")
    )
    assert future.status_code == 400 and future.context["form"].errors["paid_on"] == ["交纳日期不能晚于今天"]
    nothing = client.post(month_url(world), sheet_post(world, {world.zhangsan: {"amount": "81"}}, method="gold"))
    assert nothing.status_code == 400 and "method" in nothing.context["form"].errors
    none_ticked = client.post(month_url(world), sheet_post(world, {world.zhangsan: {"amount": "81"}}))
    assert "请在已交党费的党员一行勾选“已交”" in none_ticked.content.decode()
    assert not DuesPayment.objects.exists()


def test_a_late_back_payment_asks_its_reason_on_the_row(world: World, today) -> None:
    """第十二条: a month more than six months back is paid only with a reason."""
    based(world, (world.zhangsan, "5400"), since=D(2025, 5, 1))
    months(D(2025, 5, 1), D(2026, 1, 1))
    client = world.client(world.branch_admin)
    page = client.get(month_url(world))
    assert f'name="reason_{world.zhangsan.pk}"' in page.content.decode()  # asked before it is refused
    data = sheet_post(world, {world.zhangsan: {"paid": "1", "amount": "81"}})
    refused = client.post(month_url(world), data)
    assert "补交2025年5月的党费已超过6个月" in refused.content.decode()
    data[f"reason_{world.zhangsan.pk}"] = "外出务工，返乡后补交"
    assert client.post(month_url(world), data).status_code == 302
    assert DuesPayment.objects.get().reason == "外出务工，返乡后补交"


def test_a_member_without_a_basis_shows_it_with_a_link_to_set_one(world: World, today) -> None:
    based(world, (world.zhangsan, "5400"))
    months(D(2026, 1, 1), D(2026, 1, 1))
    page = world.client(world.branch_admin).get(month_url(world))
    body = page.content.decode()
    assert page.context["unassessed"] == 1
    assert "未核定基数" in body and reverse("dues:basis", args=[world.lisi.pk]) in body
    assert f'name="paid_{world.lisi.pk}"' not in body


def test_the_months_move_back_and_forth_but_not_past_this_one(village: World) -> None:
    client = village.client(village.branch_admin)
    page = client.get(month_url(village, "2025-12"))
    assert page.context["month"] == D(2025, 12, 1) and page.context["next"] == D(2026, 1, 1)
    assert page.context["previous"] == D(2025, 11, 1)
    assert client.get(month_url(village, "2031-05")).context["month"] == D(2026, 1, 1)
    assert client.get(month_url(village, "garbage")).context["next"] is None


def test_the_month_page_costs_a_fixed_number_of_queries(village: World, django_assert_max_num_queries) -> None:
    client = village.client(village.branch_admin)
    client.get(month_url(village))  # the session and the acting role read once
    with django_assert_max_num_queries(14):  # 13 today, whatever the number of members
        client.get(month_url(village))


# --- Scope ------------------------------------------------------------------------------------


def test_each_role_reaches_only_its_own_dues(village: World) -> None:
    world = village
    outsider = world.client(world.other_admin)
    assert outsider.get(month_url(world)).status_code == 404
    data = sheet_post(world, {world.zhangsan: {"paid": "1", "amount": "81"}})
    assert outsider.post(month_url(world), data).status_code == 404
    assert outsider.get(reverse("dues:member", args=[world.zhangsan.pk])).status_code == 404
    assert outsider.get(reverse("dues:arrears"), {"organization": world.village.pk}).status_code == 404
    assert outsider.get(reverse("dues:collection"), {"organization": world.town.pk}).status_code == 404
    member = world.client(world.member_user)
    assert member.get(reverse("dues:member", args=[world.zhangsan.pk])).status_code == 200
    assert member.get(reverse("dues:member", args=[world.lisi.pk])).status_code == 404
    assert member.get(month_url(world)).status_code == 403
    assert member.get(reverse("dues:pay", args=[world.zhangsan.pk])).status_code == 403
    assert member.post(month_url(world), data).status_code == 403
    branch = world.client(world.branch_admin)
    assert branch.get(reverse("dues:member", args=[world.zhaoliu.pk])).status_code == 404
    assert branch.get(reverse("dues:basis", args=[world.wangfang.pk])).status_code == 404
    assert not DuesPayment.objects.exists()


def test_the_dues_entry_takes_each_role_to_its_page(village: World) -> None:
    world = village
    assert world.client(world.branch_admin).get(reverse("dues:overview"))["Location"] == reverse(
        "dues:branch", args=[world.village.pk]
    )
    assert world.client(world.county_admin).get(reverse("dues:overview"))["Location"] == reverse("dues:collection")
    assert world.client(world.member_user).get(reverse("dues:overview"))["Location"] == reverse(
        "dues:member", args=[world.zhangsan.pk]
    )
    assert world.client(world.no_role).get(reverse("dues:overview")).status_code == 403


# --- 党员党费账, 登记交纳, 冲正 -------------------------------------------------------------------


def test_a_member_reads_their_own_ledger_without_the_buttons(village: World) -> None:
    world = village
    services.record_payment(actor=world.branch_admin, member=world.zhangsan, amount="81", paid_on=D(2026, 1, 5))
    page = world.client(world.member_user).get(reverse("dues:member", args=[world.zhangsan.pk]))
    body = page.content.decode()
    assert page.context["paid_through"] == D(2025, 12, 1) and page.context["outstanding"] == 8100
    assert "2025年12月" in body and "在职党员" in body and "81.00元" in body
    assert 'data-testid="pay"' not in body and 'data-testid="reverse"' not in body
    assert page.context["year"] == 2026 and page.context["years"] == [2026, 2025]


def test_a_payment_ahead_then_reversed_on_the_member_pages(village: World) -> None:
    world = village
    client = world.client(world.branch_admin)
    pay_url = reverse("dues:pay", args=[world.zhangsan.pk])
    form = client.get(pay_url)
    assert form.context["form"]["amount"].value() == "162.00"
    over = client.post(pay_url, {"amount": "324", "paid_on": "2026-01-09", "method": "cash", "ahead": "0"})
    assert over.status_code == 400
    assert "交纳金额超过应交金额162.00元" in over.content.decode() and not DuesPayment.objects.exists()
    bad_ahead = client.post(pay_url, {"amount": "324", "paid_on": "2026-01-09", "method": "cash", "ahead": "13"})
    assert "预交月数应为0至12的整数" in bad_ahead.content.decode()
    done = client.post(pay_url, {"amount": "324", "paid_on": "2026-01-09", "method": "cash", "ahead": "2"})
    assert done.status_code == 302
    assert ledger_of(world.zhangsan)[D(2026, 3, 1)] == (8100, 8100)
    payment = DuesPayment.objects.get()
    ledger_page = client.get(reverse("dues:member", args=[world.zhangsan.pk]))
    assert ledger_page.context["paid_through"] == D(2026, 3, 1)
    assert "2025年12月至2026年3月" in ledger_page.content.decode()
    reverse_url = reverse("dues:reverse", args=[payment.pk])
    assert reverse_url in ledger_page.content.decode()
    refused = client.post(reverse_url, {"reason": ""})
    assert refused.status_code == 400 and DuesPayment.objects.count() == 1
    assert client.post(reverse_url, {"reason": "金额录入错误"}).status_code == 302
    reversal = DuesPayment.objects.get(kind=PaymentKind.REVERSAL)
    assert (reversal.amount, reversal.reverses_id, reversal.reason) == (-32400, payment.pk, "金额录入错误")
    assert all(paid == 0 for _, paid in ledger_of(world.zhangsan).values())
    again = client.get(reverse_url)
    assert "这笔记录已经冲正过" in again.content.decode()
    assert client.post(reverse_url, {"reason": "再冲一次"}).status_code == 400
    assert world.client(world.other_admin).get(reverse_url).status_code == 404
    assert DuesPayment.objects.count() == 2


def test_a_voluntary_extra_of_a_thousand_yuan_goes_to_the_centre(village: World) -> None:
    world = village
    client = world.client(world.branch_admin)
    answer = client.post(
        reverse("dues:pay", args=[world.lisi.pk]),
        {"amount": "1,030.00元", "paid_on": "2026-01-09", "method": "bank", "extra": "on", "payer": "李小四"},
        follow=True,
    )
    assert "全部上缴中央" in answer.content.decode()
    payment = DuesPayment.objects.get()
    assert (payment.amount, payment.remit_to_centre, payment.payer) == (103000, True, "李小四")


# --- 核定党费基数 ---------------------------------------------------------------------------------


def test_the_basis_form_computes_the_amount_and_keeps_the_history(world: World, today) -> None:
    client = world.client(world.branch_admin)
    url = reverse("dues:basis", args=[world.lisi.pk])
    page = client.get(url)
    committees = list(page.context["form"].fields["relief_by"].queryset)
    assert committees == [world.town, world.county]  # the branch's superiors, nearest first
    assert page.context["form"]["valid_from"].value() == D(2026, 1, 1)
    answer = client.post(url, {"valid_from": "2026-01", "category": "in_service", "base": "5,400"}, follow=True)
    assert "自2026年1月起每月应交81.00元" in answer.content.decode()
    assert DuesMonth.objects.get(member=world.lisi).owed == 8100  # this month's row at once
    # A base typed for a fixed category is dropped with the hidden field; hardship is approved above.
    relief = {
        "valid_from": "2026-02",
        "category": "farmer",
        "base": "3000",
        "hardship": "on",
        "relief": "reduced",
        "relief_amount": "0.10",
        "relief_by": str(world.town.pk),
        "relief_on": "2026-01-05",
    }
    assert client.post(url, relief).status_code == 302
    latest = DuesBasis.objects.filter(member=world.lisi).latest("valid_from")
    assert (latest.category, latest.base, latest.relief, latest.amount, latest.relief_by) == (
        "farmer",
        None,
        "reduced",
        10,
        world.town,
    )
    history = client.get(url)
    assert len(history.context["bases"]) == 2
    assert "2026年2月起" in history.content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"category": "in_service", "base": "-1"}, "base", "交纳基数不能为负数"),
        ({"category": "in_service", "base": ""}, "base", "请填写交纳基数"),
        ({"category": ""}, "category", "请选择党费类别"),
        ({"category": "student", "hardship": "on"}, "relief", "请选择少交或免交"),
        ({"category": "student", "hardship": "on", "relief": "exempt"}, "relief_by", "须经上级党委批准"),
        (
            {"category": "student", "hardship": "on", "relief": "exempt", "relief_by": "other"},
            "relief_by",
            "选择一个有效的选项",
        ),
        ({"category": "student", "valid_from": "2026-13"}, "valid_from", "起始月份格式不正确"),
        ({"category": "student", "valid_from": "1999-06"}, "valid_from", "起始月份应在2000年至2099年之间"),
        ({"category": "student", "valid_from": "2000-06"}, "valid_from", "起始月份不能早于入党的月份"),
    ],
)
def test_a_wrong_basis_names_its_field_and_writes_nothing(world: World, today, fields, field, message) -> None:
    if fields.get("relief_by") == "other":
        fields = fields | {"relief_by": str(world.other_town.pk), "relief_on": "2026-01-05"}
    data = {"valid_from": "2026-01"} | fields
    answer = world.client(world.branch_admin).post(reverse("dues:basis", args=[world.lisi.pk]), data)
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert any(message in text for text in errors.get(field, [])), errors
    assert not DuesBasis.objects.exists()


# --- 欠缴党费 ------------------------------------------------------------------------------------


@pytest.fixture
def behind(world: World, today) -> World:
    """Today 10 July 2026. 张三 owes January to July and has paid nothing since (flagged); 李四
    owes from July 2025, eleven months now, but paid two of them in May (not flagged)."""
    based(world, (world.zhangsan, "5400"), since=D(2026, 1, 1))
    based(world, (world.lisi, "3000"), since=D(2025, 7, 1))
    months(D(2025, 7, 1), D(2026, 5, 1))
    today(D(2026, 5, 20))
    services.record_payment(
        actor=world.branch_admin, member=world.lisi, amount="30", paid_on=D(2026, 5, 20), reason="外出务工"
    )
    today(D(2026, 7, 10))
    months(D(2026, 6, 1), D(2026, 7, 1))
    return world


def test_the_arrears_list_the_six_silent_months_first(behind: World) -> None:
    world = behind
    page = world.client(world.town_admin).get(reverse("dues:arrears"))
    lines = page.context["lines"]
    assert [line.behind.name for line in lines] == ["张三", "李四"]  # though 李四 owes more months
    assert lines[0].behind.flagged and not lines[1].behind.flagged
    assert lines[0].months == "2026年1月至7月，共7个月"
    assert lines[1].months == "2025年9月至2026年7月，共11个月"
    body = page.content.decode()
    assert "连续6个月未交纳党费（第十三条）" in body
    assert page.context["amount"] == 7 * 8100 + 11 * 1500
    community = world.client(world.town_admin).get(reverse("dues:arrears"), {"organization": world.community.pk})
    assert community.context["lines"] == [] and "没有欠缴党费的党员" in community.content.decode()


def test_a_valid_reason_recorded_on_the_arrears_page_lifts_the_flag(behind: World) -> None:
    world = behind
    client = world.client(world.branch_admin)
    url = f"{reverse('dues:arrears')}?organization={world.village.pk}"
    prefix = f"m{world.zhangsan.pk}"
    wrong = client.post(
        url, {"member": world.zhangsan.pk, f"{prefix}-from_month": "2026-06", f"{prefix}-to_month": "2026-01"}
    )
    assert wrong.status_code == 400 and not ArrearsReason.objects.exists()
    assert "截止月份不能早于起始月份" in wrong.content.decode() and "请填写正当理由" in wrong.content.decode()
    outside = client.post(url, {"member": world.zhaoliu.pk, f"m{world.zhaoliu.pk}-reason": "住院"})
    assert outside.status_code == 404
    done = client.post(
        url,
        {
            "member": world.zhangsan.pk,
            f"{prefix}-from_month": "2026-01",
            f"{prefix}-to_month": "2026-06",
            f"{prefix}-reason": "因病住院，无法交纳",
        },
    )
    assert done.status_code == 302 and done["Location"] == url
    after = client.get(url)
    assert not any(line.behind.flagged for line in after.context["lines"])
    assert "已登记正当理由：2026年1月至2026年6月，因病住院，无法交纳" in after.content.decode()
    assert world.client(world.member_user).get(url).status_code == 403


# --- 党费收缴情况 ---------------------------------------------------------------------------------


def test_the_collection_sums_each_subtree_and_charts_the_months(village: World) -> None:
    world = village
    based(world, (world.wangfang, "3000"), (world.zhaoliu, "3000"), since=D(2026, 1, 1))
    services.generate_month(D(2026, 1, 1))
    services.record_payment(actor=world.county_admin, member=world.zhangsan, amount="162", paid_on=D(2026, 1, 5))
    services.record_payment(actor=world.county_admin, member=world.zhaoliu, amount="15", paid_on=D(2026, 1, 5))
    page = world.client(world.county_admin).get(reverse("dues:collection"), {"year": "2026"})
    rows = {row.organization: row for row in page.context["rows"]}
    assert list(rows) == [world.town, world.other_town]
    town = rows[world.town]  # January only (2026): 张三 81, 李四 15, 王芳 15
    assert (town.members, town.owed, town.paid, town.behind) == (3, 11100, 8100, 2)
    assert round(town.rate, 1) == 73.0
    assert (rows[world.other_town].owed, rows[world.other_town].paid) == (1500, 1500)
    body = page.content.decode()
    chart = json.loads(body.split('id="dues-collection-data" type="application/json">')[1].split("</script>")[0])
    assert chart["months"] == ["1月"] and chart["owed"] == [126.0] and chart["paid"] == [96.0]
    assert "vendor/echarts/echarts.min.js" in body and "<script>" not in body
    town_page = world.client(world.town_admin).get(reverse("dues:collection"), {"organization": world.town.pk})
    assert [row.organization for row in town_page.context["rows"]] == [world.village, world.community]
    outside = world.client(world.town_admin).get(reverse("dues:collection"), {"organization": world.enterprise.pk})
    assert outside.status_code == 404
