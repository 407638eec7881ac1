"""The History tab's view of an import: each imported household's and member's row, read from the stored sheet."""

from django.core.files.storage import default_storage

from history.bulk import bulk_row_reader, stored_sha256
from history.models import BulkEvent
from households.id_numbers import id_number_mask
from households.importing.columns import HEADER, header_normalise
from households.importing.rows import cell_text
from households.sheet_reader import SheetReader, SheetRejected, header_find, sheet_opened

IMPORT_EVENT = "household_import"

# Shown masked on the History tab, as everywhere: a row of the sheet holds full ID numbers and bank accounts.
MASKED = {
    HEADER["id_number"]: id_number_mask,
    HEADER["bank_account"]: lambda text: "*" * max(len(text) - 4, 0) + text[-4:],
}


@bulk_row_reader(IMPORT_EVENT)
def import_rows_read(event: BulkEvent, rows: list[int]) -> dict[int, list[tuple[str, str]]] | None:
    """The sheet's values in ``rows`` (header and value, masked), or None when the stored sheet is gone or is not
    the one the import's event sealed."""
    if not event.file_name or not default_storage.exists(event.file_name):
        return None
    if stored_sha256(event.file_name) != event.file_sha256:
        return None
    wanted, found = set(rows), {}
    stored_file = _StoredFile(event.file_name)
    try:
        with sheet_opened(stored_file) as opener, opener() as upload:
            reader = SheetReader(upload)
            sheet_rows = reader.rows()
            _header_row, header = header_find(
                sheet_rows, wanted={HEADER["file_number"], HEADER["id_number"]}, normalise=header_normalise
            )
            names = [header_normalise(value) for value in header]
            for row_no, values in sheet_rows:
                if row_no in wanted:
                    found[row_no] = [
                        (name, MASKED.get(name, str)(cell_text(value)))
                        for name, value in zip(names, values, strict=False)
                        if name
                    ]
                    if len(found) == len(wanted):
                        break
    except SheetRejected:
        return None
    return found


class _StoredFile:
    """What ``sheet_opened`` reads of a stored file: its name and storage."""

    def __init__(self, name: str):
        self.name = name
        self.storage = default_storage
