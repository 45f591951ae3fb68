"""Excel import of members (党员信息导入): the template's sheet read, every row validated, every
row created or none. (Being written: see the module's functions below for the interface.)"""

from dataclasses import dataclass

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
