"""The member import (党员信息导入) of a 10^5-row .xlsx, against what bounds it and what it replaces.

Measured in the same run, each in a fresh process of its own (so that its peak memory is its own):
- floor: python-calamine reading every cell of the file and nothing more;
- openpyxl: openpyxl's read-only pass over the same cells (the usual reader);
- dangjian: ``members.imports.import_members``: read, validate every row, write (COPY), commit;
- the floor and ours again on the same rows saved by an office suite (``bench.office``:
  LibreOffice's shared strings, styles and row attributes, as users' files have them, where the
  generated file has inline strings only);
- django-import-export, the usual Django way, importing the same file into the same model: its
  default path (one save per row) and with ``use_bulk``.

The floor and ours run three times each (the median is shown), the slow ones once. Every run of
ours must create every row, from either file. The table
is followed by issue 5's targets, the one in seconds scaled by openpyxl's pass to this machine.

The file holds valid, new members (ID numbers of a region the county does not use) spread over 50
branches of the bench county; every import is removed again afterwards, so runs repeat.
Run alone: ``python -m bench.member_import --rows 100000`` (after ``make bench`` has built the county);
``--profile`` adds one more run of ours on each file with its time by part (CPU per thread and of the writer's
PostgreSQL backend, waits), which is where to start when making it faster.
"""

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REGION = "650102"  # 乌鲁木齐市天山区: not a region of the synthetic county
BRANCHES = 50
REPEAT = 3
# Issue 5's target, from figures taken on this machine's size when it was written: 10^5 rows in
# ≤ 5 s where openpyxl's read-only pass took about 12 s, and ≥ 30× django-import-export's default path.
TARGET_SECONDS, OPENPYXL_THEN, TARGET_SPEEDUP = 5.0, 12.0, 30.0


def sample_path(rows: int) -> Path:
    return ROOT / "var" / "bench" / f"members-{rows}.xlsx"


def write_sample(path: Path, rows: int, codes: list[str]) -> None:
    """A workbook in the template's layout, as a branch would fill it (dates typed as text in
    several of the accepted forms, codes as labels)."""
    from openpyxl import Workbook

    from dangjian.core.idnumber import check_character
    from dangjian.demo import names
    from dangjian.members.imports import COLUMNS, SHEET

    rng = random.Random(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    sheet.append([column.header for column in COLUMNS])
    issued: set[str] = set()
    forms = ("{:%Y-%m-%d}", "{:%Y/%m/%d}", "{:%Y.%m.%d}", "{:%Y年%m月%d日}")
    for index in range(rows):
        female = rng.random() < 0.3
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 50))
        while True:
            first17 = f"{REGION}{birth:%Y%m%d}{rng.randrange(0, 500) * 2 + (0 if female else 1):03d}"
            number = first17 + check_character(first17)
            if number not in issued:
                issued.add(number)
                break
        joined = birth.replace(year=birth.year + 20, day=1)
        regularized = joined.replace(year=joined.year + 1)
        name = rng.choice(names.SURNAMES) + rng.choice(names.FEMALE_GIVEN if female else names.MALE_GIVEN)
        values = {
            "organization_code": codes[index % len(codes)],
            "name": name,
            "id_number": number,
            "gender": "女" if female else "男",
            "ethnicity": "汉族",
            "native_place": "新疆乌鲁木齐",
            "birth_date": rng.choice(forms).format(birth),
            "education": rng.choice(("大学本科", "大学专科", "高中、中技", "初中")),
            "degree": "",
            "occupation": rng.choice(("工人（工勤技能人员）", "农牧渔民", "离退休人员")),
            "job": "",
            "phone": f"139{rng.randrange(10**8):08d}",
            "address": "",
            "category": "正式党员",
            "joined_date": rng.choice(forms).format(joined),
            "regularized_date": rng.choice(forms).format(regularized),
            "status": "正常",
            "status_date": "",
            "left_reason": "",
            "is_central_household": "否",
            "since": "",
        }
        sheet.append([values[column.field] or None for column in COLUMNS])
    workbook.save(path)


# One measurement, in this process -----------------------------------------------------------------


