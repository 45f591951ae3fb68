"""The bench's sample workbook as an office suite saves it: converted by LibreOffice headless.

openpyxl's write-only workbook holds inline strings and no styles; a file saved by Excel, WPS or
LibreOffice holds shared strings, styles and attributes on every row, and that is what users
upload. LibreOffice's conversion keeps text cells text (an .xlsx is not re-parsed the way a
.csv would be), which ``converted`` checks cell by cell before the file is kept: a number or date
where the generated file has text would make the two imports different work.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

MISSING = "LibreOffice 未安装/not installed: apt-get install libreoffice-calc-nogui"
FILTER = "xlsx:Calc MS Excel 2007 XML"
TIMEOUT = 900  # seconds: 10^5 rows convert in well under a minute


def office_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}-libreoffice.xlsx")


def converted(source: Path) -> Path | str:
    """The LibreOffice-saved copy of ``source``, next to it (converted again when ``source`` is
    newer), or why there is none."""
    target = office_path(source)
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return target
    soffice = shutil.which("soffice")
    if soffice is None:
        return MISSING
    print(f"converting {source.name} with LibreOffice …", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-soffice-") as scratch:
        # A profile of its own: soffice hands a conversion to any instance already running on the
        # same profile (someone's desktop, another bench), or waits for its lock.
        command = [
            soffice,
            f"-env:UserInstallation={Path(scratch, 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--calc",
            "--convert-to",
            FILTER,
            "--outdir",
            scratch,
            str(source),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        output = Path(scratch, source.name)
        if done.returncode != 0 or not output.exists():
            raise SystemExit(f"LibreOffice could not convert {source}:\n{done.stdout}{done.stderr}")
        _check_same_cells(source, output)
        partial = target.with_suffix(".partial")
        shutil.copyfile(output, partial)
        os.replace(partial, target)  # never a half-written file under the cached name
    return target


def _check_same_cells(source: Path, copy: Path) -> None:
    """Every cell of ``copy`` as in ``source``, of the same type (text stays text)."""
    from python_calamine import CalamineWorkbook

    sheets = [CalamineWorkbook.from_path(str(path)) for path in (source, copy)]
    if sheets[0].sheet_names != sheets[1].sheet_names:
        raise SystemExit(f"LibreOffice changed the sheets: {sheets[0].sheet_names} → {sheets[1].sheet_names}")
    first = [sheet.get_sheet_by_index(0) for sheet in sheets]
    sizes = [(sheet.height, sheet.width) for sheet in first]
    if sizes[0] != sizes[1]:
        raise SystemExit(f"LibreOffice changed the sheet's size (rows, columns): {sizes[0]} → {sizes[1]}")
    for number, (ours, theirs) in enumerate(zip(*(sheet.iter_rows() for sheet in first), strict=True), start=1):
        if ours != theirs:
            cells = [
                f"{chr(ord('A') + column)}{number}: {mine!r} → {saved!r}"
                for column, (mine, saved) in enumerate(zip(ours, theirs, strict=False))
                if mine != saved or type(mine) is not type(saved)
            ]
            raise SystemExit(f"LibreOffice changed cells of {source.name}: {cells[:5] or (ours, theirs)}")
