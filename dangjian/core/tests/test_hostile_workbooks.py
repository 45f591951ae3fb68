"""No uploaded workbook can make a reader allocate what the rows really there do not need.

python-calamine allocates one dense rectangle from a sheet's first to its last cell with a value,
and a failed allocation aborts the process: one value in XFD1048576 of a 9 KB file asked for
512 GiB and took the web process down. Each hostile file is read here in a child process whose
address space is capped, so that on a reader without the bound the child dies (and the test
fails) instead of the test run."""

import io
import json
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from dangjian.core import sheet_bounds, sheet_pieces
from dangjian.core.excel import FileProblem
from dangjian.core.tests.test_sheet_pieces import excel_rows, handmade

MAIN = sheet_pieces.MAIN
CHILD_MEMORY = 2 * 2**30  # far below what calamine asks for these files, far above a real read

READ_IN_CHILD = """
import json, sys
from dangjian.core import excel, sheet_pieces
sheet_pieces.PIECE_BYTES = int(sys.argv[2])
try:
    sheet = excel.read_sheet(sys.argv[1], "党员信息")
    rows = widest = 0
    last = {}
    for number, values in sheet.rows:
        rows, widest = number, max(widest, len(values))
        if any(value not in ("", None) for value in values):
            last = {"row": number, "values": [v for v in values if v not in ("", None)]}
    print(json.dumps({"rows": rows, "widest": widest, "last": last}, default=str))
except excel.FileProblem as problem:
    print(json.dumps({"problem": str(problem)}))
"""


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


def read_in_child(path: Path, piece_bytes: int = sheet_pieces.PIECE_BYTES) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", READ_IN_CHILD, str(path), str(piece_bytes)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_cap_memory,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert done.returncode == 0, f"the reader died ({done.returncode}): {done.stderr[-500:]}"
    return json.loads(done.stdout)