def _floor(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    return sum(1 for row in sheet.iter_rows() if row) - 1


def _openpyxl(path: Path) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    return sum(1 for _ in workbook.worksheets[0].iter_rows(min_row=2, values_only=True))


def _ours(path: Path, user: Any) -> int:
    from dangjian.members.imports import import_members

    report = import_members(actor=user, file=str(path))
    if not report.ok or report.created != report.rows:
        raise SystemExit(
            f"{path.name}: {report.created:,} of {report.rows:,} rows created, {report.problem_count:,} problems "
            f"{report.problems[:3]} {report.message}"
        )
    return report.created


def _ours_profiled(path: Path, user: Any) -> dict[str, float]:
    """Our import once, with where its time went: CPU of the checking thread, of the writer thread
    and of the writer's PostgreSQL backend (read from /proc: the server must run on this machine),
    and how long the checking waited for the writer (the queue full: PostgreSQL behind)."""
    import threading

    from django.db import connection

    from dangjian.core import bulk
    from dangjian.members.imports import import_members

    seen: dict[str, float] = {"waited": 0.0}
    original_init, original_add = bulk.ConcurrentBatches.__init__, bulk.ConcurrentBatches.add

    def backend_cpu(pid: int) -> float:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def init(self: Any, write: Any, finish: Any) -> None:
        def first_write(batch: Any) -> int:
            if "pid" not in seen:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    seen["pid"] = cursor.fetchone()[0]
            return int(write(batch))

        def last(total: int) -> None:
            finish(total)
            seen["writer"] = time.thread_time()  # the writer thread's CPU since it started
            seen["backend"] = backend_cpu(int(seen["pid"]))

        original_init(self, first_write, last)

    def add(self: Any, batch: Any) -> None:
        started = time.perf_counter()
        original_add(self, batch)
        seen["waited"] += time.perf_counter() - started

    bulk.ConcurrentBatches.__init__ = init  # type: ignore[method-assign]
    bulk.ConcurrentBatches.add = add  # type: ignore[method-assign]
    assert threading.current_thread() is threading.main_thread()
    started, cpu = time.perf_counter(), time.thread_time()
    report = import_members(actor=user, file=str(path))
    wall, main_cpu = time.perf_counter() - started, time.thread_time() - cpu
    if report.problems:
        raise SystemExit(f"the sample has problems: {report.problems[:3]}")
    return {
        "wall": wall,
        "read": report.timings["read"],
        "checking thread CPU": main_cpu,
        "writer thread CPU": seen["writer"],
        "PostgreSQL writer backend CPU": seen["backend"],
        "checking waited for the writer": seen["waited"],
        "after the last row was checked": report.timings["write"],
    }


def _import_export(path: Path, user: Any, bulk: bool) -> int:
    """django-import-export as its documentation shows it: a ModelResource naming the columns,
    a ForeignKeyWidget for the organization code, the derived fields filled before each save."""
    import tablib
    from django.db import transaction
    from import_export import fields, resources, widgets

    from dangjian.core.dates import parse_date
    from dangjian.core.enums import Education, Gender, Occupation
    from dangjian.core.pinyin import name_keys
    from dangjian.members.models import Category, Member, Status
    from dangjian.orgs.models import Organization

    labels = {
        choice.label: choice.value for enum in (Gender, Education, Occupation, Category, Status) for choice in enum
    }

    class ChoiceWidget(widgets.Widget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return labels.get(value, value) if value else ""

    class DateWidget(widgets.Widget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return parse_date(value) if value else None

    def column(attribute: str, header: str, widget: Any = None) -> fields.Field:
        return fields.Field(attribute=attribute, column_name=header, widget=widget or widgets.CharWidget())

    class MemberResource(resources.ModelResource):
        organization = column("organization", "所在党组织代码", widgets.ForeignKeyWidget(Organization, "code"))
        name = column("name", "姓名")
        id_number = column("id_number", "公民身份号码")
        gender = column("gender", "性别", ChoiceWidget())
        native_place = column("native_place", "籍贯")
        birth_date = column("birth_date", "出生日期", DateWidget())
        education = column("education", "学历", ChoiceWidget())
        occupation = column("occupation", "职业类别", ChoiceWidget())
        phone = column("phone", "联系电话")
        category = column("category", "人员类别", ChoiceWidget())
        joined_date = column("joined_date", "入党日期", DateWidget())
        regularized_date = column("regularized_date", "转正日期", DateWidget())
        status = column("status", "党籍状态", ChoiceWidget())

        class Meta:
            model = Member
            import_id_fields: tuple[str, ...] = ()
            fields = (
                "organization",
                "name",
                "id_number",
                "gender",
                "native_place",
                "birth_date",
                "education",
                "occupation",
                "phone",
                "category",
                "joined_date",
                "regularized_date",
                "status",
            )
            use_bulk = bulk
            batch_size = 1000
            skip_diff = bulk
            use_transactions = True

        def get_instance(self, instance_loader: Any, row: Any) -> None:
            return None  # every row is a new member

        def before_save_instance(self, instance: Member, row: Any, **kwargs: Any) -> None:
            instance.name_pinyin, instance.name_initials = name_keys(instance.name)
            instance.org_path = instance.organization.path
            for key, value in (Member.id_columns(instance.id_number) | Member.phone_columns(instance.phone)).items():
                setattr(instance, key, value)

    with open(path, "rb") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="xlsx")
    with transaction.atomic():
        result = MemberResource().import_data(dataset, dry_run=False, raise_errors=True)
    return int(result.totals["new"])


def measure(what: str, path: Path, username: str) -> dict[str, Any]:
    user = None
    if what not in ("floor", "openpyxl"):
        from dangjian.core.models import User

        user = User.objects.get(username=username)
    if what == "profile":
        return {"what": what, "parts": _ours_profiled(path, user)}
    started = time.perf_counter()
    if what == "floor":
        rows = _floor(path)
    elif what == "openpyxl":
        rows = _openpyxl(path)
    elif what == "dangjian":
        rows = _ours(path, user)
    else:
        rows = _import_export(path, user, bulk=what == "import-export-bulk")
    seconds = time.perf_counter() - started
    return {"what": what, "rows": rows, "seconds": seconds, "peak_mib": _peak_kib() / 1024}


def _peak_kib() -> int:
    """This process's peak resident memory. Linux's ru_maxrss is carried across exec, so in a child
    of the bench it is at least the bench's own peak; VmHWM belongs to the program exec'd."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# The comparison, from the bench's process ---------------------------------------------------------


LABELS = {
    "floor": "python-calamine read only (the floor)",
    "openpyxl": "openpyxl read-only pass (reference)",
    "dangjian": "dangjian import: read, validate, COPY, commit",
    "floor office": "python-calamine read only, LibreOffice-saved",
    "dangjian office": "dangjian import, LibreOffice-saved",
    "import-export-bulk": "django-import-export, use_bulk",
    "import-export": "django-import-export, default (a save per row)",
}


def run(rows: int, database_url: str, with_import_export: bool, with_default_path: bool, profile: bool = False) -> None:
    from django.db import connection

    from bench.office import converted
    from bench.scenarios import bench_user
    from dangjian.orgs.models import Organization, OrgKind

    admin = bench_user("bench_county", Organization.objects.get(depth=1))
    path = sample_path(rows)
    branches = Organization.objects.filter(
        kind=OrgKind.BRANCH, abolished_date__isnull=True, deleted_at__isnull=True
    ).order_by("path")
    codes = list(branches.values_list("code", flat=True)[:BRANCHES])
    if not path.exists():
        print(f"writing the {rows:,}-row sample workbook …", flush=True)
        write_sample(path, rows, codes)
    office = converted(path)  # the same rows saved by LibreOffice, or why there is none
    files = {"generated": path} | ({"LibreOffice-saved": office} if isinstance(office, Path) else {})
    # (the row's name, what is measured, on which file)
    plan = [("floor", "floor", path), ("openpyxl", "openpyxl", path), ("dangjian", "dangjian", path)]
    if isinstance(office, Path):
        plan += [("floor office", "floor", office), ("dangjian office", "dangjian", office)]
    if with_import_export:
        plan.append(("import-export-bulk", "import-export-bulk", path))
        if with_default_path:
            plan.append(("import-export", "import-export", path))
    results = []
    for name, what, file in plan:
        # The quick ones run REPEAT times (the median is kept): one run on a busy machine says little.
        runs = []
        for _ in range(REPEAT if what in ("floor", "dangjian") else 1):
            top = _top_member_id(connection)
            try:
                runs.append(_in_subprocess(what, file, admin.username, database_url))
            finally:
                _remove_members_after(connection, top)
        if wrong := [run["rows"] for run in runs if run["rows"] != rows]:
            raise SystemExit(f"{LABELS[name]}: {wrong[0]:,} rows of {file.name}, not {rows:,}")
        runs.sort(key=lambda run: run["seconds"])
        results.append(runs[len(runs) // 2] | {"what": name, "runs": len(runs)})
    _print(rows, files, results, office if isinstance(office, str) else "")
    if profile:
        parts = {}
        for label, file in files.items():
            top = _top_member_id(connection)
            try:
                parts[label] = _in_subprocess("profile", file, admin.username, database_url)["parts"]
            finally:
                _remove_members_after(connection, top)
        print("where our import's time went (one more run per file; CPU seconds per thread and backend):")
        print()
        print(f"| {'part':<40} |" + "".join(f" {label:>17} |" for label in parts))
        print(f"|{'-' * 42}|" + "".join(f"{'-' * 19}|" for _ in parts))
        for part in parts["generated"]:
            print(f"| {part:<40} |" + "".join(f" {seconds[part]:>17.2f} |" for seconds in parts.values()))
        print()


def _in_subprocess(what: str, path: Path, username: str, database_url: str) -> dict[str, Any]:
    env = os.environ | {"DATABASE_URL": database_url, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "dangjian.settings"}
    command = [sys.executable, "-m", "bench.member_import", "--measure", what, "--file", str(path), "--user", username]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _top_member_id(connection: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM members_member")
        return int(cursor.fetchone()[0])


def _remove_members_after(connection: Any, top: int) -> None:
    """Take an import out again, so that every run imports into the same county."""
    with connection.cursor() as cursor:
        for table in ("members_statusperiod", "members_membershipperiod", "members_historicalmember"):
            column = "id" if table == "members_historicalmember" else "member_id"
            cursor.execute(f"DELETE FROM {table} WHERE {column} > %s", [top])
        cursor.execute("DELETE FROM members_member WHERE id > %s", [top])
        cursor.execute("SELECT setval(pg_get_serial_sequence('members_member', 'id'), %s)", [max(top, 1)])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE members_member, members_membershipperiod, members_statusperiod")


def _print(rows: int, files: dict[str, Path], results: list[dict[str, Any]], office_missing: str) -> None:
    by_name = {result["what"]: result for result in results}
    ours = by_name["dangjian"]
    sizes = ", ".join(f"{label} {file.stat().st_size / 2**20:.1f} MiB" for label, file in files.items())
    print()
    print(f"member import: {rows:,} rows, .xlsx {sizes}, PostgreSQL, one process each")
    print()
    print(f"| {'what':<48} | {'seconds':>8} | {'rows/s':>9} | {'peak MiB':>8} | {'÷ floor':>7} | {'÷ ours':>7} |")
    print(f"|{'-' * 50}|{'-' * 10}|{'-' * 11}|{'-' * 10}|{'-' * 9}|{'-' * 9}|")
    for result in results:
        seconds = result["seconds"]
        # Each file's rows against that file's floor; all against ours on the generated file.
        floor = by_name["floor office" if result["what"].endswith(" office") else "floor"]
        print(
            f"| {LABELS[result['what']]:<48} | {seconds:>8.2f} | {result['rows'] / seconds:>9,.0f} "
            f"| {result['peak_mib']:>8.0f} | {seconds / floor['seconds']:>7.1f} | {seconds / ours['seconds']:>7.2f} |"
        )
        if result["what"] == "dangjian" and office_missing:
            print(f"| {LABELS['dangjian office']:<48} | {office_missing} |")
    print()
    print(f"floor and ours: median of {ours['runs']} runs each; the others: one run")
    if "dangjian office" in by_name:
        slower = by_name["dangjian office"]["seconds"] / ours["seconds"]
        print(f"ours on the LibreOffice-saved file ÷ on the generated one: {slower:.2f}×")
    if "openpyxl" in by_name:
        # The machine's speed, read off openpyxl's pass, scales the target in seconds.
        scaled = TARGET_SECONDS * by_name["openpyxl"]["seconds"] / OPENPYXL_THEN
        print(
            f"target ≤ {TARGET_SECONDS:.0f} s where openpyxl takes {OPENPYXL_THEN:.0f} s: here ≤ {scaled:.2f} s; "
            f"ours {ours['seconds']:.2f} s"
        )
    if "import-export" in by_name:
        speedup = by_name["import-export"]["seconds"] / ours["seconds"]
        print(f"target ≥ {TARGET_SPEEDUP:.0f}× django-import-export's default path: {speedup:.1f}×")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.member_import", description=__doc__.splitlines()[0])
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-import-export", action="store_true")
    parser.add_argument("--skip-default-path", action="store_true", help="django-import-export with use_bulk only")
    parser.add_argument("--profile", action="store_true", help="then one more run of ours per file, timed by part")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    if args.measure:
        import django

        django.setup()
        print(json.dumps(measure(args.measure, Path(args.file), args.user)))
        return
    from bench.__main__ import DEFAULT_URL

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"], os.environ["DEBUG"] = url, "0"
    import django

    django.setup()
    run(args.rows, url, not args.skip_import_export, not args.skip_default_path, args.profile)


if __name__ == "__main__":
    main()
