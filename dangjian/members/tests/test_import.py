"""党员信息导入: every bad cell reported by row, column, value and reason, and nothing written unless
every row passes; the good file lands whole, with periods, encrypted numbers and pinyin."""

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import Workbook

from conftest import make_id_number
from dangjian.core.crypto import lookup_hash
from dangjian.core.excel import cell_date
from dangjian.core.models import AuditEvent, Event
from dangjian.members import imports
from dangjian.members.imports import COLUMNS, SHEET, ImportReport, import_members
from dangjian.members.models import Member, MembershipPeriod, StatusPeriod

HEADERS = [column.header for column in COLUMNS]
TODAY = timezone.localdate()


def line(**cells: Any) -> list[Any]:
    """A valid row for 兴丰村党支部 (code T1-V1), with the given cells (by field) changed."""
    defaults = {
        "organization_code": "T1-V1",
        "name": "刘洋",
        "id_number": make_id_number("1985-04-12", male=True, sequence=40),
        "education": "大学本科",
        "category": "正式党员",
        "joined_date": "2008-06-01",
        "regularized_date": "2009-06-01",
    }
    values = defaults | cells
    return [values.get(column.field) for column in COLUMNS]


def person(sequence: int, **cells: Any) -> list[Any]:
    """Another valid row: a different person for each sequence number."""
    number = make_id_number("1980-01-01", male=sequence % 2 == 1, sequence=100 + sequence)
    return line(**({"name": f"测试{sequence}", "id_number": number} | cells))


def xlsx(*rows: list[Any], headers: list[str] = HEADERS, title: str = SHEET) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def run(user: Any, *rows: list[Any], **kwargs: Any) -> ImportReport:
    return import_members(actor=user, file=xlsx(*rows, **kwargs))


def reasons(report: ImportReport, row: int | None = None, column: str | None = None) -> list[str]:
    return [
        problem.reason
        for problem in report.problems
        if (row is None or problem.row == row) and (column is None or problem.column == column)
    ]


@pytest.fixture
def unchanged(world):
    """Asserts after the test that the import wrote nothing."""
    before = (Member.objects.count(), MembershipPeriod.objects.count(), StatusPeriod.objects.count())
    yield
    assert (Member.objects.count(), MembershipPeriod.objects.count(), StatusPeriod.objects.count()) == before


# A good file


def test_each_imported_member_starts_its_history_and_the_first_edit_shows_its_change(world):
    """The import writes each member's first version (created, by the importer, at the import's
    time) in the same pass as the member: the 修改记录 of a later edit shows what changed, not
    "修改（无字段变化）" against nothing."""
    report = run(world.branch_admin, person(1, job="村会计"), person(2))
    assert report.ok, report.problems
    member = Member.objects.get(name="测试1")
    (created,) = member.history.all()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        world.branch_admin,
        "党员信息导入",
    )
    assert (created.job, created.id_number, created.organization_id) == ("村会计", member.id_number, world.village.pk)
    assert Member.history.filter(name__startswith="测试").count() == 2

    from dangjian.core import history
    from dangjian.members.services import update_member

    update_member(actor=world.branch_admin, member=member, job="村妇联主任")
    latest = history.entries(member)[0]
    assert latest.kind == "修改"
    assert [(c.old, c.new) for c in latest.changes] == [("村会计", "村妇联主任")]
    assert history.entries(member)[1].kind == "创建"


def test_it_imports_every_row_with_periods_encrypted_numbers_and_pinyin(world):
    number = make_id_number("1990-02-03", male=False, sequence=50)
    report = run(
        world.branch_admin,
        line(name="曾晓红", id_number=number, gender="女", ethnicity="土家族", phone="138 1234 5678", job="村会计"),
        person(1, category="预备党员", regularized_date=None, joined_date=str(TODAY - dt.timedelta(days=100))),
        person(2, organization_code="T1-V1", is_central_household="是", since="2012-03-01"),
    )
    assert report.ok, report.problems
    assert (report.rows, report.created) == (3, 3)
    member = Member.objects.get(id_hash=lookup_hash(number))
    assert member.id_number == number  # decrypts
    assert (member.name_pinyin, member.name_initials) == ("zengxiaohong", "zxh")
    assert (member.gender, member.ethnicity, member.birth_date) == ("2", "15", dt.date(1990, 2, 3))
    assert (member.phone, member.phone_tail, member.id_tail) == ("13812345678", "5678", number[-4:])
    assert member.org_path == world.village.path
    period = member.periods.get()
    assert (period.organization, period.start, period.end, period.reason) == (
        world.village,
        dt.date(2008, 6, 1),
        None,
        "登记入册（导入）",
    )
    status = member.status_periods.get()
    assert (status.status, status.start, status.end) == ("normal", dt.date(2008, 6, 1), None)
    probationary = Member.objects.get(name="测试1")
    assert (probationary.category, probationary.regularized_date) == ("probationary", None)
    central = Member.objects.get(name="测试2")
    assert central.is_central_household
    assert central.periods.get().start == dt.date(2012, 3, 1)
    event = AuditEvent.objects.filter(event=Event.IMPORT).latest("seq")
    assert event.details == {"what": "党员信息导入", "rows": 3}
    assert number not in str(event.details)


