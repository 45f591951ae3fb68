"""组织信息导入导出: the export of a subtree, the import that creates all rows or none, the pages."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from dangjian.core.excel import shortened
from dangjian.core.models import AuditEvent, Event
from dangjian.core.scope import scoped
from dangjian.orgs.exports import HEADERS, XLSX, organizations_workbook
from dangjian.orgs.imports import Problem, import_organizations
from dangjian.orgs.models import Organization, OrgKind, UnitCategory
from dangjian.orgs.views_excel import organization_export, organization_import


def xlsx(*rows, headers=HEADERS) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党组织"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def line(
    parent="T1",
    code="T1-N1",
    name="中共新村支部委员会",
    kind="党支部",
    unit="行政村",
    founded="2005-08-01",
    *,
    short=None,
    setup=None,
    abolished=None,
    address=None,
    person=None,
    phone=None,
):
    return [parent, code, name, short, kind, unit, setup, founded, abolished, address, person, phone]


def sheet_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "党组织"
    return list(sheet.iter_rows(values_only=True))


def subtree(user, organization):
    return scoped(user, Organization.objects.filter(path__startswith=organization.path))


def codes_under(organization) -> list[str]:
    return list(
        Organization.objects.filter(path__startswith=organization.path).order_by("path").values_list("code", flat=True)
    )


# --- export -------------------------------------------------------------------------------------


def test_the_export_lists_the_subtree_in_tree_order_with_labels_and_real_dates(world):
    response = organizations_workbook(subtree(world.county_admin, world.town))
    assert response.rows == 3
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.font.bold for cell in sheet[1]] == [True] * 12
    rows = sheet_rows(response.content)
    assert rows[0] == HEADERS
    town = (
        "C0", "T1", "中共坪塘镇委员会", None, "党委", "乡镇", None, dt.datetime(1990, 1, 1), None, None, None, None,
    )  # fmt: skip
    assert rows[1] == town  # the top row names its parent, outside the export, too
    assert [row[:2] for row in rows[2:]] == [("T1", "T1-V1"), ("T1", "T1-C1")]
    assert [row[4:6] for row in rows[2:]] == [("党支部", "行政村"), ("党支部", "城市社区")]
    assert sheet["H2"].is_date


def test_the_whole_county_exports_parents_before_children(world):
    rows = sheet_rows(organizations_workbook(subtree(world.county_admin, world.county)).content)[1:]
    assert [row[1] for row in rows] == codes_under(world.county)
    assert rows[0][0] is None  # the top of the tree has no parent
    seen: set[str] = set()
    for parent, code, *_ in rows[1:]:
        assert parent in seen | {"C0"}
        seen.add(code)


def test_the_export_page_gives_the_scoped_subtree_and_records_the_export(world, rf: RequestFactory):
    request = rf.get(f"/orgs/{world.town.pk}/export/")
    request.user = world.town_admin
    response = organization_export(request, pk=world.town.pk)
    assert response["Content-Type"] == XLSX
    assert f"organizations-T1-{timezone.localdate():%Y%m%d}.xlsx" in response["Content-Disposition"]
    rows = sheet_rows(response.content)[1:]
    assert [row[1] for row in rows] == ["T1", "T1-V1", "T1-C1"]
    assert rows[0][0] is None  # the county is outside the town's scope: not even its code
    event = AuditEvent.objects.get(event=Event.EXPORT)
    assert (event.actor, event.target_id, event.details) == (
        world.town_admin,
        str(world.town.pk),
        {"what": "党组织", "rows": 3},
    )


def test_the_county_sees_the_parent_of_the_exported_town(world, rf: RequestFactory):
    request = rf.get("/")
    request.user = world.county_admin
    rows = sheet_rows(organization_export(request, pk=world.town.pk).content)
    assert [row[:2] for row in rows[1:]] == [("C0", "T1"), ("T1", "T1-V1"), ("T1", "T1-C1")]


def test_a_branch_secretary_exports_the_branch_only(world, rf: RequestFactory):
    request = rf.get("/")
    request.user = world.branch_admin
    rows = sheet_rows(organization_export(request, pk=world.village.pk).content)
    assert [row[1] for row in rows[1:]] == ["T1-V1"]


@pytest.mark.parametrize(
    ("user", "org", "refusal"),
    [
        ("branch_admin", "town", Http404),  # above the branch: outside the scope
        ("other_admin", "town", Http404),
        ("member_user", "town", Http404),
        ("member_user", "village", PermissionDenied),  # a 党员 sees the branch's name only
        ("security_admin", "county", Http404),
    ],
)
def test_the_export_refuses_outside_the_scope_and_to_members(world, rf: RequestFactory, user, org, refusal):
    request = rf.get("/")
    request.user = getattr(world, user)
    with pytest.raises(refusal):
        organization_export(request, pk=getattr(world, org).pk)
    assert not AuditEvent.objects.filter(event=Event.EXPORT).exists()


# --- import -------------------------------------------------------------------------------------


def test_round_trip_recreates_an_exported_town_as_a_new_subtree(world):
    exported = organizations_workbook(subtree(world.county_admin, world.town)).content
    workbook = load_workbook(io.BytesIO(exported))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        parent, code, name = row[0], row[1], row[2]
        code.value = code.value.replace("T1", "R1")
        name.value = name.value.replace("坪塘镇", "新城镇").replace("兴丰村", "新丰村").replace("新街社区", "新河社区")
        if parent.value != "C0":
            parent.value = parent.value.replace("T1", "R1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    report = import_organizations(actor=world.county_admin, file=buffer, under=world.county)

    assert report.problems == []
    assert [o.code for o in report.created] == ["R1", "R1-V1", "R1-C1"]
    town = Organization.objects.get(code="R1")
    assert Organization.objects.get_parent(town) == world.county
    assert (town.name, town.kind, town.unit_category, town.founded_date) == (
        "中共新城镇委员会", OrgKind.COMMITTEE, UnitCategory.TOWNSHIP, dt.date(1990, 1, 1),
    )  # fmt: skip
    children = Organization.objects.get_children(town)
    assert [(c.code, c.name, c.kind) for c in children] == [
        ("R1-V1", "中共新丰村支部委员会", OrgKind.BRANCH),
        ("R1-C1", "中共新河社区支部委员会", OrgKind.BRANCH),
    ]
    assert town.history.get().history_user == world.county_admin


def test_a_file_creates_a_town_and_its_branches_whatever_the_row_order(world):
    file = xlsx(
        line("N1", "N1-B1", "中共甲村支部委员会", "党支部", "village", founded=38565),  # codes work as well as labels
        line("N1-G", "N1-G-B1", "中共乙企业支部委员会", "联合党支部", "非公有制企业", "2010年5月", setup="联合组建"),
        line("N1", "N1-G", "中共某园区总支部委员会", "党总支", "其他", "2008.03"),
        line("C0", "N1", "中共新镇委员会", "党委", "乡镇", "2001/1/1"),
    )
    report = import_organizations(actor=world.county_admin, file=file)
    assert report.problems == []
    assert report.rows == 4
    assert codes_under(Organization.objects.get(code="N1")) == ["N1", "N1-B1", "N1-G", "N1-G-B1"]
    joint = Organization.objects.get(code="N1-G-B1")
    assert (joint.setup_mode, joint.founded_date) == ("joint", dt.date(2010, 5, 1))
    assert Organization.objects.get(code="N1-B1").founded_date == dt.date(2005, 8, 1)


def test_a_blank_parent_means_the_organization_imported_under(world):
    report = import_organizations(actor=world.town_admin, file=xlsx(line(parent=None)), under=world.town)
    assert report.problems == []
    assert Organization.objects.get_parent(Organization.objects.get(code="T1-N1")) == world.town


TODAY = timezone.localdate()
OK = line()


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([line(parent="NOPE")], [(2, "上级组织代码", "NOPE", "上级组织代码“NOPE”不存在或不在您的管理范围内")]),
        # the other town, and the county above: they exist, but not for the town's administrator
        ([line(parent="T2")], [(2, "上级组织代码", "T2", "上级组织代码“T2”不存在或不在您的管理范围内")]),
        ([line(parent="C0")], [(2, "上级组织代码", "C0", "上级组织代码“C0”不存在或不在您的管理范围内")]),
        ([line(parent=None)], [(2, "上级组织代码", "", "请填写上级组织代码")]),
        ([OK, line(name="另一个")], [(3, "组织代码", "T1-N1", "组织代码“T1-N1”与第2行重复")]),
        # used in the other town: said to be taken, not by whom
        ([line(code="T2-E1")], [(2, "组织代码", "T2-E1", "组织代码“T2-E1”已被使用")]),
        ([line(code="T1 N1")], [(2, "组织代码", "T1 N1", "组织代码只能由字母、数字和“-”组成，不超过32位")]),
        (
            [line(kind="党小组")],
            [
                (
                    2,
                    "组织类别",
                    "党小组",
                    "组织类别“党小组”不在可选范围内，可填：党委、党工委、党总支、党支部、联合党支部、临时党支部",
                )
            ],
        ),
        ([line(unit="农村")], [(2, "单位类别", "农村", None)]),
        ([line(setup="自建")], [(2, "组建方式", "自建", None)]),
        ([line(parent="T1-V1")], [(2, "组织类别", "党支部", "党支部下不能再设立党组织")]),  # a branch under a branch
        (
            [line(code="T1-G", kind="党总支", unit="其他"), line(parent="T1-G", code="T1-G-1", kind="党委")],
            [(3, "组织类别", "党委", "党总支下只能设立党支部一级组织，不能设立党委")],
        ),
        ([line(founded=(TODAY + dt.timedelta(days=1)).isoformat())], [(2, "成立日期", None, "成立日期不能晚于今天")]),
        ([line(founded="去年")], [(2, "成立日期", "去年", "日期“去年”无法识别，请按 2005-08-01 填写")]),
        ([line(founded="2005-02-30")], [(2, "成立日期", "2005-02-30", "日期“2005-02-30”不存在，请检查年、月、日")]),
        (
            [line(founded=2005.08)],
            [(2, "成立日期", "2005.08", "日期“2005.08”被 Excel 存成了数字，请按 2005-08-01 填写")],
        ),
        ([line(abolished="2020-01-01")], [(2, "撤销日期", "2020-01-01", "新设立的组织不能带撤销日期")]),
        ([line(name=None)], [(2, "名称", "", "请填写名称")]),
        ([line(code=None, kind=None)], [(2, "组织代码", "", "请填写组织代码"), (2, "组织类别", "", "请填写组织类别")]),
        ([line(name="长" * 101)], [(2, "名称", "长" * 101, "名称不能超过100个字")]),
        (
            [line(parent="T1-X", code="T1-Y"), line(parent="T1-Y", code="T1-X")],
            [
                (2, "上级组织代码", "T1-X", "上级组织代码构成循环（第2、3行互为上级）"),
                (3, "上级组织代码", "T1-Y", "上级组织代码构成循环（第2、3行互为上级）"),
            ],
        ),
        ([line(parent="T1-N1")], [(2, "上级组织代码", "T1-N1", "上级组织代码不能是本组织自己的代码")]),
        # one bad row stops the good ones too
        ([OK, line(code="T1-N2", founded="?")], [(3, "成立日期", "?", "日期“?”无法识别，请按 2005-08-01 填写")]),
    ],
)
def test_every_problem_is_reported_by_row_and_column_and_nothing_is_written(world, rows, expected):
    before = codes_under(world.county)
    report = import_organizations(actor=world.town_admin, file=xlsx(*rows))
    got = [(p.row, p.column, p.value, p.reason) for p in report.problems]
    for (row, column, value, reason), problem in zip(expected, got, strict=True):
        assert problem[:2] == (row, column)
        assert value is None or problem[2] == shortened(value)  # a long cell is echoed cut short
        assert reason is None or problem[3] == reason, problem
    assert report.created == []
    assert codes_under(world.county) == before


def test_problems_of_every_row_are_reported_at_once(world):
    file = xlsx(
        line(parent="NOPE"), line(code="T1-N2", kind="党小组"), line(code="T1-N3", parent="T1-V1"), line(code="T1-N4")
    )
    report = import_organizations(actor=world.town_admin, file=file)
    assert [(p.row, p.column) for p in report.problems] == [(2, "上级组织代码"), (3, "组织类别"), (4, "组织类别")]
    assert report.problem_rows == 3
    assert not Organization.objects.filter(code="T1-N4").exists()  # the good row was rolled back


def test_a_parent_in_scope_but_outside_the_import_page_is_refused(world):
    report = import_organizations(actor=world.county_admin, file=xlsx(line(parent="T2")), under=world.town)
    assert report.problems == [Problem(2, "上级组织代码", "T2", "上级组织代码“T2”不在“中共坪塘镇委员会”及其下级组织中")]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            [*HEADERS[:2], "组织名称", *HEADERS[3:]],
            [
                Problem(1, "组织名称", "组织名称", "未知的列“组织名称”：列名须与模板一致"),
                Problem(1, "名称", "", "缺少列“名称”"),
            ],
        ),
        ([*HEADERS, "备注"], [Problem(1, "备注", "备注", "未知的列“备注”：列名须与模板一致")]),
        ([*HEADERS[:-1]], [Problem(1, "联系电话", "", "缺少列“联系电话”")]),
        ([*HEADERS, "名称"], [Problem(1, "名称", "名称", "列“名称”重复")]),
    ],
)
def test_the_header_row_must_match_the_template(world, headers, expected):
    report = import_organizations(actor=world.town_admin, file=xlsx(OK[: len(headers)], headers=headers))
    assert report.problems == expected
    assert not Organization.objects.filter(code="T1-N1").exists()


def test_columns_may_come_in_any_order_and_blank_rows_are_skipped(world):
    order = list(reversed(range(12)))
    file = xlsx([None] * 12, [OK[i] for i in order], [None, "  "], headers=[HEADERS[i] for i in order])
    report = import_organizations(actor=world.town_admin, file=file)
    assert (report.problems, report.rows) == ([], 1)
    assert Organization.objects.filter(code="T1-N1").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (io.BytesIO(b"not a spreadsheet"), "文件无法读取：请上传 .xlsx 格式的 Excel 文件（可先下载模板）"),
        (xlsx(), "表中没有要导入的组织"),
    ],
)
def test_an_unreadable_or_empty_file_is_one_problem(world, content, reason):
    report = import_organizations(actor=world.town_admin, file=content)
    assert report.problems == [Problem(None, "", "", reason)]


def test_a_dry_run_checks_everything_and_writes_nothing(world):
    history_before = Organization.history.count()
    report = import_organizations(actor=world.town_admin, file=xlsx(OK, line(code="T1-N2")), dry_run=True)
    assert (report.ok, report.rows, report.created) == (True, 2, [])
    assert not Organization.objects.filter(code__in=["T1-N1", "T1-N2"]).exists()
    assert Organization.history.count() == history_before


@pytest.mark.parametrize("user", ["branch_admin", "member_user", "system_admin"])
def test_only_organization_administrators_import(world, user):
    with pytest.raises(PermissionDenied):
        import_organizations(actor=getattr(world, user), file=xlsx(OK))
    assert not Organization.objects.filter(code="T1-N1").exists()


# --- the import page ----------------------------------------------------------------------------


def page(rf: RequestFactory, user, organization, *, data=None, query=""):
    request = rf.post("/", data) if data is not None else rf.get(f"/{query}")
    request.user = user
    return organization_import(request, pk=organization.pk)


@pytest.mark.parametrize(
    ("user", "org", "refusal"),
    [
        ("branch_admin", "village", PermissionDenied),  # in scope, but the role does not write organizations
        ("member_user", "village", PermissionDenied),
        ("branch_admin", "town", Http404),  # out of scope answers 404 before the role is looked at
        ("member_user", "town", Http404),
        ("other_admin", "town", Http404),
    ],
)
def test_the_import_page_checks_the_scope_then_the_role(world, rf: RequestFactory, user, org, refusal):
    for data in (None, {"file": SimpleUploadedFile("o.xlsx", xlsx(OK).read(), content_type=XLSX)}):
        with pytest.raises(refusal):
            page(rf, getattr(world, user), getattr(world, org), data=data)
    assert not Organization.objects.filter(code="T1-N1").exists()


def test_the_import_page_offers_the_form_and_a_template(world, rf: RequestFactory):
    form = page(rf, world.town_admin, world.town)
    assert form.status_code == 200
    html = form.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert "?template=1" in html
    template = page(rf, world.town_admin, world.town, query="?template=1")
    assert sheet_rows(template.content) == [HEADERS]


def test_the_import_page_shows_the_report_or_the_created_organizations(world, rf: RequestFactory):
    def upload(*rows, dry_run=False):
        data = {"file": SimpleUploadedFile("o.xlsx", xlsx(*rows).read(), content_type=XLSX)}
        return page(
            rf, world.town_admin, world.town, data=data | ({"dry_run": "on"} if dry_run else {})
        ).content.decode()

    refused = upload(line(parent="T2"))
    assert "上级组织代码“T2”不存在或不在您的管理范围内" in refused and "未导入任何组织" in refused
    checked = upload(OK, dry_run=True)
    assert "校验通过" in checked
    assert not Organization.objects.filter(code="T1-N1").exists()
    done = upload(OK, line(parent=None, code="T1-N2"))
    assert "已导入2个党组织" in done
    assert set(codes_under(world.town)) >= {"T1-N1", "T1-N2"}
