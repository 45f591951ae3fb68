"""The workbooks around a member import: the template to fill, and the copy of a failed upload
with its bad cells marked."""

from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dangjian.core.excel import TEXT_FORMAT, add_list_validation, cell_text, read_sheet, set_widths, write_annotated

from .imports import CHOICES, COLUMNS, DATES, SHEET, ImportReport, blank

WHOLE_COPY_ROWS = 20_000  # the marked copy holds every row up to this size, else the bad rows only


def annotated_workbook(file: str | IO[bytes], report: ImportReport, target: IO[bytes]) -> bool:
    """The uploaded sheet again, bad cells filled and each bad row's reasons in an added column
    (only the bad rows when the sheet is large); False when no problem names a row."""
    titles = [cell_text(value) for value in report.header]
    index_of = {title: index for index, title in reversed(list(enumerate(titles))) if title}
    by_row: dict[int, list[tuple[int, str]]] = {}
    for problem in report.problems:
        if problem.row is not None:
            reason = f"{problem.column}：{problem.reason}" if problem.column else problem.reason
            by_row.setdefault(problem.row, []).append((index_of.get(problem.column, -1), reason))
    if not by_row:
        return False
    sheet = read_sheet(file, SHEET)
    data = ((n, values) for n, values in sheet.rows if n > report.header_row and not blank(values))
    write_annotated(
        target,
        title=SHEET,
        header=report.header,
        rows=data,
        problems=by_row,
        only_problem_rows=report.rows > WHOLE_COPY_ROWS,
    )
    return True


WIDTHS = {"所在党组织代码": 30, "姓名": 10, "公民身份号码": 21, "工作单位及职务": 24, "家庭住址": 28, "职业类别": 20}
TEXT_COLUMNS = ("organization_code", "id_number", "phone", *DATES)  # kept as typed: 0731…, 2005.08
NOTES = {
    "organization_code": (
        "从下拉列表选择党员所在的党支部（或经批准直接管理党员的党委、党总支），列表为您管理范围内可编入党员的组织；"
        "也可只填组织代码"
    ),
    "name": "不超过50个字",
    "id_number": "18位公民身份号码（或15位旧号码），全系统唯一；请保持本列为文本格式",
    "gender": "可不填：按公民身份号码第17位确定",
    "ethnicity": "可不填：默认汉族",
    "birth_date": "可不填：按公民身份号码确定；填写时须与号码一致",
    "education": "从下拉列表选择",
    "category": "正式党员或预备党员",
    "joined_date": "入党时须年满18周岁",
    "regularized_date": "正式党员必填，不早于入党日期满一年之日；预备党员不填",
    "status": "可不填：默认正常；其他状态须填写状态变更日期",
    "left_reason": "仅党籍状态为出党时填写",
    "is_central_household": "是或否，可不填（否）",
    "since": "可不填：默认为入党日期，或该组织成立日期（如更晚）",
}
# The example: a made-up person whose cells pass every check (the number's check character, the
# gender and birth date it encodes, 18 at joining, a year of probation). The organization is the
# user's own, filled in by ``template_workbook``.
EXAMPLE = {
    "name": "张三",
    "id_number": "430122197003150019",
    "gender": "男",
    "ethnicity": "汉族",
    "native_place": "湖南长沙",
    "birth_date": "1970-03-15",
    "education": "高中、中技",
    "occupation": "农牧渔民",
    "phone": "13812345678",
    "category": "正式党员",
    "joined_date": "2000-07-01",
    "regularized_date": "2001-07-01",
    "status": "正常",
    "is_central_household": "否",
}


EXAMPLE_SHEET = "示例"


def organization_option(code: str, name: str) -> str:
    """How an organization appears in the template's drop-down (the importer reads the code)."""
    return f"{code} {name}"


def example_row(organization: str) -> list[str]:
    """The example in the template's column order, for ``organization`` (an option of the list)."""
    values = EXAMPLE | {"organization_code": organization}
    return [values.get(column.field, "") for column in COLUMNS]


def template_workbook(target: IO[bytes], organizations: list[tuple[str, str]]) -> None:
    """The import template for one user: the headers, drop-down lists for the coded columns
    (labels of the choices) and for the organizations (``(code, name)``: those the user may
    register members in), text format where Excel would otherwise turn what is typed into a
    number, and a sheet of instructions, and an example row placed in the user's first organization.

    The example has a sheet of its own, not a row of the data sheet: an example left there by
    mistake would register a person who does not exist. Copied into the data sheet, it imports."""
    options = [organization_option(code, name) for code, name in organizations]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([column.header for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    set_widths(sheet, [WIDTHS.get(column.header, 12) for column in COLUMNS])
    sheet.freeze_panes = "C2"
    for index, column in enumerate(COLUMNS, start=1):
        if column.field in TEXT_COLUMNS:
            sheet.column_dimensions[get_column_letter(index)].number_format = TEXT_FORMAT
        if column.field == "organization_code" and options:
            add_list_validation(sheet, index, options)
        elif column.field in CHOICES:
            add_list_validation(sheet, index, [str(label) for label in CHOICES[column.field].labels])
        elif column.field == "is_central_household":
            add_list_validation(sheet, index, ["是", "否"])
    example = example_row(options[0] if options else "")
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "必填", "填写要求", "示例"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column, value in zip(COLUMNS, example, strict=True):
        notes.append([column.header, "是" if column.required else "", NOTES.get(column.field, ""), value])
    notes.append([])
    notes.append(["日期可写作 2005-08-01、2005/8/1、2005.8.1、2005年8月1日；只知道月份时写 2005.08 或 2005年8月。"])
    notes.append(["任何一行有问题，整个文件都不导入；系统会列出每个有问题的单元格，并可下载标注了错误的工作簿。"])
    notes.append(["请从“党员信息”表第2行起逐行填写；“示例”表有一行填好的示例（虚构人员），可复制过来对照修改。"])
    set_widths(notes, [16, 6, 70, 22])
    sample = workbook.create_sheet(EXAMPLE_SHEET)
    sample.append([column.header for column in COLUMNS])
    for cell in sample[1]:
        cell.font = Font(bold=True)
    sample.append(example)
    for cell in sample[2]:
        cell.number_format = TEXT_FORMAT
    set_widths(sample, [WIDTHS.get(column.header, 12) for column in COLUMNS])
    workbook.save(target)
