"""What python-calamine would allocate for a sheet, known before it allocates.

calamine turns a sheet into one dense rectangle of 32-byte cells, from its first to its last
cell holding a value, whatever lies between: a single value in ``XFD1048576`` asks for 512 GiB,
and a failed allocation in Rust aborts the whole process instead of raising. The ``<dimension>``
a file declares is not what counts (calamine ignores it, and a file may say anything there): the
cells it really holds are. So before calamine is given a sheet, or a piece of one, its XML is
scanned here for the references of its cells, and it is given to calamine only when the
rectangle they span fits ``MAX_CELLS``. A sheet that does not is read row by row by openpyxl,
whose memory follows the rows actually there.

The scan reads the references Excel, WPS, LibreOffice and openpyxl write (``<c r="B12" …``, the
reference first). A sheet with a cell written any other way (no reference, or the reference
after another attribute) cannot be bounded this cheaply and is not given to calamine at all.
Empty styled cells (``<c r="Z9" s="1"/>``) are counted too although calamine skips them: the
bound only ever errs on the safe side.
"""

import re
import zipfile
from dataclasses import dataclass

# 2^23 cells is 256 MiB in calamine: 4 × 10^5 rows of the 21-column member template, far above
# what one piece (about 4,500 rows) or a sheet read whole (at most some 3 × 10^5 rows) holds.
MAX_CELLS = 2**23
BLOCK_BYTES = 2**20

CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
WIDE_COLUMN = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')  # beyond column Z: rare, so few matches
NARROW_LAST = 26  # every single-letter column is taken to reach Z
# Whatever may follow "<c" in a cell's start tag, so that a cell written otherwise than
# ``<c r="…"`` is counted and found missing from the references read.
CELL_TAG_ENDS = (b" ", b"\t", b"\n", b"\r", b">", b"/")
PREFIXED_CELL = re.compile(rb"<[\w.-]+:c[\s>/]")  # <x:c …> under a prefixed namespace


@dataclass(frozen=True)
class Extent:
    """The rows and columns (1-based) the cells of some sheet XML span; ``columns`` counts from A."""

    first_row: int
    last_row: int
    columns: int

    @property
    def cells(self) -> int:
        """The cells of the rectangle calamine would allocate (at most)."""
        return (self.last_row - self.first_row + 1) * self.columns

    @property
    def fits(self) -> bool:
        return self.cells <= MAX_CELLS

    def joined(self, other: "Extent | None") -> "Extent":
        if other is None:
            return self
        return Extent(
            min(self.first_row, other.first_row), max(self.last_row, other.last_row), max(self.columns, other.columns)
        )


class Unbounded(Exception):
    """A cell whose reference is not written the usual way: the extent cannot be read cheaply."""


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64  # b"A" is 65
    return number


def extent(xml: bytes | bytearray) -> Extent | None:
    """The extent of the cells in a run of whole ``<row>`` elements (None: no cells);
    ``Unbounded`` if a cell is not written with its reference first."""
    found = CELL_ROW.findall(xml)
    cells = sum(xml.count(b"<c" + end) for end in CELL_TAG_ENDS)
    if len(found) != cells or (b":c" in xml and PREFIXED_CELL.search(xml)):
        raise Unbounded
    if not found:
        return None
    rows = [int(row) for row in set(found)]
    wide = {column_number(letters) for letters in set(WIDE_COLUMN.findall(xml))}
    return Extent(min(rows), max(rows), max(wide, default=NARROW_LAST))


def rows_extent(xml: bytes | bytearray, first_row: int, last_row: int) -> Extent | None:
    """The extent of a piece of rows numbered ``first_row`` to ``last_row`` (its first and last
    ``<row>``), in one search where the piece is as usual: every cell ``<c r="…">`` in a column up
    to Z and in a block of rows around the piece's own (45001 to 49500: the numbers starting
    with "4", 40000 to 49999). A piece where the search finds another cell is read cell by cell."""
    blocks = _row_blocks(first_row, last_row)
    if blocks and b":c" not in xml:
        rows = b"|".join(digits for digits, _ in blocks)
        if not re.search(rb'<c(?! r="[A-Z](?:' + rows + rb')")[\s>/]', xml):
            low, high = blocks[0][1].start, blocks[-1][1].stop - 1
            return Extent(low, high, NARROW_LAST) if b"<c" in xml else None
    return extent(xml)


def _row_blocks(first: int, last: int) -> list[tuple[bytes, range]]:
    """Patterns of the row numbers from ``first`` to ``last``, widened to blocks that are cheap to
    match: for each length of number, the numbers sharing the leading digits of that length's
    lowest and highest (one to 4757: 1-9, 10-99, 100-999, 1000-4999). Empty when the blocks would
    cover more rows than calamine may allocate."""
    blocks = []
    for length in range(len(str(first)), len(str(last)) + 1):
        low, high = str(max(first, 10 ** (length - 1))), str(min(last, 10**length - 1))
        shared = 0
        while shared < length and low[shared] == high[shared]:
            shared += 1
        prefix, free = low[:shared], length - shared
        if prefix:
            digits = prefix + (f"[0-9]{{{free}}}" if free else "")
            covered = range(int(prefix + "0" * free), int(prefix + "9" * free) + 1)
        else:  # no shared digit: any number of this length (none starts with 0)
            digits = f"[1-9][0-9]{{{free - 1}}}"
            covered = range(10 ** (free - 1), 10**free)
        blocks.append((digits.encode(), covered))
    if first > last or (blocks[-1][1].stop - blocks[0][1].start) * NARROW_LAST > MAX_CELLS:
        return []
    return blocks


def sheet_extent(archive: zipfile.ZipFile, sheet: zipfile.ZipInfo) -> Extent | None:
    """The extent of a whole sheet of ``archive``, read in blocks (memory stays flat)."""
    total: Extent | None = None
    with archive.open(sheet) as stream:
        pending = b""
        while block := stream.read(BLOCK_BYTES):
            pending += block
            cut = pending.rfind(b"<")  # a tag may run on into the next block
            if cut <= 0:
                continue
            found = extent(pending[:cut])
            total = found.joined(total) if found else total
            pending = pending[cut:]
        found = extent(pending)
    return found.joined(total) if found else total