def test_the_period_starts_at_the_founding_when_the_member_joined_before_it(world):
    # 兴丰村党支部 was founded 1990-01-01, as create_member would do.
    report = run(
        world.branch_admin,
        line(
            joined_date="1985-06-01",
            regularized_date="1986-06-01",
            id_number=make_id_number("1960-05-05", male=True, sequence=44),
        ),
    )
    assert report.ok, report.problems
    assert MembershipPeriod.objects.get(reason="登记入册（导入）").start == dt.date(1990, 1, 1)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2005-08-01", dt.date(2005, 8, 1)),
        ("2005/8/1", dt.date(2005, 8, 1)),
        ("2005.8.1", dt.date(2005, 8, 1)),
        ("2005.08", dt.date(2005, 8, 1)),
        ("2005年8月1日", dt.date(2005, 8, 1)),
        ("2005年8月", dt.date(2005, 8, 1)),
        (38565, dt.date(2005, 8, 1)),  # an Excel serial in a General cell
        (2005.08, dt.date(2005, 8, 1)),  # "2005.08" typed into a General cell
        (2005.12, dt.date(2005, 12, 1)),
        (dt.date(2005, 8, 1), dt.date(2005, 8, 1)),
        (dt.datetime(2005, 8, 1, 0, 0), dt.date(2005, 8, 1)),
    ],
)
def test_dates_are_read_in_every_form_people_type(world, cell, expected):
    report = run(world.branch_admin, line(joined_date=cell, regularized_date="2007-01-01"))
    assert report.ok, report.problems
    assert Member.objects.get(name="刘洋").joined_date == expected


def test_an_ambiguous_year_month_number_is_refused():
    with pytest.raises(ValueError, match="无法确定月份"):
        cell_date(2005.1)  # 2005.1 or 2005.10?
    assert cell_date("2005.10") == dt.date(2005, 10, 1)


def test_codes_and_labels_both_read_and_columns_may_come_in_any_order(world):
    headers = [*reversed(HEADERS), "备注"]
    row = [*reversed(line(education="bachelor", gender="1", ethnicity="汉", category="full")), "随便写"]
    report = run(world.branch_admin, row, headers=headers)
    assert report.ok, report.problems
    member = Member.objects.get(name="刘洋")
    assert (member.education, member.ethnicity, member.category) == ("bachelor", "01", "full")


def test_blank_rows_are_skipped_and_rows_numbered_as_excel_shows_them(world, unchanged):
    report = run(world.branch_admin, person(1), [None] * len(HEADERS), person(2, name=""))
    assert report.rows == 2
    assert [(p.row, p.column, p.reason) for p in report.problems] == [(4, "姓名", "请填写姓名")]


# Bad input: one test per case of the issue, each naming row, column and reason, writing nothing


def only_problem(report: ImportReport) -> tuple[int | None, str, str, str]:
    assert report.problem_count == 1, report.problems
    assert report.created == 0
    problem = report.problems[0]
    return problem.row, problem.column, problem.value, problem.reason


def test_a_bad_checksum(world, unchanged):
    number = make_id_number("1985-04-12", male=True, sequence=40)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    row, column, value, reason = only_problem(run(world.branch_admin, person(1), line(id_number=wrong)))
    assert (row, column, value) == (3, "公民身份号码", wrong)
    assert "校验位不符" in reason


def test_a_birth_date_that_does_not_match_the_id_number(world, unchanged):
    row, column, value, reason = only_problem(run(world.branch_admin, line(birth_date="1985-04-13")))
    assert (row, column, value) == (2, "出生日期", "1985-04-13")
    assert reason == "出生日期1985-04-13与公民身份号码中的1985-04-12不一致"


