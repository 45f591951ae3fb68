"""The report's files: the workbook and the PDF are opened as a reader would open them. The
workbook has a sheet per table of the form laid out for print (title, unit and date, the spanning
header, every figure equal to the report's, the signature line) and the checks' sheet; the PDF
holds the same tables and figures in its text; the views answer only a role that reads the
subtree, for an organization in its scope, and every file goes into the security trail."""

import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from conftest import World
from dangjian.core.models import AuditEvent, Event
from dangjian.stats import checks, engine, exports, pdf
from dangjian.stats.definition import Table
from dangjian.transfers import fonts

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world: World) -> engine.Report:
    return engine.compute(world.county, timezone.localdate())


def opened(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def rows_of(sheet: Worksheet) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def first_data_row(table: Table) -> int:
    return 5 if exports.has_groups(table) else 4


def pdf_text(content: bytes) -> str:
    """The text of every page, spaces and line breaks left out (where a line breaks depends on
    the font's widths)."""
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def test_the_workbook_has_a_sheet_per_table_laid_out_as_the_form(world: World, report: engine.Report) -> None:
    results = checks.run(report)
    book = opened(exports.workbook(report, results, unit_name=world.county.name))
    tables = report.form.tables
    assert book.sheetnames == [*(f"表{table.code}" for table in tables), "审核结果"]

    sheet = book["表2"]
    table = report.form.table("2")
    assert sheet["A1"].value == "党员基本情况（表2）"
    line = [value for value in rows_of(sheet)[1] if value]
    day = timezone.localdate()
    assert line == ["填报单位：中共示范县委员会", f"统计截止日期：{day.year}年{day.month}月{day.day}日", "单位：人"]
    merged = {str(span) for span in sheet.merged_cells.ranges}
    # The title across the 12 columns; 项目, 合计, 女 and 少数民族 over both header rows; 年龄 over its 8 bands.
    assert {"A1:L1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:L3"} <= merged
    assert [sheet.cell(3, column).value for column in (1, 2, 5)] == ["项目", "合计", "年龄"]
    assert [sheet.cell(4, column).value for column in range(5, 13)] == [c.label for c in table.columns[3:]]

    # Every figure is the report's, as an integer, row by row under its label.
    for offset, row in enumerate(table.rows):
        number = first_data_row(table) + offset
        assert sheet.cell(number, 1).value == row.label
        assert sheet.cell(number, 1).alignment.indent == row.indent
        figures = [sheet.cell(number, index + 2).value for index in range(len(table.columns))]
        assert figures == [report.figures[engine.cell_key("2", row.key, c.key)] for c in table.columns]
        assert all(type(value) is int for value in figures)
    assert sheet.cell(first_data_row(table), 2).value == 4  # the world's four members
    assert sheet.cell(first_data_row(table), 3).value == 1  # 王芳
    assert rows_of(sheet)[-1][0] == exports.SIGNATURE
    assert exports.SIGNATURE.startswith("单位负责人：") and "填表人：" in exports.SIGNATURE

    # For print: A4 landscape, one page across, the header on every page.
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$4"
    assert sheet["B5"].border.left.style == "thin"
    assert sheet.column_dimensions["A"].width >= 2 * len("党员总数")

    # A table without groups has one header row; one the system does not produce says why.
    assert book["表13"].print_title_rows == "$3:$3"
    assert book["表13"]["A4"].value == "合计"
    placeholder = report.form.table("9")
    assert book["表9"]["A1"].value == "党员培训情况（表9）"
    assert book["表9"]["A3"].value == placeholder.placeholder

    checks_sheet = book["审核结果"]
    lines = rows_of(checks_sheet)
    assert lines[2][0] == f"共{len(results)}条审核公式，全部通过"  # the world's records are consistent
    assert lines[3] == ["编号", "审核公式", "审核结果", "未通过的项目", "左边数值", "右边数值", "差额", "说明"]
    outcome = {line[0]: line[2] for line in lines[4:] if line[0]}
    assert outcome == {r.check.code: "通过" if r.passed else "未通过" for r in results}
    assert checks_sheet.print_title_rows == "$4:$4"


def test_a_failing_check_shows_each_failing_instance_with_its_two_sides(world: World, report: engine.Report) -> None:
    report.figures["2:full:total"] += 1  # 正式党员 one more than 党员总数 holds
    report.figures["2:probationary:a30"] = -2
    results = checks.run(report)
    lines = rows_of(opened(exports.workbook(report, results, unit_name=world.county.name))["审核结果"])
    formula = next(i for i, line in enumerate(lines) if line[0] == "2-1")
    assert lines[formula][2:7] == ["未通过", "合计", 4, 5, -1]
    # 30岁及以下 fails too (none on the left, 0 − 2 on the right): both instances under the one check.
    assert lines[formula + 1][:7] == [None, None, None, "30岁及以下", 0, -2, 2]
    negative = next(i for i, line in enumerate(lines) if line[0] == "N-1")
    assert lines[negative][2:6] == ["未通过", "表2 预备党员·30岁及以下", -2, 0]
    assert lines[2][0] == f"共{len(results)}条审核公式，3条未通过"  # 2-1, 2-2 (the rows of the changed cells), N-1


def test_the_pdf_holds_every_table_the_organization_and_the_figures(
    world: World, report: engine.Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedded: set[str] = set()
    letter_font = fonts.letter_font

    def noting(chars: Iterable[str]) -> Any:
        embedded.update(chars)
        return letter_font(embedded)

    monkeypatch.setattr(fonts, "letter_font", noting)
    results = checks.run(report)
    # A check failing in more instances than a page holds (a table breaks across pages only
    # between spans) goes on over the next page, its name given again.
    subtree = next(result for result in results if result.check.kind == "subtree")
    subtree.failures += [
        checks.Failure(label="2:total:total", left=n, right=0, cells=["2:total:total"], detail=f"第{n}个下级")
        for n in range(1, 41)
    ]
    content = pdf.document(report, results, unit_name=world.town.name)
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    assert len(reader.pages) >= len(report.form.tables) + 1
    text = pdf_text(content)
    for table in report.form.tables:
        assert exports.title_of(table) in text
    assert "填报单位：中共坪塘镇委员会" in text
    assert "党员基本情况（表2）" in text and "30岁及以下" in text and "单位负责人：" in text
    assert "审核结果" in text and "2-1" in text
    assert "第40个下级" in text and f"{subtree.check.name}（续）".replace(" ", "") in text
    assert report.form.table("9").placeholder[:20] in text
    # The first row of 表2: 党员总数 with its figures, in order.
    total = "".join(str(report.value(f"2:total:{c.key}")) for c in report.form.table("2").columns)
    assert f"党员总数{total}" in text
    # The embedded font has every character drawn (none shows as a blank box).
    assert set(text) <= embedded


def test_the_files_are_attachments_in_the_trail(world: World) -> None:
    client = world.client(world.town_admin)
    day = timezone.localdate().isoformat()
    query = {"org": str(world.village.pk), "date": day}
    response = client.get(reverse("stats:workbook"), query)
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX
    filename = f"党内统计年报_中共兴丰村支部委员会_{day}.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(filename)}"
    book = opened(response.content)
    assert book["表2"]["B5"].value == 2  # 张三 and 李四
    event = AuditEvent.objects.filter(event=Event.EXPORT).latest("seq")
    assert event.actor == world.town_admin
    assert event.target_id == str(world.village.pk)
    assert event.details == {
        "what": "党内统计年报",
        "format": "xlsx",
        "day": day,
        "form": "2021",
        "checks_failed": 0,
    }

    response = client.get(reverse("stats:pdf"), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(quote(f"党内统计年报_中共兴丰村支部委员会_{day}.pdf"))
    assert response.content.startswith(b"%PDF")  # what it holds: test_the_pdf_holds_every_table…
    assert AuditEvent.objects.filter(event=Event.EXPORT).latest("seq").details["format"] == "pdf"


@pytest.mark.parametrize("name", ["stats:workbook", "stats:pdf"])
def test_the_files_only_for_a_reader_of_the_subtree_and_in_scope(world: World, name: str) -> None:
    path = reverse(name)
    exports_before = AuditEvent.objects.filter(event=Event.EXPORT).count()
    assert world.client(world.town_admin).get(path, {"org": str(world.enterprise.pk)}).status_code == 404
    assert world.client(world.town_admin).get(path, {"org": "x"}).status_code == 404
    assert world.client(world.member_user).get(path).status_code == 403
    assert world.client(world.system_admin).get(path).status_code == 403
    assert AuditEvent.objects.filter(event=Event.EXPORT).count() == exports_before
