"""A large sheet read in pieces, so that its first rows come early and memory stays flat.

python-calamine parses a whole sheet before it gives the first row (about 1 s for 10^5 member
rows on this project's machines, on one core, with nothing else to do meanwhile) and holds all of
it. Here the sheet's rows are cut, at row boundaries, into pieces of about ``PIECE_BYTES`` of XML,
each a sheet of its own in an uncompressed temporary copy of the workbook (with the original's
shared strings, styles and date system). calamine parses the pieces one after another in a thread
of its own, which runs without the GIL, while the caller works on the rows of the piece before.
Memory holds a few pieces, whatever the size of the sheet (the shared strings are read whole, as
every reader does).

Only the usual shape is cut, the one Excel, WPS, LibreOffice and openpyxl write: a transitional
(not strict) workbook, an unprefixed ``<worksheet>`` whose ``<sheetData>`` holds ``<row>``
elements numbered by their ``r`` attribute, each piece's cells within what calamine may allocate
(``sheet_bounds``). Anything else gives None and the caller reads the sheet another way: pieces
are a faster way to the same rows, never the only way.
"""

import contextlib
import os
import posixpath
import queue
import re
import tempfile
import threading
import time
import weakref
import zipfile
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import IO, Any
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook

from . import sheet_bounds

PIECE_BYTES = 4 * 2**20  # about 4,500 member rows: parsed in some 30 ms
BLOCK_BYTES = 2**20
SMALL_PART_BYTES = 2**20  # workbook.xml and its relationships: a larger one is not the usual shape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET_TYPE = f"{RELATIONSHIPS}/worksheet"
STYLES_TYPE = f"{RELATIONSHIPS}/styles"
STRINGS_TYPE = f"{RELATIONSHIPS}/sharedStrings"
DOCUMENT_TYPE = f"{RELATIONSHIPS}/officeDocument"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"

ROW_START = re.compile(rb'<row\s[^>]*?\br="(\d+)"')
SHEET_DATA, SHEET_DATA_END = b"<sheetData>", b"</sheetData>"


class NotUsualShape(Exception):
    """The workbook or sheet is not one this module cuts: read it whole."""


# What reading an unusual or broken workbook's parts raises here: the caller reads it another way.
UNUSUAL = (
    NotUsualShape,
    zipfile.BadZipFile,
    ElementTree.ParseError,
    KeyError,
    ValueError,
    OSError,
    RuntimeError,
    NotImplementedError,
)


class UnreadablePiece(Exception):
    """calamine could not parse a piece: the sheet's XML is broken."""


@dataclass(frozen=True)
class _Source:
    """Where the sheet and what it needs are inside the original workbook."""

    sheet: zipfile.ZipInfo
    styles: str | None
    strings: str | None
    date1904: bool


class SheetPieces:
    """The sheet cut into ``count`` pieces in the temporary workbook at ``path``; ``rows()`` gives
    (row number as Excel shows it, values) with the values in their sheet columns (column A
    first), and removes the temporary workbook when done."""

    def __init__(self, path: str, count: int, last_row: int) -> None:
        self.path = path
        self.count = count
        self.last_row = last_row
        # Removed when read to the end or stopped, and also if the rows are never read at all.
        self.remove = weakref.finalize(self, _remove, path)

    def rows(self) -> Generator[tuple[int, Sequence[Any]], None, None]:
        parsed: queue.Queue[tuple[tuple[int, int], list[list[Any]]] | BaseException | None] = queue.Queue(maxsize=1)
        stop = threading.Event()
        parser = threading.Thread(target=self._parse, args=(parsed, stop), name="sheet-pieces", daemon=True)
        parser.start()
        try:
            following = 1  # the next row number to give
            while (piece := parsed.get()) is not None:
                if isinstance(piece, BaseException):
                    raise piece
                (first, column), values = piece
                for number in range(following, first + 1):  # rows the file leaves out are blank
                    yield number, ()
                padding = [""] * column
                for offset, line in enumerate(values):
                    yield first + 1 + offset, padding + line if column else line
                following = first + 1 + len(values)
        finally:
            stop.set()
            with contextlib.suppress(queue.Empty):
                parsed.get_nowait()  # a parser waiting to put its piece can see the stop
            parser.join()
            self.remove()

    def _parse(self, parsed: "queue.Queue[Any]", stop: threading.Event) -> None:
        """Parse the pieces in order, each handed over whole; calamine releases the GIL meanwhile."""

        def hand_over(item: Any) -> bool:
            while not stop.is_set():
                with contextlib.suppress(queue.Full):
                    parsed.put(item, timeout=0.05)
                    return True
            return False

        try:
            with CalamineWorkbook.from_path(self.path) as workbook:
                # calamine holds the file open: its name can go now, so that a process killed
                # while reading leaves no copy of the rows behind (the system frees it then).
                self.remove()
                for index in range(self.count):
                    if stop.is_set():
                        return
                    sheet = workbook.get_sheet_by_index(index)
                    if sheet.start is None:  # a piece of rows without values
                        continue
                    if not hand_over((sheet.start, sheet.to_python())):
                        return
        except (CalamineError, OSError, ValueError) as error:
            hand_over(UnreadablePiece(str(error)))
            return
        except BaseException as error:  # handed to the reader, which raises it
            hand_over(error)
            return
        hand_over(None)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