def test_the_same_id_number_twice_in_the_file_flags_both_rows(world, unchanged):
    report = run(world.branch_admin, line(), person(1), line(name="刘阳"))
    assert report.problem_count == 2
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (2, "公民身份号码", "公民身份号码与第4行重复"),
        (4, "公民身份号码", "公民身份号码与第2行重复"),
    ]


def test_an_id_number_registered_in_scope_says_where(world, unchanged):
    row, column, _, reason = only_problem(run(world.town_admin, line(id_number=world.wangfang.id_number)))
    assert (row, column) == (2, "公民身份号码")
    assert reason == f"该公民身份号码已登记为“{world.community.name}”的党员王芳"


def test_an_id_number_registered_out_of_scope_does_not_say_where(world, unchanged):
    row, column, _, reason = only_problem(run(world.branch_admin, line(id_number=world.wangfang.id_number)))
    assert (row, column) == (2, "公民身份号码")
    assert reason == "该公民身份号码已在其他党组织登记，一人只能有一条党员记录"
    assert "王芳" not in reason and world.community.name not in reason


def test_a_registered_number_is_reported_beside_the_other_problems(world, unchanged):
    # Writing stops at the first bad cell; the registry is then asked about every number of the file.
    report = run(world.branch_admin, person(1, phone="138"), person(2), line(id_number=world.wangfang.id_number))
    assert [(p.row, p.column) for p in report.problems] == [(2, "联系电话"), (4, "公民身份号码")]
    assert report.problems[1].reason == "该公民身份号码已在其他党组织登记，一人只能有一条党员记录"


def test_a_regularized_date_before_the_joined_date(world, unchanged):
    row, column, _, reason = only_problem(run(world.branch_admin, line(regularized_date="2007-06-01")))
    assert (row, column) == (2, "转正日期")
    assert "转正日期应在入党日期满一年之后" in reason


def test_joining_before_18(world, unchanged):
    row, column, _, reason = only_problem(
        run(world.branch_admin, line(joined_date="2002-06-01", regularized_date="2003-06-01"))
    )
    assert (row, column) == (2, "入党日期")
    assert "未满18周岁" in reason


def test_an_unknown_organization_code(world, unchanged):
    assert only_problem(run(world.branch_admin, line(organization_code="NOPE"))) == (
        2,
        "所在党组织代码",
        "NOPE",
        "组织代码“NOPE”不存在，请核对",
    )


def test_an_organization_outside_the_scope_is_not_named(world, unchanged):
    row, column, value, reason = only_problem(run(world.branch_admin, line(organization_code="T1-C1")))
    assert (row, column, value, reason) == (2, "所在党组织代码", "T1-C1", "组织代码“T1-C1”不在您的管理范围内")
    assert world.community.name not in reason


def test_an_organization_that_does_not_hold_members(world, unchanged):
    row, column, _, reason = only_problem(run(world.town_admin, line(organization_code="T1")))
    assert (row, column) == (2, "所在党组织代码")
    assert reason.startswith(f"不能将党员编入“{world.town.name}”")


def test_empty_required_cells(world, unchanged):
    report = run(world.branch_admin, line(education=None, joined_date="", name=" "))
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (2, "姓名", "请填写姓名"),
        (2, "学历", "请填写学历"),
        (2, "入党日期", "请填写入党日期"),
    ]


def test_an_unparseable_date(world, unchanged):
    assert only_problem(run(world.branch_admin, line(joined_date="2008-13-01"))) == (
        2,
        "入党日期",
        "2008-13-01",
        "日期“2008-13-01”不存在，请检查年、月、日",
    )
    report = run(world.branch_admin, line(joined_date="去年"))
    assert reasons(report, 2, "入党日期") == ["日期“去年”无法识别，请按 2005-08-01 填写"]


def test_future_dates(world, unchanged):
    tomorrow = str(TODAY + dt.timedelta(days=1))
    report = run(
        world.branch_admin,
        line(joined_date=tomorrow, regularized_date=None, category="预备党员"),
        person(1, status="流动", status_date=tomorrow),
        person(2, since=tomorrow),
    )
    assert reasons(report, 2, "入党日期") == ["入党日期不能晚于今天"]
    assert reasons(report, 3, "状态变更日期") == ["状态变更日期不能晚于今天"]
    assert reasons(report, 4, "到本组织日期") == ["到本组织日期不能晚于今天"]


def test_a_full_member_without_a_regularized_date(world, unchanged):
    assert only_problem(run(world.branch_admin, line(regularized_date=None))) == (
        2,
        "转正日期",
        "",
        "正式党员请填写转正日期",
    )


