"""The Chinese font of the letter PDF: Noto Serif SC (思源宋体, © Adobe, SIL Open Font License 1.1),
embedded in every PDF, so that any reader shows the letter without a Chinese font pack.

The font comes from the data-only package ``pylopdf-fonts-zh-cn`` (the notofonts/noto-cjk file,
unchanged). It has PostScript (CFF) outlines, which ReportLab cannot embed; so for each letter
fontTools builds a small TrueType font of the characters that letter uses (cu2qu converts their
outlines within one unit of the 1000-unit em) and ReportLab embeds that as its subset. The source
is parsed once per process (about half a second); building a letter's font then takes a few
milliseconds. Converting the whole font ahead instead (31,058 glyphs) takes about 20 seconds and
leaves a 20 MB file to cache and keep in step with the package, for no gain.
"""

import contextlib
import functools
import io
import threading
from collections.abc import Iterable, Iterator

import pylopdf_fonts_zh_cn
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont as SourceFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

NAME = "NotoSerifSC-Regular"
# The name-table entries carried into the embedded subset: the copyright and the licence.
CARRIED_NAMES = {0: "copyright", 7: "trademark", 13: "licenseDescription", 14: "licenseInfoURL"}

# fontTools' lazily read tables and ReportLab's font registry are shared by the threads of a
# process: one letter at a time builds its font, registers it and draws.
_LOCK = threading.Lock()


@functools.cache
def _source() -> SourceFont:
    return SourceFont(str(pylopdf_fonts_zh_cn.serif_path()), lazy=True)


def truetype_subset(chars: Iterable[str]) -> bytes:
    """A TrueType font of ``chars`` (those the font has), with the source's metrics and names."""
    source = _source()
    cmap = source.getBestCmap()
    mapping = {ord(char): cmap[ord(char)] for char in set(chars) if ord(char) in cmap}
    order = [".notdef", *sorted(set(mapping.values()) - {".notdef"}, key=source.getGlyphID)]
    outlines = source.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        # PostScript outlines run the other way round from TrueType's.
        outlines[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    head, hhea, os2, hmtx = source["head"], source["hhea"], source["OS/2"], source["hmtx"]
    builder = FontBuilder(head.unitsPerEm, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap(mapping)
    builder.setupGlyf(glyphs)
    built = builder.font["glyf"]
    builder.setupHorizontalMetrics({name: (hmtx[name][0], getattr(built[name], "xMin", 0)) for name in order})
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
    names = {key: source["name"].getDebugName(number) or "" for number, key in CARRIED_NAMES.items()}
    builder.setupNameTable({"familyName": "Noto Serif SC", "styleName": "Regular", "psName": NAME, **names}, mac=False)
    builder.setupOS2(
        fsType=0,  # installable embedding, as the source (OFL)
        usWeightClass=os2.usWeightClass,
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        sxHeight=os2.sxHeight,
        sCapHeight=os2.sCapHeight,
        achVendID=os2.achVendID,
    )
    builder.setupPost(keepGlyphNames=False)
    buffer = io.BytesIO()
    builder.save(buffer)
    return buffer.getvalue()


@contextlib.contextmanager
def letter_font(chars: Iterable[str]) -> Iterator[str]:
    """The ReportLab name of a font for ``chars``, registered while the block draws."""
    with _LOCK:
        font = TTFont(NAME, io.BytesIO(truetype_subset(chars)))
        pdfmetrics.registerFont(font)
        try:
            yield NAME
        finally:
            font.unregister()