PREFIX = "sheet-pieces-"


def remove_leftovers(older_than: float) -> int:
    """Remove the temporary copies older than ``older_than`` seconds that a process killed while
    cutting left behind (a copy being read has no name any more); returns how many."""
    folder, removed = tempfile.gettempdir(), 0
    cutoff = time.time() - older_than
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if name.startswith(PREFIX) and name.endswith(".xlsx"):
            with contextlib.suppress(OSError):
                if os.stat(path).st_mtime < cutoff:
                    os.unlink(path)
                    removed += 1
    return removed


def cut(file: str | IO[bytes], name: str) -> SheetPieces | None:
    """Sheet ``name`` (or the first sheet) cut into pieces, or None when it is small (one piece)
    or not of the usual shape. The pieces are written before this returns."""
    try:
        with zipfile.ZipFile(file) as archive:
            source = locate(archive, name)
            if source is None or source.sheet.file_size <= PIECE_BYTES:
                return None
            handle, path = tempfile.mkstemp(prefix=PREFIX, suffix=".xlsx")
            try:
                with os.fdopen(handle, "wb") as target, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as copy:
                    count, last_row = _write_pieces(archive, source, copy)
                    _write_workbook(archive, source, copy, count)
            except BaseException:
                os.unlink(path)
                raise
            return SheetPieces(path, count, last_row)
    except UNUSUAL:
        return None
    finally:
        if not isinstance(file, str):
            file.seek(0)


def locate(archive: zipfile.ZipFile, name: str) -> _Source | None:
    """The sheet named ``name`` (or the first) and the parts calamine reads with it."""
    document = next(
        (target for _, kind, target in _relationships(archive, "_rels/.rels") if kind == DOCUMENT_TYPE), None
    )
    if document is None:
        return None
    workbook = ElementTree.fromstring(_small_part(archive, document))
    sheets = workbook.find(f"{{{MAIN}}}sheets")
    if sheets is None or not len(sheets):
        return None
    chosen = next((sheet for sheet in sheets if sheet.get("name") == name), sheets[0])
    properties = workbook.find(f"{{{MAIN}}}workbookPr")
    date1904 = properties is not None and properties.get("date1904", "").lower() in ("1", "true")
    folder, base = posixpath.split(document)
    relationships = _relationships(archive, posixpath.join(folder, "_rels", base + ".rels"))
    wanted = chosen.get(f"{{{RELATIONSHIPS}}}id")
    sheet = next((target for id_, _, target in relationships if id_ == wanted), None)
    if sheet is None:
        return None

    def part(kind: str) -> str | None:
        return next((target for _, found, target in relationships if found == kind), None)

    return _Source(archive.getinfo(sheet), part(STYLES_TYPE), part(STRINGS_TYPE), date1904)


def _relationships(archive: zipfile.ZipFile, path: str) -> list[tuple[str, str, str]]:
    """(id, type, the target's path in the archive) of each internal relationship of a
    relationships part; targets are relative to the folder above its ``_rels``."""
    folder = posixpath.dirname(posixpath.dirname(path))
    found = []
    for relationship in ElementTree.fromstring(_small_part(archive, path)):
        if relationship.get("TargetMode") == "External":
            continue
        target = relationship.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found.append((relationship.get("Id", ""), relationship.get("Type", ""), resolved))
    return found


def _small_part(archive: zipfile.ZipFile, path: str) -> bytes:
    info = archive.getinfo(path)
    if info.file_size > SMALL_PART_BYTES:
        raise NotUsualShape(path)
    return archive.read(info)


