"""The letter of introduction (中国共产党党员组织关系介绍信) as a PDF: A4, the three parts of the
2006 form (存根, 介绍信, 回执联) one under the other with cutting lines, the age, the dues month
and the days of validity in capital numerals as the form requires (RULES.md §3.1).

Set in Noto Serif SC, embedded as a subset of the characters the letter uses (``fonts``): any
reader shows it, with or without a Chinese font pack, and nothing is fetched at run time. A run
of Latin letters and digits (the ID number, a telephone number) is never broken across lines, and
no line starts with a closing punctuation mark.
"""

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from dangjian.core.dates import age_on
from dangjian.members.models import Category, Member
from dangjian.orgs.models import Organization

from . import fonts, rules
from .models import Transfer, TransferKind

WIDTH, HEIGHT = A4
LEFT, RIGHT = 20 * mm, WIDTH - 20 * mm
TITLE = "中国共产党党员组织关系介绍信"
# Printed where the sending committee's profile has no address or telephone: room to write it in.
BLANK = "_" * 20


@dataclass(frozen=True)
class LetterText:
    """What the three parts say, computed apart from the drawing (and tested apart)."""

    number: str
    name: str
    gender: str
    age: str
    ethnicity: str
    category: str
    id_number: str
    from_name: str
    to_name: str
    dues: str
    days: str
    issued: str
    sender: str
    sender_address: str
    sender_phone: str


def _age(birth: dt.date, on: dt.date) -> str:
    """The age in capital numerals; blank if the dates stored cannot give one (never a 500)."""
    age = age_on(birth, on)
    return rules.capital_number(age) if 0 <= age < 150 else ""


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def letter_text(transfer: Transfer, member: Member, *, id_number: str) -> LetterText:
    assert transfer.issued_date and transfer.valid_days and transfer.dues_paid_through
    sender = sender_of(transfer)
    return LetterText(
        number=transfer.letter_number,
        name=transfer.member_name,
        gender=member.get_gender_display(),
        age=_age(member.birth_date, transfer.issued_date),
        ethnicity=member.get_ethnicity_display(),
        category="正式党员" if member.category == Category.FULL else "预备党员",
        id_number=id_number,
        from_name=transfer.from_name,
        to_name=transfer.to_name,
        dues=rules.capital_month(transfer.dues_paid_through),
        days=rules.capital_number(transfer.valid_days),
        issued=_date(transfer.issued_date),
        sender=sender.name if sender else "",
        sender_address=sender.address if sender else "",
        sender_phone=sender.contact_phone if sender else "",
    )


# A run of Latin letters and digits (an ID or telephone number, a letter number) is one unit of
# line breaking; any other character is one by itself.
_UNIT = re.compile(r"[0-9A-Za-z_\-]+|.", re.DOTALL)
# Closing punctuation never starts a line (避头): it stays with the character before it.
_NO_LINE_START = frozenset("，。、；：！？）》」』”’…")


def _units(text: str) -> list[str]:
    units: list[str] = []
    for match in _UNIT.finditer(text):
        unit = match.group()
        if units and unit[0] in _NO_LINE_START:
            units[-1] += unit
        else:
            units.append(unit)
    return units


@dataclass
class _Writer:
    """Lines of text that wrap at the right margin. Without a canvas it only notes the characters,
    so that the font can be built for them before anything is drawn."""

    canvas: Canvas | None
    font: str
    y: float = HEIGHT - 18 * mm
    chars: set[str] = field(default_factory=set)

    def _width(self, text: str, size: float) -> float:
        return pdfmetrics.stringWidth(text, self.font, size)

    def _draw(self, how: str, x: float, text: str, size: float) -> None:
        self.chars.update(text)
        if self.canvas is not None:
            self.canvas.setFont(self.font, size)
            getattr(self.canvas, how)(x, self.y, text)

    def title(self, text: str, number: str) -> None:
        self._draw("drawCentredString", WIDTH / 2, text, 16)
        self.y -= 7 * mm
        self._draw("drawRightString", RIGHT, f"第 {number} 号", 10.5)
        self.y -= 8 * mm

    def para(self, text: str, indent: float = 0, size: float = 12) -> None:
        self.chars.update(text)
        x, line = LEFT + indent, ""
        for unit in _units(text):
            if self.canvas is not None and line and self._width(line + unit, size) > RIGHT - x:
                self._draw("drawString", x, line, size)
                self.y -= size * 1.7
                x, line = LEFT, ""
            line += unit
        self._draw("drawString", x, line, size)
        self.y -= size * 1.9

    def right(self, text: str, size: float = 12) -> None:
        self._draw("drawRightString", RIGHT - 10 * mm, text, size)
        self.y -= size * 1.8

    def cut(self, label: str = "（此处盖骑缝章，沿虚线剪开）") -> None:
        """The dashed cutting line just under the last line, its label on it, then the gap."""
        below = self.y
        self.y += 2 * mm
        if self.canvas is not None:
            self.canvas.setDash(4, 3)
            self.canvas.line(LEFT - 8 * mm, self.y, RIGHT + 8 * mm, self.y)
            self.canvas.setDash()
        self.y += 2
        self._draw("drawCentredString", WIDTH / 2, label, 9)
        self.y = below - 10 * mm