def test_other_cells_are_checked_with_the_services_rules(world, unchanged):
    report = run(
        world.branch_admin,
        line(gender="女"),
        person(1, education="博士后"),
        person(2, phone="1381234"),
        person(3, status="出党", status_date="2020-01-01"),
        person(4, category="预备党员"),
        person(5, name="名" * 51),
        person(6, is_central_household="也许"),
        person(7, status="流动"),
    )
    assert reasons(report, 2, "性别") == ["性别与公民身份号码不一致（按号码第17位应为男）"]
    assert reasons(report, 3, "学历")[0].startswith("学历“博士后”不在可选范围内，可填：研究生、大学本科")
    assert reasons(report, 4, "联系电话") == ["手机号码“1381234”应为以1开头的11位数字"]
    assert "请选择出党方式" in reasons(report, 5, "出党方式")[0]
    assert reasons(report, 6, "转正日期") == ["预备党员不能有转正日期"]
    assert reasons(report, 7, "姓名") == ["姓名不能超过50个字"]
    assert reasons(report, 8, "党员中心户") == ["党员中心户请填写“是”或“否”"]
    assert reasons(report, 9, "状态变更日期") == ["党籍状态为流动时，请填写状态变更日期"]


def test_an_id_number_stored_as_a_number_has_lost_digits(world, unchanged):
    report = run(world.branch_admin, line(id_number=430122198504120815))
    assert "后几位已丢失" in reasons(report, 2, "公民身份号码")[0]


# The file as a whole


def test_a_file_that_is_not_a_workbook(world, unchanged):
    report = import_members(actor=world.branch_admin, file=io.BytesIO(b"name,id\n"))
    assert [p.reason for p in report.problems] == ["文件无法读取：请上传 .xlsx 格式的 Excel 文件（可先下载模板）"]


def test_missing_columns_are_named(world, unchanged):
    report = run(world.branch_admin, ["T1-V1"], headers=["所在党组织代码", "姓名"])
    assert "缺少列“公民身份号码”：列名须与模板一致" in [p.reason for p in report.problems]


def test_an_empty_sheet(world, unchanged):
    assert [p.reason for p in run(world.branch_admin).problems] == [imports.NO_ROWS]


def test_a_role_without_write_rights_is_refused(world, unchanged):
    for user in (world.member_user, world.system_admin, world.no_role):
        with pytest.raises(PermissionDenied, match="导入党员"):
            run(user, line())


def test_a_registration_made_after_the_check_fails_the_commit_and_writes_nothing(world, unchanged, monkeypatch):
    monkeypatch.setattr(imports.checking, "_registered", lambda hashes: [])  # as if 王芳 came in after the check
    report = run(world.town_admin, person(1), line(id_number=world.wangfang.id_number))
    assert (report.created, report.message) == (0, imports.RACE)
    assert not report.ok


# Every problem of a row at once


def test_a_wrong_id_number_does_not_hide_a_regularized_date_too_early(world, unchanged):
    number = make_id_number("1985-04-12", male=True, sequence=40)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    report = run(world.branch_admin, line(id_number=wrong, regularized_date="2008-12-01"))
    assert [p.column for p in report.problems] == ["公民身份号码", "转正日期"]
    assert "转正日期应在入党日期满一年之后" in report.problems[1].reason


def test_without_a_valid_number_the_age_at_joining_is_checked_against_the_birth_date_given(world, unchanged):
    report = run(world.branch_admin, line(id_number="4301", birth_date="1995-01-01"))
    assert [p.column for p in report.problems] == ["公民身份号码", "入党日期"]
    assert "未满18周岁" in report.problems[1].reason


def test_a_regularized_date_that_does_not_read_is_not_also_called_missing(world, unchanged):
    report = run(world.branch_admin, line(regularized_date="去年"))
    assert reasons(report, 2) == ["日期“去年”无法识别，请按 2005-08-01 填写"]


def test_the_organization_may_be_given_with_its_name_as_the_template_offers_it(world):
    report = run(world.branch_admin, line(organization_code=f"T1-V1 {world.village.name}"))
    assert report.ok, report.problems
    assert Member.objects.get(name="刘洋").organization == world.village


def test_an_organization_code_with_another_organizations_name_is_refused(world, unchanged):
    report = run(world.branch_admin, line(organization_code=f"T1-V1 {world.community.name}"))
    assert reasons(report, 2, "所在党组织代码") == [
        f"组织代码“T1-V1”是“{world.village.name}”，与所填名称“{world.community.name}”不符，请核对"
    ]
