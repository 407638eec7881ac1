"""The .xls and .ods sheets township staff have, turned into the xlsx every import reads.

``SheetReader`` streams an xlsx; an .xls (Excel 97-2003, WPS) or .ods (LibreOffice, WPS) is first converted to a
temporary xlsx by python-calamine in a child process, so the whole-sheet memory calamine needs is the child's and
is given back when it exits (and bounded: the child limits its own address space). The xlsx keeps every cell in its
row and column, so the check reports the same row numbers and column letters as for the same sheet saved as xlsx,
and text stays text (a cell starting with "=" is never made a formula).

``households.sheet_reader.sheet_opened`` opens any of the three as an xlsx. The child is
``python -m households.sheet_convert SOURCE TARGET``: it needs no Django.
"""

import os
import resource
import subprocess
import sys
from pathlib import Path, PurePath

# The extensions an import accepts, and those read through the conversion.
SHEET_EXTENSIONS = (".xlsx", ".xls", ".ods")
CONVERTED_EXTENSIONS = (".xls", ".ods")
# The child's address-space limit: a 100,000-row sheet converts in well under a quarter of this.
CONVERT_MEMORY_BYTES = 2 << 30
CONVERT_SECONDS = 900
# The child's exit codes for a file it cannot read and for one too large to convert.
EXIT_UNREADABLE, EXIT_TOO_LARGE = 3, 4


class SheetUnconvertible(Exception):
    """The child could not turn the file into an xlsx; ``too_large`` when it ran out of its memory or time."""

    def __init__(self, *, too_large: bool):
        super().__init__("too large" if too_large else "unreadable")
        self.too_large = too_large


def sheet_extension(name: str) -> str:
    return PurePath(name or "").suffix.lower()


def sheet_convert(source: Path, target: Path) -> None:
    """Convert ``source`` (.xls or .ods) to the xlsx ``target`` in a child process; ``SheetUnconvertible``."""
    root = Path(__file__).resolve().parent.parent
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "households.sheet_convert", str(source), str(target)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            capture_output=True,
            timeout=CONVERT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise SheetUnconvertible(too_large=True) from error
    if finished.returncode == EXIT_UNREADABLE:
        raise SheetUnconvertible(too_large=False)
    if finished.returncode != 0:  # EXIT_TOO_LARGE, or killed when it went over its memory
        raise SheetUnconvertible(too_large=True)


def _rows_write(source: str, target: str) -> None:
    import python_calamine
    from openpyxl import Workbook

    from organisation.sheets import text_safe

    try:
        sheet = python_calamine.CalamineWorkbook.from_path(source).get_sheet_by_index(0)
    except MemoryError:
        raise
    except Exception:
        sys.exit(EXIT_UNREADABLE)
    book = Workbook(write_only=True)
    out = book.create_sheet()
    # calamine's rows begin at the sheet's first row but at the first column that holds a value.
    skipped = [None] * sheet.start[1] if sheet.start else []
    for values in sheet.iter_rows():
        row = [None if value == "" else text_safe(out, value) for value in values]
        while row and row[-1] is None:
            row.pop()
        out.append(skipped + row if row else [])
    book.save(target)


def main(argv: list[str]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CONVERT_MEMORY_BYTES, CONVERT_MEMORY_BYTES))
    try:
        _rows_write(argv[1], argv[2])
    except MemoryError:
        sys.exit(EXIT_TOO_LARGE)


if __name__ == "__main__":
    main(sys.argv)