def _compose(w: _Writer, text: LetterText) -> None:
    person = (
        f"{text.name}同志（{text.gender}），{text.age}岁，{text.ethnicity}，系中共{text.category}，"
        f"身份证号码{text.id_number}"
    )
    # 存根 (kept by the sender)
    w.title(f"{TITLE}（存根）", text.number)
    w.para(f"{person}，组织关系由{text.from_name}转到{text.to_name}。", indent=24)
    w.para(f"党费已交到{text.dues}。", indent=24)
    w.para(f"（有效期{text.days}天）", indent=24)
    w.right(text.issued)
    w.cut()
    # 介绍信 (carried by the member)
    w.title(TITLE, text.number)
    w.para(f"{text.to_name}：")
    w.para(f"{person}，由{text.from_name}去{text.to_name}，请转接组织关系。", indent=24)
    w.para(f"该同志党费已交到{text.dues}。", indent=24)
    w.para(f"（有效期{text.days}天）", indent=24)
    w.right(f"{text.sender}（盖章）")
    w.right(text.issued)
    address, phone = text.sender_address or BLANK, text.sender_phone or BLANK[:12]
    w.para(f"党员原所在基层党委通讯地址：{address}    联系电话：{phone}", size=10.5)
    w.cut()
    # 回执联 (returned by the final receiving 基层党委 within a month)
    w.title(f"{TITLE}回执", text.number)
    w.para(f"{text.sender}：")
    w.para(f"{text.name}同志的党员组织关系已转达我处，特此回执。", indent=24)
    w.right("接收党员组织关系的基层党委（盖章）")
    w.right("        年    月    日")


def render(text: LetterText) -> bytes:
    noted = _Writer(None, fonts.NAME)
    _compose(noted, text)
    buffer = io.BytesIO()
    with fonts.letter_font(noted.chars) as font:
        # The initial font is ours, so the file names no other (types-reportlab mistypes the argument).
        canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)  # type: ignore[arg-type]
        canvas.setTitle(f"{TITLE}（第{text.number}号）")
        canvas.setAuthor(text.sender)
        _compose(_Writer(canvas, font), text)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def sender_of(transfer: Transfer) -> Organization | None:
    """The organization the letter is from (its name, address and telephone are printed on it):
    the sending 基层党委, or the sending organization where it has none above it."""
    return transfer.sending_committee or transfer.from_org


def missing_contact(transfer: Transfer) -> list[str]:
    """What the letter would print blank because the sender's profile lacks it."""
    sender = sender_of(transfer)
    if transfer.kind == TransferKind.FROM_OUTSIDE or sender is None:
        return []
    return [label for label, value in (("通讯地址", sender.address), ("联系电话", sender.contact_phone)) if not value]


def letter_for(user: object, transfer: Transfer) -> bytes:
    """The PDF of an issued letter for a user who sees the transfer (the caller scoped it). The form
    asks for the full ID number: it is printed for a role allowed to see it (members.access), masked
    otherwise; each printing goes into the security trail."""
    from dangjian.core import audit
    from dangjian.core.errors import DomainError
    from dangjian.members.access import may_reveal

    if transfer.kind == TransferKind.FROM_OUTSIDE:
        raise DomainError("系统外转入的党员凭对方党组织开具的介绍信接收，本系统不另行打印介绍信")
    if not transfer.letter_number or transfer.issued_date is None:
        raise DomainError("介绍信尚未开具")
    member = Member.objects.get(pk=transfer.member_id)  # the record may have left the registry (转出)
    full = may_reveal(user, member)
    audit.record(
        audit.Event.EXPORT,
        actor=user,
        target=transfer,
        details={"what": "组织关系介绍信", "number": transfer.letter_number, "full_id": full},
    )
    return render(letter_text(transfer, member, id_number=member.id_number if full else member.masked_id_number))