def _write_pieces(archive: zipfile.ZipFile, source: _Source, copy: zipfile.ZipFile) -> tuple[int, int]:
    """Cut the sheet's rows into pieces, each written as a worksheet of the copy; (pieces, the
    number of the last row)."""
    with archive.open(source.sheet) as sheet:
        pending = bytearray()
        while (start := pending.find(SHEET_DATA)) < 0:
            block = sheet.read(BLOCK_BYTES)
            if not block or len(pending) > BLOCK_BYTES:  # <sheetData/> (no rows) or not at the top
                raise NotUsualShape("sheetData")
            pending += block
        root = re.search(rb"<worksheet(?:\s[^>]*)?>", pending[:start])
        if root is None:
            raise NotUsualShape("worksheet")
        head = bytes(root.group()) + SHEET_DATA
        del pending[: start + len(SHEET_DATA)]
        count = last_row = 0

        def write(body: bytearray) -> None:
            nonlocal count, last_row
            first = body.find(b"<")
            opening = ROW_START.match(body, first) if first >= 0 else None
            if first >= 0 and opening is None:
                raise NotUsualShape("a row without its number")
            last = ROW_START.match(body, body.rfind(b"<row"))
            if opening is not None and last is not None:
                try:
                    found = sheet_bounds.rows_extent(body, int(opening.group(1)), int(last.group(1)))
                except sheet_bounds.Unbounded:
                    raise NotUsualShape("a cell without its reference") from None
                if found is not None and not found.fits:
                    raise NotUsualShape("cells spread wider than calamine may allocate")
            if last is not None:
                last_row = int(last.group(1))
            with copy.open(f"xl/worksheets/piece{count}.xml", "w", force_zip64=True) as piece:
                piece.write(head)
                piece.write(body)
                piece.write(SHEET_DATA_END + b"</worksheet>")
            count += 1

        searched = 0  # pending holds no </sheetData> before this
        while True:
            if (end := pending.find(SHEET_DATA_END, searched)) >= 0:
                del pending[end:]
            while len(pending) > PIECE_BYTES and (at := _piece_end(pending)) > 0:
                write(pending[:at])
                del pending[:at]
            if end >= 0:
                if pending.strip():
                    write(pending)
                return count, last_row
            searched = max(len(pending) - len(SHEET_DATA_END) + 1, 0)
            if not (block := sheet.read(BLOCK_BYTES)):
                raise NotUsualShape("no </sheetData>")
            pending += block


def _piece_end(pending: bytearray) -> int:
    """Where the first piece of ``pending`` ends: before the last row that starts within
    ``PIECE_BYTES`` (or, a row larger than that, the row after it); 0 when the row's start tag is
    not all there yet."""
    at = pending.rfind(b"<row", 1, PIECE_BYTES + len(b"<row"))
    if at <= 0:
        at = pending.find(b"<row", PIECE_BYTES)
    if at <= 0 or pending.find(b">", at) < 0:
        return 0
    return at


def _write_workbook(archive: zipfile.ZipFile, source: _Source, copy: zipfile.ZipFile, count: int) -> None:
    """The copy's workbook: one sheet per piece, the original's shared strings and styles."""
    sheets = "".join(f'<sheet name="{index}" sheetId="{index + 1}" r:id="piece{index}"/>' for index in range(count))
    properties = '<workbookPr date1904="1"/>' if source.date1904 else ""
    copy.writestr(
        "xl/workbook.xml",
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">{properties}<sheets>{sheets}</sheets></workbook>',
    )
    relationships = [(f"piece{index}", WORKSHEET_TYPE, f"worksheets/piece{index}.xml") for index in range(count)]
    overrides = [("/xl/workbook.xml", f"{CONTENT_TYPE}.sheet.main+xml")]
    overrides += [(f"/xl/worksheets/piece{index}.xml", f"{CONTENT_TYPE}.worksheet+xml") for index in range(count)]
    for kind, part, target, content in (
        (STYLES_TYPE, source.styles, "styles.xml", f"{CONTENT_TYPE}.styles+xml"),
        (STRINGS_TYPE, source.strings, "sharedStrings.xml", f"{CONTENT_TYPE}.sharedStrings+xml"),
    ):
        if part is not None:
            with archive.open(part) as original, copy.open(f"xl/{target}", "w", force_zip64=True) as written:
                while block := original.read(BLOCK_BYTES):
                    written.write(block)
            relationships.append((target, kind, target))
            overrides.append((f"/xl/{target}", content))
    copy.writestr(
        "xl/_rels/workbook.xml.rels",
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        + "".join(f'<Relationship Id="{id_}" Type="{kind}" Target="{target}"/>' for id_, kind, target in relationships)
        + "</Relationships>",
    )
    copy.writestr(
        "_rels/.rels",
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="document" Type="{DOCUMENT_TYPE}" Target="xl/workbook.xml"/></Relationships>',
    )
    copy.writestr(
        "[Content_Types].xml",
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{part}" ContentType="{content}"/>' for part, content in overrides)
        + "</Types>",
    )
