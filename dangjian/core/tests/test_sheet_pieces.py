"""A large sheet read in pieces (core.sheet_pieces) gives exactly the rows calamine gives when it
reads the sheet whole: same numbers, same columns, same values (shared strings, styles, the 1904
date system); an unusual sheet is read whole instead; the temporary copy never outlives the read."""

import datetime as dt
import gc
import io
import os
import threading
import zipfile
from collections.abc import Sequence
from typing import Any

import pytest
from openpyxl import Workbook

from dangjian.core import bulk, excel, sheet_pieces
from dangjian.core.excel import FileProblem, read_sheet

MAIN = sheet_pieces.MAIN
R = sheet_pieces.RELATIONSHIPS


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch):
    monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", 400)  # a few rows a piece


def trimmed(rows) -> list[tuple[int, list[Any]]]:
    """The non-blank rows, trailing empty cells dropped (a piece is as wide as its own rows)."""
    kept = []
    for number, values in rows:
        values = list(values)
        while values and values[-1] in ("", None):
            values.pop()
        if values:
            kept.append((number, values))
    return kept


def whole(file, name="党员信息"):
    return trimmed(excel._calamine_rows(file, name).rows)


def cut(file, name="党员信息") -> sheet_pieces.SheetPieces:
    pieces = sheet_pieces.cut(file, name)
    assert pieces is not None
    return pieces


def in_pieces(file, name="党员信息"):
    pieces = sheet_pieces.cut(file, name)
    assert pieces is not None and pieces.count > 3
    return pieces, trimmed(pieces.rows())


def openpyxl_book(rows, title="党员信息", *, start_row=1) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for _ in range(start_row - 1):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    content = io.BytesIO()
    workbook.save(content)
    content.seek(0)
    return content


