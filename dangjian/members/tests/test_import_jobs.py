"""党员信息导入 as the user meets it: the template, the upload, the job's progress, the report
with every bad cell, the marked workbook; a job is its author's alone."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_id_number
from dangjian.core import excel, sheet_pieces
from dangjian.core.crypto import lookup_hash
from dangjian.core.models import AuditEvent, Event, RoleAssignment
from dangjian.core.scope import forget_acting
from dangjian.members import import_files, imports, tasks
from dangjian.members.models import ImportStatus, Member, MemberImport
from dangjian.members.tests.test_import import HEADERS, line, person, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAD_NUMBER = "430122198504120810"  # the check character of ...0815 changed


def upload(client, *rows, name="党员.xlsx"):
    content = xlsx(*rows).getvalue()
    return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, content, content_type=XLSX)})


def job_of(user) -> MemberImport:
    return MemberImport.objects.filter(created_by=user).latest("pk")


# The template


def test_the_template_has_the_headers_drop_downs_and_instructions(world):
    response = world.client(world.branch_admin).get(reverse("members:import_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["党员信息"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        lists[sheet.cell(row=1, column=_index(column)).value] = validation.formula1
    assert set(lists) == {
        *(
            "所在党组织代码",
            "性别",
            "民族",
            "学历",
            "学位",
            "职业类别",
            "人员类别",
            "党籍状态",
            "出党方式",
            "党员中心户",
        )
    }
    assert lists["性别"] == '"男,女"'
    assert lists["党员中心户"] == '"是,否"'
    # The 58 民族 do not fit in Excel's 255 characters: the list is on a hidden sheet.
    hidden = book[excel.LISTS_SHEET]
    assert hidden.sheet_state == "hidden"
    assert lists["民族"] == f"'{excel.LISTS_SHEET}'!$A$1:$A$58"
    assert [row[0].value for row in hidden.iter_rows(max_col=1)][:2] == ["汉族", "蒙古族"]
    assert sheet.column_dimensions["C"].number_format == "@"  # ID numbers stay text
    notes = book["填写说明"]
    assert notes["A2"].value == "所在党组织代码"


def _index(letters: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letters)


def _drop_down(sheet, header):
    for validation in sheet.data_validations.dataValidation:
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        if sheet.cell(row=1, column=_index(column)).value == header:
            return validation.formula1
    return None


def _saved(book):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_the_template_offers_the_users_own_organizations_with_code_and_name(world):
    branch = world.client(world.branch_admin).get(reverse("members:import_template"))
    sheet = load_workbook(io.BytesIO(branch.content))["党员信息"]
    assert _drop_down(sheet, "所在党组织代码") == f'"T1-V1 {world.village.name}"'
    town = world.client(world.town_admin).get(reverse("members:import_template"))
    options = _drop_down(load_workbook(io.BytesIO(town.content))["党员信息"], "所在党组织代码").strip('"').split(",")
    # The branches of the town; not the town itself (it holds no members), nothing outside it.
    assert sorted(options) == sorted(f"{o.code} {o.name}" for o in (world.village, world.community))


def test_the_templates_example_row_imports_as_it_is(world):
    response = world.client(world.branch_admin).get(reverse("members:import_template"))
    book = load_workbook(io.BytesIO(response.content))
    example = [cell.value for cell in book[import_files.EXAMPLE_SHEET][2]]
    assert example[0] == f"T1-V1 {world.village.name}"
    assert [cell.value for cell in book["填写说明"]["D"][1 : len(HEADERS) + 1]] == example
    book["党员信息"].append(example)
    report = imports.import_members(actor=world.branch_admin, file=_saved(book))
    assert report.ok, report.problems
    member = Member.objects.get(id_hash=lookup_hash(import_files.EXAMPLE["id_number"]))
    assert (member.name, member.organization) == ("张三", world.village)
    assert (member.get_gender_display(), member.birth_date, member.regularized_date) == (
        "男",
        dt.date(1970, 3, 15),
        dt.date(2001, 7, 1),
    )


def test_the_template_as_downloaded_imports_nobody_and_says_where_to_fill_in(world):
    # The example sits on a sheet of its own: a template uploaded unfilled registers no made-up person.
    response = world.client(world.branch_admin).get(reverse("members:import_template"))
    before = Member.objects.count()
    report = imports.import_members(actor=world.branch_admin, file=io.BytesIO(response.content))
    assert [p.reason for p in report.problems] == [imports.NO_ROWS]
    assert Member.objects.count() == before


def test_the_filled_template_imports(world):
    response = world.client(world.branch_admin).get(reverse("members:import_template"))
    book = load_workbook(io.BytesIO(response.content))
    book["党员信息"].append(line(gender="男", ethnicity="汉族", is_central_household="否"))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    report = imports.import_members(actor=world.branch_admin, file=buffer)
    assert report.ok, report.problems
    assert report.created == 1


# Upload, report, marked workbook


def test_a_small_upload_is_imported_at_once_and_the_upload_deleted(world):
    client = world.client(world.branch_admin)
    response = upload(client, line(), person(1))
    job = job_of(world.branch_admin)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:import_detail", args=[job.pk])
    assert (job.status, job.created_count, job.total_rows, job.processed_rows) == (ImportStatus.DONE, 2, 2, 2)
    assert not job.file  # it held ID numbers in clear
    assert job.finished_at is not None
    page = client.get(response["Location"])
    assert "已导入2名党员" in page.content.decode()
    assert Member.objects.filter(name__in=["刘洋", "测试1"]).count() == 2


def test_a_failed_upload_lists_each_bad_cell_masked_and_offers_the_marked_workbook(world):
    client = world.client(world.branch_admin)
    before = Member.objects.count()
    upload(client, person(1), line(id_number=BAD_NUMBER), person(2, joined_date="明年"))
    job = job_of(world.branch_admin)
    assert (job.status, job.error_count, job.created_count) == (ImportStatus.FAILED, 2, 0)
    assert Member.objects.count() == before
    assert not job.file and job.report
    assert job.errors[0] == {
        "row": 3,
        "column": "公民身份号码",
        "value": "4301**********0810",
        "reason": "公民身份号码校验位不符，可能有数字录错，请逐位核对",
    }
    page = client.get(reverse("members:import_detail", args=[job.pk])).content.decode()
    assert "4301**********0810" in page and BAD_NUMBER not in page
    assert "日期“明年”无法识别" in page
    download = client.get(reverse("members:import_report", args=[job.pk]))
    assert download.status_code == 200
    assert AuditEvent.objects.filter(event=Event.EXPORT, details__what="党员信息导入错误标注").exists()
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)))["党员信息"]
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == [*HEADERS, "错误原因"]
    assert len(rows) == 4  # the header and every row of the upload
    id_cell = rows[2][HEADERS.index("公民身份号码")]
    assert id_cell.value == BAD_NUMBER  # the author's own file, unmasked
    assert id_cell.fill.fgColor.rgb == "00FFC7CE"
    assert rows[2][-1].value.startswith("公民身份号码：公民身份号码校验位不符")
    assert rows[1][-1].value is None  # a good row has no reason
    assert rows[3][HEADERS.index("入党日期")].fill.fgColor.rgb == "00FFC7CE"


def test_a_large_file_gets_only_its_bad_rows_marked(world, monkeypatch):
    monkeypatch.setattr(import_files, "WHOLE_COPY_ROWS", 2)
    upload(world.client(world.branch_admin), person(1), person(2), line(id_number=BAD_NUMBER))
    job = job_of(world.branch_admin)
    sheet = load_workbook(job.report.path)["党员信息"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("错误原因", "原表行号")
    assert len(rows) == 2 and rows[1][-1] == 4


def test_a_file_problem_is_shown_without_a_workbook(world):
    client = world.client(world.branch_admin)
    content = xlsx(["T1-V1"], headers=["所在党组织代码"]).getvalue()
    client.post(reverse("members:import"), {"file": SimpleUploadedFile("旧表.xlsx", content, content_type=XLSX)})
    job = job_of(world.branch_admin)
    assert job.status == ImportStatus.FAILED
    assert not job.report
    assert "缺少列“姓名”：列名须与模板一致" in [error["reason"] for error in job.errors]


def test_only_xlsx_files_are_taken(world):
    client = world.client(world.branch_admin)
    response = client.post(
        reverse("members:import"), {"file": SimpleUploadedFile("党员.xls", b"old", content_type=XLSX)}
    )
    assert response.status_code == 200
    assert "请上传 .xlsx 格式的 Excel 文件" in response.content.decode()
    assert not MemberImport.objects.exists()


# Who may


def test_a_role_without_write_rights_is_refused(world):
    for user in (world.member_user, world.system_admin, world.audit_admin):
        client = world.client(user)
        assert client.get(reverse("members:import")).status_code == 403
        assert client.get(reverse("members:import_template")).status_code == 403
        assert upload(client, line()).status_code == 403
    assert not MemberImport.objects.exists()


def test_a_job_is_seen_by_its_author_only(world):
    upload(world.client(world.branch_admin), line(id_number=BAD_NUMBER))
    job = job_of(world.branch_admin)
    for user in (world.county_admin, world.town_admin, world.other_admin):  # in scope or not: not theirs
        client = world.client(user)
        for name in ("members:import_detail", "members:import_progress", "members:import_report"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, (user, name)
    own = world.client(world.branch_admin)
    assert own.get(reverse("members:import_report", args=[job.pk])).status_code == 200
    listing = world.client(world.town_admin).get(reverse("members:import")).content.decode()
    assert job.file_name not in listing


def test_the_job_runs_with_the_roles_its_author_holds_when_it_runs(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = _queued(world.branch_admin, line())
    RoleAssignment.objects.filter(user=world.branch_admin).delete()
    forget_acting(world.branch_admin)
    tasks.run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportStatus.FAILED, "您当前的角色无权导入党员")
    assert not job.file


# Background jobs


def _queued(user, *rows) -> MemberImport:
    """A job as the upload page leaves it for the worker."""
    content = xlsx(*rows).getvalue()
    job = MemberImport.objects.create(
        organization=user.home_organization,
        created_by=user,
        file=SimpleUploadedFile("大表.xlsx", content),
        file_name="大表.xlsx",
    )
    return job


def test_a_large_upload_is_queued_and_the_page_polls_its_progress(world, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(imports, "INLINE_BYTES", 0)
    client = world.client(world.branch_admin)
    upload(client, line(), person(1))
    job = job_of(world.branch_admin)
    assert job.status == ImportStatus.QUEUED  # waits for the worker (manage.py db_worker)
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).exists()
    page = client.get(reverse("members:import_detail", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("members:import_progress", args=[job.pk])}"' in page
    assert 'hx-trigger="every 1s"' in page
    tasks.run_import(job.pk)  # what the worker does
    job.refresh_from_db()
    assert (job.status, job.created_count, job.processed_rows) == (ImportStatus.DONE, 2, 2)
    polled = client.get(reverse("members:import_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert (polled.status_code, polled["HX-Refresh"]) == (204, "true")  # the page reloads to the result


def test_progress_is_saved_chunk_by_chunk_and_a_job_runs_once(world, monkeypatch):
    monkeypatch.setattr(imports.base, "CHUNK", 2)
    seen: list[tuple[str, int, int]] = []
    original = tasks._progress

    def spy(job_id, report):
        original(job_id, report)
        job = MemberImport.objects.get(pk=job_id)
        seen.append((job.status, job.processed_rows, job.total_rows))

    monkeypatch.setattr(tasks, "_progress", spy)
    job = _queued(world.branch_admin, *(person(n) for n in range(5)))
    tasks.run_member_import.enqueue(job.pk)  # the ImmediateBackend runs it now
    assert seen == [("running", 2, 5), ("running", 4, 5), ("running", 5, 5)]
    job.refresh_from_db()
    assert (job.status, job.created_count, job.total_rows) == (ImportStatus.DONE, 5, 5)
    tasks.run_import(job.pk)  # delivered again: nothing happens
    assert Member.objects.filter(name__startswith="测试").count() == 5


def test_an_unexpected_error_fails_the_job_and_still_deletes_the_upload(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "import_members", broken)
    job = _queued(world.branch_admin, line())
    path = job.file.path
    tasks.run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportStatus.FAILED, tasks.UNEXPECTED)
    import os

    assert not os.path.exists(path)


def test_numbers_of_the_report_are_kept_masked_on_the_job(world):
    upload(world.client(world.branch_admin), line(phone="138123456"), person(1, id_number=BAD_NUMBER))
    job = job_of(world.branch_admin)
    shown = {error["column"]: error["value"] for error in job.errors}
    assert shown == {"联系电话": "138**3456", "公民身份号码": "4301**********0810"}


@pytest.mark.parametrize("rows", [0, 1])
def test_a_sheet_read_in_streaming_mode_gives_the_same_result(world, monkeypatch, rows):
    monkeypatch.setattr(excel, "WHOLE_SHEET_BYTES", 0)  # openpyxl read-only, kept rows on disk
    extra = [line(id_number=make_id_number("1975-01-01", male=False, sequence=70), name="王五")] * rows
    report = imports.import_members(actor=world.branch_admin, file=xlsx(person(1), [None] * 3, person(2), *extra))
    assert report.ok, report.problems
    assert report.created == 2 + rows


@pytest.mark.parametrize("reader", ["pieces", "whole"])
def test_a_sheet_read_in_pieces_gives_the_same_report_and_members(world, monkeypatch, reader):
    if reader == "pieces":
        monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", 2000)  # a few rows a piece
    monkeypatch.setattr(imports.base, "CHUNK", 7)
    rows = [person(n) for n in range(40)]
    rows[33] = person(33, joined_date="2099-01-01")  # row 36 (after the header and a blank row), late
    file = xlsx(*rows[:20], [None] * 3, *rows[20:])
    assert excel.read_sheet(file, imports.SHEET).streaming == (reader == "pieces")
    report = imports.import_members(actor=world.branch_admin, file=file)
    assert (report.rows, report.created, report.problem_rows) == (40, 0, 1)
    assert [(p.row, p.column, p.reason) for p in report.problems] == [(36, "入党日期", "入党日期不能晚于今天")]
    assert not Member.objects.filter(name__startswith="测试").exists()
    rows[33] = person(33)
    report = imports.import_members(actor=world.branch_admin, file=xlsx(*rows))
    assert report.ok and report.created == 40
    assert set(Member.objects.filter(name__startswith="测试").values_list("name", flat=True)) == {
        f"测试{n}" for n in range(40)
    }
