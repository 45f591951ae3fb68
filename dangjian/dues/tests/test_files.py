"""The dues files: the branch's monthly 党费收缴登记表 and the committee's annual summary are real
workbooks holding the members and the totals, in the scope only, each export in the security
trail; the import of a payment list records every row of a good file and none of a file with one
bad row, naming that row, and a hostile file gets a clear answer."""

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from conftest import World, make_id_number
from dangjian.core.models import AuditEvent, Event
from dangjian.dues import rules, services
from dangjian.dues.models import DuesMonth, DuesPayment
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db
D = dt.date
HEADER = ["交易单号", "姓名", "身份证号", "金额", "交纳日期"]


DECEMBER = dt.date(2025, 12, 1)


def ledger(world: World, *members: Member, first: dt.date = DECEMBER) -> None:
    """Each member pays 81.00 a month from ``first``; the months up to January 2026 are written."""
    for member in members:
        services.set_basis(
            actor=world.county_admin, member=member, valid_from=first, category="in_service", base="5400"
        )
    for month in rules.months_between(first, D(2026, 1, 1)):
        services.generate_month(month)


def cells(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def row_of(rows: list[list[Any]], text: str) -> list[Any]:
    return next(row for row in rows if text in row)


def test_the_register_lists_the_branch_s_members_with_totals(world: World, today: Any) -> None:
    ledger(world, world.zhangsan, world.lisi, world.zhaoliu)
    services.record_payment(
        actor=world.branch_admin, member=world.zhangsan, amount="162", paid_on=D(2026, 1, 6), receipt="YH-0001"
    )
    client = world.client(world.branch_admin)
    response = client.get(f"/dues/branch/{world.village.pk}/register.xlsx", {"month": "2026-01"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    rows = cells(response.content)
    assert rows[0][0] == "党费收缴登记表"
    assert "中共兴丰村支部委员会" in rows[1][0] and "2026年1月" in str(rows[1])
    assert rows[2][:4] == ["序号", "姓名", "党费类别", "交纳基数（元）"]
    zhang, li = row_of(rows, "张三"), row_of(rows, "李四")
    # 序号, 姓名, 类别, 基数, 应交, 已交, 日期, 收据, 本月未交, 累计欠交, 备注
    assert zhang[2:10] == ["在职党员", 5400, 81, 81, "2026-01-06", "YH-0001", 0, 0]
    assert li[4:10] == [81, 0, None, None, 81, 162]
    assert row_of(rows, "合计")[2:10] == ["2人", None, 162, 81, None, None, 81, 162]
    assert any(str(value).startswith("收款人") for row in rows for value in row if value)
    assert "赵六" not in str(rows)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    event = AuditEvent.objects.filter(event=Event.EXPORT).latest("seq")
    assert event.details == {"what": "党费收缴登记表", "month": "2026-01", "rows": 2}

    assert world.client(world.other_admin).get(f"/dues/branch/{world.village.pk}/register.xlsx").status_code == 404
    assert world.client(world.member_user).get(f"/dues/branch/{world.village.pk}/register.xlsx").status_code == 403
    assert client.get(f"/dues/branch/{world.village.pk}/register.xlsx", {"month": "2026-13"}).status_code == 400
    assert client.get(f"/dues/branch/{world.town.pk}/register.xlsx").status_code == 404  # above the branch's scope


def test_the_summary_gives_each_branch_by_month_and_the_totals(world: World, today: Any) -> None:
    ledger(world, world.zhangsan, world.wangfang, world.zhaoliu)
    # December 2025 first, then January.
    services.record_payment(actor=world.town_admin, member=world.wangfang, amount="162", paid_on=D(2026, 1, 6))
    response = world.client(world.town_admin).get("/dues/summary.xlsx", {"year": "2026"})
    assert response.status_code == 200
    rows = cells(response.content)
    assert rows[0][0] == "2026年度党费收缴汇总表" and "中共坪塘镇委员会" in rows[1][0]
    branches = [row[1] for row in rows[3:] if isinstance(row[0], int)]
    assert branches == ["中共兴丰村支部委员会", "中共新街社区支部委员会"]  # 三环颜料 is not the town's
    total = rows.index(row_of(rows, "合计"))
    assert [row[2:4] + row[15:17] for row in rows[total : total + 3]] == [
        ["应交", 162, 162, "50.0%"],  # January of two members; the December rows are of 2025
        ["已交", 81, 81, None],
        ["未交", 81, 81, None],
    ]
    elsewhere = world.client(world.town_admin).get("/dues/summary.xlsx", {"organization": world.other_town.pk})
    assert elsewhere.status_code == 404
    merged = list(load_workbook(io.BytesIO(response.content)).worksheets[0].merged_cells.ranges)
    assert not [(a, b) for a in merged for b in merged if a is not b and not a.isdisjoint(b)]  # Excel refuses overlaps
    assert world.client(world.member_user).get("/dues/summary.xlsx").status_code == 403
    event = AuditEvent.objects.filter(event=Event.EXPORT).latest("seq")
    assert event.details == {"what": "党费收缴汇总表", "year": 2026, "rows": 2}


# --- The import ---------------------------------------------------------------------------------


def workbook(rows: list[list[Any]], header: list[str] = HEADER) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["银行代收党费交易明细"])  # a title above the header, as banks write
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("明细.xlsx", buffer.getvalue())


def upload(world: World, file: SimpleUploadedFile, method: str = "bank") -> Any:
    return world.client(world.branch_admin).post("/dues/import/", {"file": file, "method": method})


def test_a_good_file_is_recorded_whole(world: World, today: Any) -> None:
    ledger(world, world.zhangsan, world.lisi)
    zhang_tail, lisi_tail = world.zhangsan.id_number[-6:], world.lisi.id_number[-6:]
    text = "\n".join(
        [
            "交易时间,付款方式,姓名,身份证后6位,交易金额(元),商户订单号",
            f"2026-01-05 09:12:00,微信,张三,{zhang_tail},¥162.00,`4200000001",
            f"2026-01-06 10:00:00,微信,李四,{lisi_tail},81.00,`4200000002",
        ]
    )
    page = upload(world, SimpleUploadedFile("wechat.csv", text.encode("gb18030")), method="wechat")
    assert page.status_code == 200
    report = page.context["report"]
    assert report.ok, report.problems
    assert [(row.row, row.name, row.amount, row.months) for row in report.recorded] == [
        (2, "张三", 16200, [D(2025, 12, 1), D(2026, 1, 1)]),
        (3, "李四", 8100, [D(2025, 12, 1)]),
    ]
    assert "已登记2笔党费，共243.00元" in page.content.decode()
    assert set(DuesPayment.objects.values_list("receipt", "method")) == {
        ("4200000001", "wechat"),
        ("4200000002", "wechat"),
    }
    assert AuditEvent.objects.filter(event=Event.IMPORT).latest("seq").details == {"what": "党费交纳明细", "rows": 2}


def test_one_bad_row_and_nothing_is_recorded(world: World, today: Any) -> None:
    ledger(world, world.zhangsan, world.lisi, world.zhaoliu)
    good = ["YH-1", "张三", world.zhangsan.id_number, 81, D(2026, 1, 5)]
    rows = [
        good,
        ["YH-2", "赵六", world.zhaoliu.id_number, 81, D(2026, 1, 5)],  # another town's member
        ["YH-3", "李四", world.lisi.id_number, "500.00", "2026/1/5"],  # more than owed
        ["YH-1", "李四", world.lisi.id_number, 81, D(2026, 1, 5)],  # the receipt again
        ["YH-5", "李四", "", 81, D(2026, 1, 5)],  # a name alone
    ]
    page = upload(world, workbook(rows))
    report = page.context["report"]
    assert not report.ok and report.recorded == []
    reasons = {problem.row: problem.reason for problem in report.problems}
    assert set(reasons) == {4, 5, 6, 7}  # the title and the header above: Excel's row numbers
    assert reasons[4] == "在您的管理范围内没有姓名和身份证号与此相符的党员"
    assert "交纳金额超过应交金额" in reasons[5]
    assert reasons[6] == "交易单号与第3行重复"
    assert "仅凭姓名无法确定是哪位党员" in reasons[7]
    body = page.content.decode()
    assert "未登记任何党费" in body and "交易单号与第3行重复" in body
    assert world.zhaoliu.id_number not in body
    assert not DuesPayment.objects.exists() and set(DuesMonth.objects.values_list("paid", flat=True)) == {0}

    # Outside the scope reads exactly like nobody at all.
    nobody = ["YH-9", "赵六", make_id_number("1990-03-07", male=True, region="110101"), 81, D(2026, 1, 5)]
    other = upload(world, workbook([good, nobody])).context["report"].problems
    assert [(p.row, p.reason) for p in other] == [(4, reasons[4])]
    assert not DuesPayment.objects.exists()


@pytest.mark.parametrize(
    ("file", "reason"),
    [
        (SimpleUploadedFile("bank.xlsx", b"not a workbook at all"), "文件无法读取"),
        (SimpleUploadedFile("bank.xls", b"\xd0\xcf\x11\xe0"), "另存为 .xlsx"),
        (SimpleUploadedFile("bank.csv", b"\xff\xfe\x00\x00garbage"), "CSV 文件无法读取"),
        (SimpleUploadedFile("bank.csv", "姓名,金额\n张三,81".encode()), "缺少列“交纳日期”"),
    ],
)
def test_a_hostile_or_wrong_file_gets_a_clear_answer(world: World, today: Any, file: Any, reason: str) -> None:
    page = upload(world, file)
    assert page.status_code == 200
    assert reason in page.content.decode()
    assert not DuesPayment.objects.exists()


def test_a_sheet_with_formulas_is_refused(world: World, today: Any) -> None:
    ledger(world, world.zhangsan)
    page = upload(world, workbook([["YH-1", "张三", world.zhangsan.id_number, "=40+41", D(2026, 1, 5)]]))
    assert [(p.row, p.reason[:6]) for p in page.context["report"].problems] == [(3, "该行含有公式")]
    assert not DuesPayment.objects.exists()


def test_the_import_is_for_those_who_record_dues(world: World, today: Any) -> None:
    assert world.client(world.member_user).get("/dues/import/").status_code == 403
    page = world.client(world.branch_admin).get("/dues/import/")
    assert page.status_code == 200 and 'name="method"' in page.content.decode()
