"""The letter PDF: A4, three parts, Chinese text, capital numerals, rendered without any network,
its Chinese font embedded."""

import dataclasses
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dangjian.core.models import AuditEvent
from dangjian.transfers import letter, rules

from .conftest import issued


def _text(body: bytes) -> tuple[str, PdfReader]:
    """The letter's text, the lines joined (where a line breaks depends on the font's widths)."""
    reader = PdfReader(io.BytesIO(body))
    return "".join(_lines(reader)), reader


def _lines(reader: PdfReader) -> list[str]:
    return [line.replace(" ", "") for page in reader.pages for line in page.extract_text().splitlines()]


def test_the_letter_has_its_three_parts_in_chinese_with_capital_numerals(world):
    transfer = issued(world, valid_days=30)
    body = letter.letter_for(world.town_admin, transfer)
    assert body.startswith(b"%PDF")
    text, reader = _text(body)
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert "中国共产党党员组织关系介绍信（存根）" in text
    assert "中国共产党党员组织关系介绍信回执" in text
    assert text.count(f"第{transfer.letter_number}号") == 3  # one number on every part
    assert "（有效期叁拾天）" in text
    dues = rules.capital_month(timezone.localdate())
    assert f"党费已交到{dues}" in text
    assert "张三同志（男），伍拾" in text  # born 1970: the age in capitals too
    assert "由中共兴丰村支部委员会去中共三环颜料有限公司支部委员会，请转接组织关系" in text
    assert "张三同志的党员组织关系已转达我处，特此回执" in text
    assert world.zhangsan.id_number in text  # an 党委管理员 may see the full number the form asks for
    assert AuditEvent.objects.filter(event="export", target_id=str(transfer.pk)).exists()


def test_the_letter_page_serves_the_pdf_to_both_sides_and_no_one_else(world):
    transfer = issued(world)
    url = reverse("transfers:letter", args=[transfer.pk])
    for user in (world.town_admin, world.other_admin, world.branch_admin):
        response = world.client(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    other = issued(world, member=world.wangfang, to=world.village)  # inside 坪塘镇 only
    assert world.client(world.other_admin).get(reverse("transfers:letter", args=[other.pk])).status_code == 404
    api = world.client(world.other_admin).get(reverse("transfer-letter", args=[transfer.pk]))
    assert "中国共产党党员组织关系介绍信" in _text(api.content)[0]


@pytest.mark.parametrize("state", ["requested"])
def test_no_letter_before_it_is_issued(world, state):
    from dangjian.transfers import services

    transfer = services.request_transfer(
        actor=world.branch_admin, member=world.zhangsan, to_org=world.enterprise, reason="x"
    )
    response = world.client(world.town_admin).get(reverse("transfers:letter", args=[transfer.pk]), follow=True)
    assert "介绍信尚未开具" in response.content.decode()


def _fonts(reader: PdfReader) -> list[Any]:
    """Every font the pages use, a composite font's descendants in its place."""
    found = []
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()
        for ref in resources["/Font"].values():
            font = ref.get_object()
            found += [d.get_object() for d in font["/DescendantFonts"]] if "/DescendantFonts" in font else [font]
    return found


def test_the_letter_embeds_its_chinese_font_and_stays_small(world):
    body = letter.letter_for(world.town_admin, issued(world))
    _, reader = _text(body)
    fonts = _fonts(reader)
    assert fonts, "the letter names its font"
    for font in fonts:  # every font a reader needs is in the file: none is left to a font pack
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
    assert b"STSong" not in body and b"UniGB-UCS2" not in body
    assert b"/Helvetica" not in body
    assert all(str(font["/BaseFont"]).endswith("+NotoSerifSC-Regular") for font in fonts)  # a subset
    assert len(body) < 60_000, len(body)  # the glyphs used, not the 11 MB font


def _sample(**changes: str) -> letter.LetterText:
    text = letter.LetterText(
        number="T1-2026-000001",
        name="张三",
        gender="男",
        age="伍拾陆",
        ethnicity="汉族",
        category="正式党员",
        id_number="43012219700315003X",
        from_name="中共兴丰村支部委员会",
        to_name="中共三环颜料有限公司支部委员会",
        dues="贰零贰陆年壹拾贰月",
        days="叁拾",
        issued="2026年12月2日",
        sender="中共坪塘镇委员会",
        sender_address="长沙市岳麓区坪塘街道坪塘大道188号",
        sender_phone="0731-88123456",
    )
    return dataclasses.replace(text, **changes)


@pytest.mark.parametrize("name", ["李", "张三", "欧阳娜", "司马相如", "爱新觉罗溥", "阿依古丽买买提"])
def test_the_id_number_is_never_broken_across_lines(name):
    text = _sample(name=name)
    lines = _lines(PdfReader(io.BytesIO(letter.render(text))))
    holding = [line for line in lines if text.id_number in line]
    assert len(holding) == 2, lines  # once in the 存根, once in the letter, each whole on its line
    assert not [line for line in lines if line[:1] in "，。、：；）"], "no line starts with closing punctuation"


def test_a_missing_address_or_telephone_leaves_room_to_write_it_in():
    text, _ = _text(letter.render(_sample(sender_address="", sender_phone="")))
    assert f"通讯地址：{letter.BLANK}" in text and f"联系电话：{letter.BLANK[:12]}" in text
    filled, _ = _text(letter.render(_sample()))
    assert "通讯地址：长沙市岳麓区坪塘街道坪塘大道188号" in filled and "联系电话：0731-88123456" in filled


def test_no_letter_is_printed_here_for_a_member_received_from_outside(world):
    from conftest import make_id_number
    from dangjian.core.errors import DomainError
    from dangjian.transfers import services

    today = timezone.localdate()
    transfer = services.register_incoming(
        actor=world.town_admin,
        to_org=world.community,
        from_outside="中共某县某镇委员会",
        letter_number="外-2026-15",
        issued_date=today,
        valid_days=30,
        dues_paid_through=today,
        date=today,
        name="钱七",
        id_number=make_id_number("1980-01-02", male=True, sequence=40),
        education="bachelor",
        category="full",
        joined_date=dt.date(2005, 7, 1),
        regularized_date=dt.date(2006, 7, 1),
    )
    with pytest.raises(DomainError, match="凭对方党组织开具的介绍信接收"):
        letter.letter_for(world.town_admin, transfer)
    page = world.client(world.town_admin).get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    assert "print-letter" not in page and "profile-missing" not in page
