"""What every part of the member import shares: the template's sheet and columns (``COLUMNS`` and
the positions, labels, choice lists and date kinds derived from them), the limits (``CHUNK``,
``FIRST_CHUNK``, ``KEEP_PROBLEMS``; ``SHOW_PROBLEMS`` and ``INLINE_BYTES`` for the job in
``members.tasks``), the messages of the file as a whole (``NO_ROWS``, ``ID_ELSEWHERE``, ``RACE``)
and the small helpers that turn a choice list into its mapping and its message. The other
submodules read ``CHUNK``, ``FIRST_CHUNK`` and ``KEEP_PROBLEMS`` as ``base.NAME`` at run time, so
that one patch of this module (a test's smaller chunks) reaches every use.
"""

from dataclasses import dataclass
from typing import Any

from dangjian.core.dates import DateKind
from dangjian.core.enums import Degree, Education, Ethnicity, Gender, Occupation

from .. import services
from ..models import Category, LeftReason, Status

SHEET = "党员信息"


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header in the template's first row
    field: str  # the create_member argument ("organization_code" and "since" are special)
    required: bool = False


# The template's columns, in order. The importer finds columns by header, so a sheet with the
# columns in another order, or with extra columns, still reads.
COLUMNS = (
    Column("所在党组织代码", "organization_code", required=True),
    Column("姓名", "name", required=True),
    Column("公民身份号码", "id_number", required=True),
    Column("性别", "gender"),
    Column("民族", "ethnicity"),
    Column("籍贯", "native_place"),
    Column("出生日期", "birth_date"),
    Column("学历", "education", required=True),
    Column("学位", "degree"),
    Column("职业类别", "occupation"),
    Column("工作单位及职务", "job"),
    Column("联系电话", "phone"),
    Column("家庭住址", "address"),
    Column("人员类别", "category", required=True),
    Column("入党日期", "joined_date", required=True),
    Column("转正日期", "regularized_date"),
    Column("党籍状态", "status"),
    Column("状态变更日期", "status_date"),
    Column("出党方式", "left_reason"),
    Column("党员中心户", "is_central_household"),
    Column("到本组织日期", "since"),
)
HEADER = {column.field: column.header for column in COLUMNS}
FIELDS = tuple(column.field for column in COLUMNS)
REQUIRED = tuple(column for column in COLUMNS if column.required)
POSITION = {column.field: index for index, column in enumerate(COLUMNS)}
COLUMN_ORDER = {column.header: index for index, column in enumerate(COLUMNS)}
REQUIRED_AT = tuple(POSITION[column.field] for column in REQUIRED)
DATES = ("birth_date", "joined_date", "regularized_date", "status_date", "since")
CHOICES: dict[str, type[Any]] = {
    "gender": Gender,
    "ethnicity": Ethnicity,
    "education": Education,
    "degree": Degree,
    "occupation": Occupation,
    "category": Category,
    "status": Status,
    "left_reason": LeftReason,
}
YES_NO = {"是": True, "否": False, "": False}
DATE_AT = tuple((name, POSITION[name]) for name in DATES)
DATE_KINDS = dict.fromkeys(DATES, DateKind.EVENT) | {"birth_date": DateKind.BIRTH}
TEXT_LIMITS = tuple(
    (name, POSITION[name], label, limit) for name, (label, limit) in services.TEXT_LIMITS.items() if name in POSITION
)
CENTRAL_AT, REGULARIZED_AT, STATUS_DATE_AT = (
    POSITION[name] for name in ("is_central_household", "regularized_date", "status_date")
)
NORMAL, HAN = Status.NORMAL.value, Ethnicity.HAN.value

CHUNK = 5000  # rows checked together: one query for their organizations, one batch of rows to write
FIRST_CHUNK = 1000
KEEP_PROBLEMS = 100_000  # problems kept in detail (for the annotated workbook); all are counted
SHOW_PROBLEMS = 1000  # of which the job keeps this many for its page
INLINE_BYTES = 2 * 2**20  # a sheet unpacking to at most this (about 2,000 rows) is imported in the request
PERIOD_REASON = "登记入册（导入）"
NO_ROWS = f"“{SHEET}”表中没有要导入的党员：请从第2行起每行填写一名党员（可参照模板中“示例”表的示例行）"
ID_ELSEWHERE = "该公民身份号码已在其他党组织登记，一人只能有一条党员记录"
RACE = "导入时有公民身份号码刚被登记为党员（可能有人同时录入了同一人），未导入任何数据，请重新上传"


def _choice_map(enum: type[Any]) -> dict[str, str]:
    """Label or code → code; 民族 also without its final 族 (汉, 土家)."""
    mapping: dict[str, str] = {}
    for choice in enum:
        mapping[str(choice.value)] = str(choice.value)
        mapping[str(choice.label)] = str(choice.value)
        if enum is Ethnicity and str(choice.label).endswith("族"):
            mapping.setdefault(str(choice.label)[:-1], str(choice.value))
    return mapping


def _choice_problem(name: str, enum: type[Any]) -> str:
    """The message for a value outside the list ("{}" is the value); short lists are spelled out."""
    label = services.CHOICES[name][1]
    labels = "、".join(str(choice.label) for choice in enum)
    if len(labels) > 80:
        return f"{label}“{{}}”不在可选范围内，请从模板的下拉列表中选择"
    return f"{label}“{{}}”不在可选范围内，可填：{labels}"