def saved(content: io.BytesIO, tmp_path: Path, name: str = "upload.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(content.getvalue())
    return path


def far_value_workbook() -> io.BytesIO:
    """The member template's header and one value in the sheet's last cell (9 KB)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党员信息"
    sheet.append(["所在党组织代码", "姓名", "公民身份号码"])
    sheet["XFD1048576"] = "x"
    content = io.BytesIO()
    workbook.save(content)
    return content


def test_a_value_in_the_last_cell_of_a_small_sheet_is_read_without_the_dense_rectangle(tmp_path):
    read = read_in_child(saved(far_value_workbook(), tmp_path))
    assert read["rows"] == 1048576
    assert read["last"] == {"row": 1048576, "values": ["x"]}


FAR_CELLS = {  # each inside row 31 of a 60-row sheet read in pieces of a few rows
    "the last cell of the sheet": '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',
    "the last cell under a namespace prefix": f'<x:c xmlns:x="{MAIN}" r="XFD1048576"><x:v>1</x:v></x:c>',
    "the last cell, its reference after another attribute": '<c t="n" r="XFD1048576"><v>1</v></c>',
    "an empty string in the last cell": '<c r="XFD1048576" t="str"><v></v></c>',
    "a far row in column A": '<c r="A1048576" t="inlineStr"><is><t>x</t></is></c>',
}


@pytest.mark.parametrize("cell", FAR_CELLS.values(), ids=FAR_CELLS.keys())
def test_a_far_cell_in_a_large_sheet_read_in_pieces_does_not_take_the_process_down(cell, tmp_path):
    rows, strings = excel_rows(60)
    rows[30] = rows[30].replace("</row>", cell + "</row>")
    read = read_in_child(saved(handmade(rows, strings=strings), tmp_path), piece_bytes=400)
    assert read.get("rows", 0) >= 60 or "problem" in read


def test_a_far_row_of_cells_without_references_does_not_take_the_process_down(tmp_path):
    rows, strings = excel_rows(60)
    rows.append('<row r="1048576">' + '<c t="inlineStr"><is><t>x</t></is></c>' * 3 + "</row>")
    read = read_in_child(saved(handmade(rows, strings=strings), tmp_path), piece_bytes=400)
    assert read["rows"] == 1048576 and read["last"]["values"] == ["x", "x", "x"]


def test_a_file_of_the_usual_shape_is_still_read_in_pieces_by_calamine(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", 400)
    rows, strings = excel_rows(60)
    pieces = sheet_pieces.cut(handmade(rows, strings=strings), "党员信息")
    assert pieces is not None and pieces.count > 3
    pieces.remove()


# The bound itself


def test_the_extent_counts_the_cells_really_there_not_the_declared_dimension():
    xml = b'<row r="2"><c r="B2"><v>1</v></c><c r="AB7" s="1"/></row><row r="9"><c r="C9"><v>2</v></c></row>'
    found = sheet_bounds.extent(xml)
    assert found == sheet_bounds.Extent(2, 9, 28)
    assert found.cells == 8 * 28 and found.fits
    far = sheet_bounds.extent(b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576"><v>1</v></c></row>')
    assert far is not None and far.cells == 1048576 * 16384 and not far.fits


@pytest.mark.parametrize(
    "xml",
    [
        b'<row r="1"><c t="n" r="A1"><v>1</v></c></row>',  # the reference after another attribute
        b'<row r="1"><c><v>1</v></c></row>',  # no reference at all
        b"<row r=\"1\"><c r='A1'><v>1</v></c></row>",  # quoted otherwise
        b'<row r="1"><c\tr="A1"><v>1</v></c></row>',  # another space
        b'<row r="1"><x:c r="A1"><x:v>1</x:v></x:c></row>',  # a prefix
        b'<row r="1"><c r="a1"><v>1</v></c></row>',  # lower case
        b'<row r="1"><c r="A00000001"><v>1</v></c></row>',  # more digits than a row has
    ],
)
def test_a_cell_written_otherwise_cannot_be_bounded_cheaply(xml):
    with pytest.raises(sheet_bounds.Unbounded):
        sheet_bounds.rows_extent(xml, 1, 1)


def test_a_usual_piece_is_bounded_by_its_block_of_rows_in_one_search():
    rows, _ = excel_rows(50, first=45001)
    xml = "".join(rows).encode()
    assert sheet_bounds.rows_extent(xml, 45001, 45050) == sheet_bounds.Extent(45000, 45099, 26)
    hostile = xml.replace(b'r="A45020"', b'r="A1048576"')
    assert sheet_bounds.rows_extent(hostile, 45001, 45050) == sheet_bounds.Extent(45001, 1048576, 26)


# Every import reads through the bound


def test_the_organization_import_reads_a_far_cell_without_allocating_it(tmp_path):
    from dangjian.orgs.exports import HEADERS

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党组织"
    sheet.append(list(HEADERS))
    sheet["XFD1048576"] = "x"
    content = io.BytesIO()
    workbook.save(content)
    child = """
import sys, django
django.setup()
from dangjian.orgs import imports
print(len(imports.read_rows(sys.argv[1])))
"""
    done = subprocess.run(
        [sys.executable, "-c", child, str(saved(content, tmp_path))],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_cap_memory,
        cwd=Path(__file__).resolve().parents[3],
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "dangjian.settings"},
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "1"  # the far row is read (and its missing code reported)


def _with_part(content: io.BytesIO, part: str, data: bytes) -> io.BytesIO:
    source = zipfile.ZipFile(content)
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w") as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename == part else source.read(info))
    result.seek(0)
    return result


ENTITIES = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
EXTERNAL = b'<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("part", "change"),
    [
        ("xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<worksheet", ENTITIES + b"<worksheet", 1)),
        ("xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<worksheet", EXTERNAL + b"<worksheet", 1)),
        ("xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2]),  # cut short
        ("xl/_rels/workbook.xml.rels", lambda xml: xml.replace(b"worksheets/sheet1.xml", b"worksheets/none.xml")),
        ("xl/workbook.xml", lambda xml: b"<workbook"),
    ],
    ids=["internal entities", "an external entity", "a sheet cut short", "a missing sheet part", "broken workbook"],
)
def test_an_organization_workbook_with_entities_or_broken_parts_is_refused_as_unreadable(part, change):
    from dangjian.orgs.exports import HEADERS
    from dangjian.orgs.imports import read_rows

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党组织"
    sheet.append(list(HEADERS))
    sheet.append(["C0", "T9", "&e;", "x", "党委", "乡镇"])
    content = io.BytesIO()
    workbook.save(content)
    original = zipfile.ZipFile(content).read(part)
    try:
        rows = read_rows(_with_part(content, part, change(original)))
    except FileProblem as problem:
        refusal = str(problem)
        rows = []
    else:  # read, with the entity left unexpanded and nothing from the machine's files
        refusal = "文件无法读取"
    assert "文件无法读取" in refusal or "缺少列" in refusal
    assert all("root:" not in str(value) for row in rows for value in row.cells.values())


def test_the_member_import_of_a_far_value_names_its_row_instead_of_dying(world, tmp_path):
    from dangjian.members.imports import COLUMNS, import_members

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党员信息"
    sheet.append([column.header for column in COLUMNS])
    sheet["XFD1048576"] = "x"
    path = tmp_path / "upload.xlsx"
    workbook.save(path)
    report = import_members(actor=world.branch_admin, file=str(path))
    assert not report.ok and report.created == 0
    assert {problem.row for problem in report.problems} == {1048576}


def test_a_huge_bad_cell_is_echoed_cut_short(world):
    from dangjian.members.tests.test_import import line, run

    huge = "汉" * 30_000  # Excel keeps at most 32,767 characters a cell; a handmade file may hold more
    report = run(world.branch_admin, line(education=huge))
    education = next(problem for problem in report.problems if problem.column == "学历")
    assert len(education.value) < 80 and education.value.endswith("（共30000字）")
    assert len(education.reason) < 400 and "（共30000字）" in education.reason
    assert all(len(problem.value) + len(problem.reason) < 1000 for problem in report.problems)