def handmade(
    rows: list[str],
    *,
    strings: Sequence[str] = (),
    date1904: bool = False,
    root: str = "worksheet",
    names: Sequence[str] = ("党员信息",),
) -> io.BytesIO:
    """A workbook written part by part, the way Excel lays it out (shared strings, a date style),
    with the rows' XML as given; every sheet gets the same rows."""
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w", zipfile.ZIP_DEFLATED) as book:
        sheets = "".join(f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, name in enumerate(names))
        properties = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        overrides = [("/xl/workbook.xml", "sheet.main"), ("/xl/styles.xml", "styles")]
        overrides += [("/xl/sharedStrings.xml", "sharedStrings")]
        overrides += [(f"/xl/worksheets/sheet{i + 1}.xml", "worksheet") for i in range(len(names))]
        book.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{part}" ContentType="{kind}.{what}+xml"/>' for part, what in overrides)
            + "</Types>",
        )
        book.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{sheet_pieces.PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
            f'Type="{sheet_pieces.DOCUMENT_TYPE}" Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{R}">{properties}'
            f"<sheets>{sheets}</sheets></workbook>",
        )
        relationships = "".join(
            f'<Relationship Id="rId{i + 1}" Type="{sheet_pieces.WORKSHEET_TYPE}" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(names))
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{sheet_pieces.PACKAGE_RELATIONSHIPS}">{relationships}'
            f'<Relationship Id="s" Type="{sheet_pieces.STYLES_TYPE}" Target="styles.xml"/>'
            f'<Relationship Id="t" Type="{sheet_pieces.STRINGS_TYPE}" Target="/xl/sharedStrings.xml"/>'
            "</Relationships>",
        )
        book.writestr(
            "xl/styles.xml",
            f'<styleSheet xmlns="{MAIN}"><numFmts count="0"/><fonts count="1"><font/></fonts><fills count="1">'
            '<fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        )
        items = "".join(f"<si><t>{text}</t></si>" for text in strings)
        book.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="{len(strings)}">{items}</sst>')
        prefix = root.partition(":")[0] + ":" if ":" in root else ""
        body = "".join(rows)
        if prefix:
            body = body.replace("<row", f"<{prefix}row").replace("</row", f"</{prefix}row")
            body = body.replace("<c ", f"<{prefix}c ").replace("</c>", f"</{prefix}c>")
            body = body.replace("<v>", f"<{prefix}v>").replace("</v>", f"</{prefix}v>")
        namespace = f'xmlns:{prefix[:-1]}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
        sheet = (
            f'<?xml version="1.0" encoding="UTF-8"?><{root} {namespace} xmlns:r="{R}"><dimension ref="A1:E99"/>'
            f"<{prefix}sheetData>{body}</{prefix}sheetData><pageMargins/></{root}>"
        )
        for i in range(len(names)):
            book.writestr(f"xl/worksheets/sheet{i + 1}.xml", sheet)
    content.seek(0)
    return content


def excel_rows(count: int, *, numbered: bool = True, first: int = 1) -> tuple[list[str], list[str]]:
    """Rows as Excel saves them: text in shared strings, a number, a date (serial, date style)."""
    strings, rows = [], []
    for index in range(count):
        number = first + index
        strings += [f"党员{index}", f"43012219800101{index:04d}"]
        r = f' r="{number}"' if numbered else ""
        cells = (
            f'<c r="A{number}" t="s"><v>{2 * index}</v></c><c r="B{number}" t="s"><v>{2 * index + 1}</v></c>'
            f'<c r="C{number}"><v>{index * 1.5}</v></c><c r="E{number}" s="1"><v>{40000 + index}</v></c>'
        )
        rows.append(f'<row{r} spans="1:5">{cells}</row>')
    return rows, strings


# The same rows as a whole read


def test_pieces_give_the_rows_of_an_openpyxl_sheet():
    rows: list[list[Any]] = [["代码", "姓名", "人数", "日期"]]
    rows += [[f"4301{n:04d}", f"党员{n}", n, dt.date(2000, 1, 1) + dt.timedelta(days=n)] for n in range(60)]
    rows[10] = [None, None, None, None]  # a blank row inside
    file = openpyxl_book(rows)
    pieces, read = in_pieces(file)
    assert read == whole(file)
    assert read[0] == (1, ["代码", "姓名", "人数", "日期"])
    assert read[-1][0] == 61 == pieces.last_row
    assert read[-1][1][3] == dt.date(2000, 2, 29)


def test_pieces_keep_the_shared_strings_the_date_style_and_the_1904_date_system():
    rows, strings = excel_rows(40)
    for date1904, first_date in ((False, dt.date(2009, 7, 6)), (True, dt.date(2013, 7, 7))):
        file = handmade(rows, strings=strings, date1904=date1904)
        _, read = in_pieces(file)
        assert read == whole(file)
        assert read[0] == (1, ["党员0", "430122198001010000", 0.0, "", first_date])
        assert read[39][1][:2] == ["党员39", "430122198001010039"]


def test_rows_and_columns_keep_their_places_across_gaps_between_pieces():
    rows, strings = excel_rows(30, first=5)
    rows[12:20] = []  # rows 17 to 24 left out of the file, as Excel leaves out empty rows
    file = handmade(rows, strings=strings)
    _, read = in_pieces(file)
    assert read == whole(file)
    assert [number for number, _ in read][:14] == [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 25, 26]
    late = openpyxl_book([[None, None, "第三列"]] * 40, start_row=4)  # nothing in columns A and B
    _, read = in_pieces(late)
    assert read[0] == (4, ["", "", "第三列"]) and read == whole(late)


def test_the_sheet_named_is_cut_not_the_first():
    rows, strings = excel_rows(30)
    file = handmade(rows, strings=strings, names=("说明", "党员信息"))
    pieces = cut(file)
    with zipfile.ZipFile(pieces.path) as copy:
        assert "xl/worksheets/piece0.xml" in copy.namelist()
    with zipfile.ZipFile(file) as original:
        located = sheet_pieces.locate(original, "党员信息")
    file.seek(0)
    assert located is not None and located.sheet.filename == "xl/worksheets/sheet2.xml"
    assert trimmed(pieces.rows()) == whole(file)


# Not cut: read whole


@pytest.mark.parametrize(
    "shape",
    ["rows without numbers", "a prefixed worksheet", "small"],
)
def test_an_unusual_or_small_sheet_is_read_whole(shape, monkeypatch):
    if shape == "small":
        monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", 2**20)  # one piece: nothing to cut
    rows, strings = excel_rows(40, numbered=shape != "rows without numbers")
    file = handmade(rows, strings=strings, root="x:worksheet" if shape == "a prefixed worksheet" else "worksheet")
    assert sheet_pieces.cut(file, "党员信息") is None
    sheet = read_sheet(file, "党员信息")
    # Prefixed cells are not bounded cheaply (core.sheet_bounds): openpyxl streams that sheet.
    assert sheet.streaming == (shape == "a prefixed worksheet")
    read = trimmed(sheet.rows)
    assert len(read) == len(rows) and read[0][1][:2] == ["党员0", "430122198001010000"]


def test_a_file_that_is_not_a_workbook_is_not_cut():
    assert sheet_pieces.cut(io.BytesIO(b"PK\x03\x04 not really"), "党员信息") is None


# The temporary copy and the parsing thread


def test_the_copy_is_removed_and_the_thread_ends_when_the_reader_stops_early():
    rows, strings = excel_rows(60)
    pieces = cut(handmade(rows, strings=strings))
    assert os.path.exists(pieces.path)
    reading = pieces.rows()
    assert next(reading)[0] == 1
    reading.close()
    assert not os.path.exists(pieces.path)
    assert not [thread for thread in threading.enumerate() if thread.name == "sheet-pieces"]


def test_the_copy_is_removed_when_the_rows_are_never_read():
    rows, strings = excel_rows(60)
    pieces = cut(handmade(rows, strings=strings))
    path = pieces.path
    assert os.path.exists(path)
    del pieces
    assert not os.path.exists(path)


def test_a_piece_calamine_cannot_parse_makes_the_file_unreadable():
    rows, strings = excel_rows(40)
    rows[30] = rows[30].replace("</c>", "</x>", 1)  # broken XML, late in the sheet
    sheet = read_sheet(handmade(rows, strings=strings), "党员信息")
    assert sheet.streaming
    with pytest.raises(FileProblem) as refused:
        list(sheet.rows)
    assert refused.value.problems[0].reason == excel.UNREADABLE


# The process while rows are built


def test_heavy_row_work_pauses_the_collector_and_restores_it_after():
    enabled = gc.isenabled()
    inside = []

    def work() -> None:
        with bulk.heavy_row_work():
            inside.append(gc.isenabled())
            with bulk.heavy_row_work():  # nested (two imports in one process)
                pass
            inside.append(gc.isenabled())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        work()
    assert inside == [False, False]
    assert gc.isenabled() == enabled


def test_the_copy_has_no_name_once_it_is_being_read():
    """A process killed while reading leaves nothing behind: calamine holds the file open."""
    rows, strings = excel_rows(40)
    pieces = cut(handmade(rows, strings=strings))
    reading = pieces.rows()
    assert next(reading)[0] == 1
    assert not os.path.exists(pieces.path)
    assert len(trimmed(reading)) == 39


def test_leftover_copies_of_a_killed_cut_are_removed_once_old(tmp_path, monkeypatch):
    import tempfile
    import time

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old, fresh, other = (tmp_path / name for name in ("sheet-pieces-a.xlsx", "sheet-pieces-b.xlsx", "mine.xlsx"))
    for path in (old, fresh, other):
        path.write_bytes(b"PK")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    os.utime(other, (hour_ago, hour_ago))
    assert sheet_pieces.remove_leftovers(600) == 1
    assert not old.exists() and fresh.exists() and other.exists()
