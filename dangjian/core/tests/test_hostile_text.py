"""Hostile text in and out: what a spreadsheet would run as a formula is written as text in every
export; control characters are refused at input (forms, API, imports), stripped at output so
that what is already stored breaks no export, and shown as codes in the security trail; names
made of invisible or direction-changing characters are refused."""

import io
import zipfile

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from dangjian.core import text
from dangjian.core.models import AuditEvent, Event
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

FORMULAS = ['=HYPERLINK("http://evil.example/","点击")', "=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1)", "\t=1"]


def sheet_xml(response) -> str:
    """Every worksheet of an .xlsx response, as XML text."""
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        return "".join(book.read(name).decode() for name in book.namelist() if name.startswith("xl/worksheets/"))


def values(response) -> list:
    workbook = load_workbook(io.BytesIO(response.content))
    return [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.fixture
def hostile(world):
    """Formula-looking and control-character text already stored (written before input was
    checked, or by the database's own hand)."""
    Member.objects.filter(pk=world.zhangsan.pk).update(job=FORMULAS[0], address=FORMULAS[1], native_place="+1+2")
    Member.objects.filter(pk=world.lisi.pk).update(name="李\x07四", job="@SUM(A1)", address="地址\x0b二")
    Organization.objects.filter(pk=world.village.pk).update(address="\x0b村部", contact_person="=1+1")
    return world


@pytest.mark.parametrize(
    "query",
    ["", "?layout=roster", "?full=1", "?layout=roster&full=1"],
    ids=["list", "roster", "full list", "full roster"],
)
def test_no_member_export_holds_a_formula_or_breaks_on_control_characters(hostile, query):
    response = hostile.client(hostile.county_admin).get(f"/members/export/{query}")
    assert response.status_code == 200
    xml = sheet_xml(response)
    assert "<f>" not in xml and "\x07" not in xml and "\x0b" not in xml
    written = values(response)
    assert FORMULAS[0] in written and "@SUM(A1)" in written
    assert "李四" in written


def test_the_organization_export_holds_no_formula_and_survives_control_characters(hostile):
    response = hostile.client(hostile.county_admin).get(f"/orgs/{hostile.county.pk}/export/")
    assert response.status_code == 200
    xml = sheet_xml(response)
    assert "<f>" not in xml and "\x0b" not in xml
    assert "=1+1" in values(response) and "村部" in values(response)


def test_formula_text_is_kept_as_typed_and_marked_as_text():
    from dangjian.core import excel

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    excel.append(sheet, [*FORMULAS, "普通", 3, "坏\x07字"])
    content = io.BytesIO()
    workbook.save(content)
    read = load_workbook(io.BytesIO(content.getvalue()))
    cells = next(iter(read.active.iter_rows()))
    assert [cell.value for cell in cells] == [*FORMULAS, "普通", 3, "坏字"]
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells[: len(FORMULAS)])
    assert not cells[len(FORMULAS)].quotePrefix


def test_a_failed_login_with_a_control_character_keeps_the_audit_export_working(world):
    Client().post("/login/", {"username": "evil\x07user", "password": "x"})
    event = AuditEvent.objects.filter(event=Event.LOGIN_FAILED).latest("seq")
    assert event.actor_name == "evil<U+0007>user"
    AuditEvent.objects.filter(pk=event.pk).update(actor_name="stored\x07before")  # as a trail written earlier
    response = world.client(world.audit_admin).get("/audit/export/")
    assert response.status_code == 200
    assert "storedbefore" in values(response)


# At input


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("王\x07五", "控制字符"),
        ("\u200b\u200b", "不可见字符"),
        ("王\u202e五", "不可见字符"),
        ("王\U000e0041五", "不可见字符"),
        ("\u3164", "不可见字符"),
    ],
)
def test_a_member_name_with_invisible_or_control_characters_is_refused_by_the_api(world, name, reason):
    client = APIClient()
    client.force_authenticate(world.branch_admin)
    answer = client.patch(f"/api/v1/members/{world.lisi.pk}/", {"name": name}, format="json")
    assert answer.status_code == 400
    assert reason in answer.json()["name"][0]
    assert Member.objects.get(pk=world.lisi.pk).name == "李四"


def test_a_form_refuses_control_characters_in_any_text_field_and_keeps_what_was_typed(world):
    page = world.client(world.county_admin).post(
        f"/orgs/{world.village.pk}/edit/",
        {"name": world.village.name, "address": "村部\x0b二楼", "code": world.village.code},
    )
    assert page.status_code == 200
    assert "地址含有不可见的控制字符（U+000B）" in page.content.decode()
    assert Organization.objects.get(pk=world.village.pk).address != "村部\x0b二楼"


def test_the_member_import_refuses_a_row_with_a_control_character(world):
    from dangjian.members.tests.test_import import line, run

    report = run(world.branch_admin, line(name="钱\u200b七", job="农民\u202e"))
    reasons = {problem.column: problem.reason for problem in report.problems}
    assert "不可见字符" in reasons["姓名"] and "改变文字方向" in reasons["工作单位及职务"]
    assert report.created == 0


def test_the_code_list_of_format_characters_covers_unicodes():
    import re
    import sys
    import unicodedata

    listed = re.compile(f"[{text.FORMAT}]")
    every = (chr(point) for point in range(sys.maxunicode + 1))
    assert all(listed.match(char) for char in every if unicodedata.category(char) == "Cf")
