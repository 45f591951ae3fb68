"""The auditor reads each event's details as named items, not as a raw dictionary; plain members
are not offered the API."""

from dangjian.accounts.templatetags.audit_details import detail_rows
from dangjian.core import audit
from dangjian.core.models import Event


def test_details_read_as_named_items():
    assert detail_rows({"what": "党员花名册", "rows": 12, "filters": {"q": "张"}, "full_id": False}) == [
        ("内容", "党员花名册"),
        ("行数", "12"),
        ("筛选条件", "q：张"),
        ("完整证件号码", "否"),
    ]
    # jsonb (PostgreSQL) returns keys in its own order: the page shows the same order either way
    assert detail_rows({"full_id": False, "filters": {"q": "张"}, "rows": 12, "what": "党员花名册"}) == detail_rows(
        {"what": "党员花名册", "rows": 12, "filters": {"q": "张"}, "full_id": False}
    )
    assert detail_rows({"failure_limit": {"old": 5, "new": 3}}) == [("连续登录失败锁定次数", "5 → 3")]
    assert detail_rows({}) == []


def test_the_audit_page_and_export_show_readable_details(world):
    audit.record(Event.EXPORT, actor=world.county_admin, details={"what": "党员信息", "rows": 3})
    page = world.client(world.audit_admin).get("/audit/").content.decode()
    assert "内容：</span>党员信息" in page and "{&#x27;what&#x27;" not in page
    export = world.client(world.audit_admin).get("/audit/export/")
    from io import BytesIO

    from openpyxl import load_workbook

    values = [cell.value for row in load_workbook(BytesIO(export.content)).active.iter_rows() for cell in row]
    assert "内容：党员信息；行数：3" in values


def test_a_member_is_not_offered_the_api(world):
    member = world.client(world.member_user).get("/account/").content.decode()
    assert "API 文档" not in member and "API 令牌" not in member
    branch = world.client(world.branch_admin).get("/account/").content.decode()
    assert "API 文档" in branch and "API 令牌" in branch
