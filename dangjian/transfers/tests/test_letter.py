"""The letter PDF: A4, three parts, Chinese text, capital numerals, rendered without any network."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dangjian.core.models import AuditEvent
from dangjian.transfers import letter, rules

from .conftest import issued


def _text(body: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(body))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", ""), reader


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
