"""The annual report (党内统计年报) as a PDF: A4 landscape, each table of the form from a new page
(a table longer than a page goes on with its header repeated), laid out as the Excel workbook
(``exports``) and the official forms are: the title, the unit and the date, the table with its
grid and spanning headers, the signature line; then the checks (审核结果).

Set in Noto Serif SC, embedded as a subset of the characters the file uses, as the transfer
letter is (``dangjian.transfers.fonts``): any reader shows it, with or without a Chinese font
pack. The story is composed twice: once to note the characters, so that the font can be built
for them, then to draw with it.
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dangjian.transfers import fonts

from . import checks, engine, exports
from .definition import Table as FormTable

PAGE = landscape(A4)
MARGIN = 14 * mm
WIDTH = PAGE[0] - 2 * MARGIN
BODY = 10  # points: the figures and the labels
HEADER = 9  # the column headers, which wrap in narrow columns
LABEL_MAX = 70 * mm  # the row-label column at most (a longer label wraps)
GRID = 0.5
# Drawn on every page whatever the tables hold (the page number in the footer).
FOOTER_CHARS = "第页0123456789 ·"
SPAN_ROWS = 10  # a failing check's name spans at most this many of its instances (then again)
Align = Literal[0, 1, 2, 4]  # reportlab.lib.enums' TA_LEFT, TA_CENTER, TA_RIGHT, TA_JUSTIFY


@dataclass
class _Composer:
    """Builds the flowables in one font, noting every character drawn."""

    font: str
    chars: set[str] = field(default_factory=set)

    def note(self, text: str) -> str:
        self.chars.update(text)
        return text

    def style(self, size: float, align: Align = TA_LEFT, indent: float = 0) -> ParagraphStyle:
        return ParagraphStyle(
            f"s{size}-{align}-{indent}",
            fontName=self.font,
            fontSize=size,
            leading=size * 1.35,
            alignment=align,
            leftIndent=indent,
            wordWrap="CJK",  # a Chinese line breaks between any two characters
        )

    def para(self, text: str, size: float = BODY, align: Align = TA_LEFT, indent: float = 0) -> Paragraph:
        return Paragraph(escape(self.note(text)), self.style(size, align, indent))

    def width(self, text: str, size: float) -> float:
        """The width of ``text``: measured in the font while drawing; estimated (a Chinese
        character one em, others half) while noting, as the widths do not matter then."""
        if self.font == fonts.NAME and self.font in pdfmetrics.getRegisteredFontNames():
            return pdfmetrics.stringWidth(text, self.font, size)
        return size * exports.text_width(text) / 2


def document(report: engine.Report, results: list[checks.Result], *, unit_name: str) -> bytes:
    """The report of ``report`` with the outcome of ``results``, as PDF bytes."""
    noted = _Composer("Helvetica")
    _story(noted, report, results, unit_name)
    buffer = io.BytesIO()
    with fonts.letter_font(noted.chars | set(FOOTER_CHARS)) as font:
        composer = _Composer(font)
        story = _story(composer, report, results, unit_name)
        title = f"党内统计年报（{unit_name}，{checks.as_of_label(report.day)}）"
        doc = SimpleDocTemplate(
            buffer,
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title,
            author=unit_name,
            subject=report.form.name,
            initialFontName=font,  # so the file names no font of its own but ours
        )
        footer = _footer(font, f"{unit_name} · 党内统计年报")
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _footer(font: str, text: str) -> Callable[[Canvas, Any], None]:
    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(MARGIN, MARGIN / 2, text)
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN / 2, f"第 {doc.page} 页")
        canvas.restoreState()

    return draw


def _story(c: _Composer, report: engine.Report, results: list[checks.Result], unit_name: str) -> list[Flowable]:
    c.note(f"{unit_name} · 党内统计年报")
    story: list[Flowable] = []
    for table in report.form.tables:
        story += _title(c, exports.title_of(table), exports.heading_parts(report, table, unit_name))
        if table.placeholder:
            story.append(_boxed_note(c, table.placeholder))
        else:
            story.append(_figures(c, report, table))
            story.append(Spacer(1, 6 * mm))
            story.append(_signature(c))
        story.append(PageBreak())
    left, middle, _ = exports.heading_parts(report, None, unit_name)
    story += _title(c, f"党内统计年报{exports.CHECK_SHEET}", (left, middle, exports.computed_label(report)))
    story.append(c.para(exports.check_summary(results), BODY))
    story.append(Spacer(1, 3 * mm))
    story.append(_checks(c, report, results))
    return story


def _title(c: _Composer, title: str, parts: tuple[str, str, str]) -> list[Flowable]:
    line = Table(
        [[c.para(parts[0]), c.para(parts[1], align=TA_CENTER), c.para(parts[2], align=TA_RIGHT)]],
        colWidths=[WIDTH * 0.45, WIDTH * 0.35, WIDTH * 0.2],
    )
    line.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    return [c.para(title, 16, TA_CENTER), Spacer(1, 4 * mm), line, Spacer(1, 1 * mm)]


def _figures(c: _Composer, report: engine.Report, table: FormTable) -> Table:
    """The table with its header (one or two rows, the groups spanning their columns), the rows
    with their indents and the figures right-aligned."""
    columns = table.columns
    grouped = exports.has_groups(table)
    header_rows = 2 if grouped else 1
    labels = [c.width(row.label, BODY) + row.indent * BODY for row in table.rows]
    label_width = min(max([*labels, c.width(exports.CORNER, BODY)]) + 12, LABEL_MAX)
    number_width = (WIDTH - label_width) / len(columns)

    def head(text: str) -> Paragraph:
        return c.para(text, HEADER, TA_CENTER)

    top: list[Any] = [head(exports.CORNER)]
    bottom: list[Any] = [""]
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), GRID, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONT", (0, 0), (-1, -1), c.font, BODY),
        ("ALIGN", (1, header_rows), (-1, -1), "RIGHT"),
    ]
    if grouped:
        style.append(("SPAN", (0, 0), (0, 1)))
        for run in exports.header_runs(table):
            first, last = run.start + 1, run.start + run.length
            if run.group:
                top += [head(run.group), *([""] * (run.length - 1))]
                bottom += [head(columns[index].label) for index in range(run.start, run.start + run.length)]
                if run.length > 1:
                    style.append(("SPAN", (first, 0), (last, 0)))
            else:
                top.append(head(columns[run.start].label))
                bottom.append("")
                style.append(("SPAN", (first, 0), (first, 1)))
        data: list[list[Any]] = [top, bottom]
    else:
        data = [[head(exports.CORNER), *(head(column.label) for column in columns)]]
    for row in table.rows:
        figures = [c.note(str(report.value(engine.cell_key(table.code, row.key, column.key)))) for column in columns]
        data.append([c.para(row.label, BODY, indent=row.indent * BODY), *figures])
    figures_table = Table(data, colWidths=[label_width, *([number_width] * len(columns))], repeatRows=header_rows)
    figures_table.setStyle(TableStyle(style))
    return figures_table


def _boxed_note(c: _Composer, text: str) -> Table:
    note = Table([[c.para(text, 11)]], colWidths=[WIDTH])
    note.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), GRID, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return note


def _signature(c: _Composer) -> Table:
    """The signature line in four parts. Plain strings, not paragraphs: a paragraph would fold
    the full-width spaces left to write the date in."""
    parts = [c.note(part) for part in exports.SIGNATURE_PARTS]
    line = Table([parts], colWidths=[WIDTH * 0.22, WIDTH * 0.22, WIDTH * 0.26, WIDTH * 0.3])
    line.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), c.font, 11), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    return line


def _checks(c: _Composer, report: engine.Report, results: Sequence[checks.Result]) -> Table:
    """Every check with its outcome; a failing one with each failing instance, its code, name and
    outcome spanning them."""
    units = sum(width for _, width in exports.CHECK_HEADERS)
    widths = [WIDTH * width / units for _, width in exports.CHECK_HEADERS]
    data: list[list[Any]] = [[c.para(header, HEADER, TA_CENTER) for header, _ in exports.CHECK_HEADERS]]
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), GRID, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONT", (0, 0), (-1, -1), c.font, HEADER),
        ("ALIGN", (4, 1), (6, -1), "RIGHT"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (2, 1), (2, -1), "CENTER"),
    ]
    index = 0  # of the row among its check's failing instances
    for row in exports.check_rows(report, results):
        index = 0 if row.first else index + 1
        line = len(data)
        # A table breaks across pages only between spans: a check failing in many instances
        # spans them in blocks, each block naming the check again.
        head = index % SPAN_ROWS == 0
        span = min(SPAN_ROWS, row.span - index)
        if head and span > 1:
            style += [("SPAN", (column, line), (column, line + span - 1)) for column in range(3)]
        if row.outcome == exports.FAILED and head:
            style.append(("TEXTCOLOR", (2, line), (2, line), colors.HexColor("#B00020")))
        numbers = ["" if value is None else c.note(str(value)) for value in (row.left, row.right, row.difference)]
        data.append(
            [
                c.note(row.code) if head else "",
                c.para(row.name if index == 0 else f"{row.name}（续）", HEADER) if head else "",
                c.note(row.outcome) if head else "",
                c.para(row.instance, HEADER) if row.instance else "",
                *numbers,
                c.para(row.detail, HEADER) if row.detail else "",
            ]
        )
    found = Table(data, colWidths=widths, repeatRows=1)
    found.setStyle(TableStyle(style))
    return found
