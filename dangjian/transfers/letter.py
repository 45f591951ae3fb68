"""The letter of introduction (中国共产党党员组织关系介绍信) as a PDF: A4, the three parts of the
2006 form (存根, 介绍信, 回执联) one under the other with cutting lines, the age, the dues month
and the days of validity in capital numerals as the form requires (RULES.md §3.1).

Rendered by ReportLab with its built-in Adobe CID font STSong-Light (华文宋体 metrics): no font
file to ship or find, nothing fetched at run time; PDF readers supply the glyphs from their
Chinese font pack (Adobe-GB1), as they do for the national system's own letters.
"""

import datetime as dt
import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from dangjian.core.dates import age_on
from dangjian.members.models import Category, Member

from . import rules
from .models import Transfer

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

WIDTH, HEIGHT = A4
LEFT, RIGHT = 20 * mm, WIDTH - 20 * mm
TITLE = "中国共产党党员组织关系介绍信"


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
    sender = transfer.sending_committee or transfer.from_org
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


class _Writer:
    """Lines of text that wrap at the right margin (Chinese wraps at any character)."""

    def __init__(self, canvas: Canvas, top: float) -> None:
        self.canvas, self.y = canvas, top

    def title(self, text: str, number: str) -> None:
        self.canvas.setFont(FONT, 16)
        self.canvas.drawCentredString(WIDTH / 2, self.y, text)
        self.y -= 7 * mm
        self.canvas.setFont(FONT, 10.5)
        self.canvas.drawRightString(RIGHT, self.y, f"第 {number} 号")
        self.y -= 8 * mm

    def para(self, text: str, indent: float = 0, size: float = 12) -> None:
        self.canvas.setFont(FONT, size)
        x, line = LEFT + indent, ""
        for char in text:
            if pdfmetrics.stringWidth(line + char, FONT, size) > RIGHT - x:
                self.canvas.drawString(x, self.y, line)
                self.y -= size * 1.7
                x, line = LEFT, ""
            line += char
        self.canvas.drawString(x, self.y, line)
        self.y -= size * 1.9

    def right(self, text: str, size: float = 12) -> None:
        self.canvas.setFont(FONT, size)
        self.canvas.drawRightString(RIGHT - 10 * mm, self.y, text)
        self.y -= size * 1.8


def _cut(canvas: Canvas, y: float, label: str) -> None:
    canvas.setDash(4, 3)
    canvas.line(LEFT - 8 * mm, y, RIGHT + 8 * mm, y)
    canvas.setDash()
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(WIDTH / 2, y + 2, label)


def render(text: LetterText) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{TITLE}（第{text.number}号）")
    canvas.setAuthor(text.sender)
    person = (
        f"{text.name}同志（{text.gender}），{text.age}岁，{text.ethnicity}，系中共{text.category}，"
        f"身份证号码{text.id_number}"
    )
    # 存根 (kept by the sender)
    w = _Writer(canvas, HEIGHT - 18 * mm)
    w.title(f"{TITLE}（存根）", text.number)
    w.para(f"{person}，组织关系由{text.from_name}转到{text.to_name}。", indent=24)
    w.para(f"党费已交到{text.dues}。", indent=24)
    w.para(f"（有效期{text.days}天）", indent=24)
    w.right(text.issued)
    _cut(canvas, w.y + 2 * mm, "（此处盖骑缝章，沿虚线剪开）")
    # 介绍信 (carried by the member)
    w.y -= 10 * mm
    w.title(TITLE, text.number)
    w.para(f"{text.to_name}：")
    w.para(f"{person}，由{text.from_name}去{text.to_name}，请转接组织关系。", indent=24)
    w.para(f"该同志党费已交到{text.dues}。", indent=24)
    w.para(f"（有效期{text.days}天）", indent=24)
    w.right(f"{text.sender}（盖章）")
    w.right(text.issued)
    w.para(f"党员原所在基层党委通讯地址：{text.sender_address}    联系电话：{text.sender_phone}", size=10.5)
    _cut(canvas, w.y + 2 * mm, "（此处盖骑缝章，沿虚线剪开）")
    # 回执联 (returned by the final receiving 基层党委 within a month)
    w.y -= 10 * mm
    w.title(f"{TITLE}回执", text.number)
    w.para(f"{text.sender}：")
    w.para(f"{text.name}同志的党员组织关系已转达我处，特此回执。", indent=24)
    w.right("接收党员组织关系的基层党委（盖章）")
    w.right("        年    月    日")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def letter_for(user: object, transfer: Transfer) -> bytes:
    """The PDF of an issued letter for a user who sees the transfer (the caller scoped it). The form
    asks for the full ID number: it is printed for a role allowed to see it (members.access), masked
    otherwise; each printing goes into the security trail."""
    from dangjian.core import audit
    from dangjian.core.errors import DomainError
    from dangjian.members.access import may_reveal

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
