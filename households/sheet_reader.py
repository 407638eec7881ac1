"""The first worksheet of an xlsx, streamed row by row with the values openpyxl's read-only reader gives.

A household sheet of 100,000 households unpacks to about 250 MB of XML; neither openpyxl (about 11,000
rows/s here) nor a whole-sheet loader fits "fast and flat in memory". ``SheetReader`` reads the sheet's
XML in blocks and takes each row the common way: the shapes Excel, WPS, LibreOffice and openpyxl write
(``<c r="B7" s="3" t="s"><v>12</v></c>``, inline strings, formulas with a cached value) are matched by
regular expressions, a row at a time, several times faster than an XML parser's callbacks. A row they
do not account for completely (rich text, entities, CDATA, prefixed names, cells without a reference)
goes to expat, which also reads the sheet's head and tail, so the values are the same either way
(``tests/households/test_import_sheets.py`` compares both with openpyxl).
"""

import copy
import itertools
import re
import shutil
import tempfile
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePosixPath
from typing import IO
from xml.etree import ElementTree
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from households.sheet_convert import (
    CONVERTED_EXTENSIONS,
    SHEET_EXTENSIONS,
    SheetUnconvertible,
    sheet_convert,
    sheet_extension,
)

# A 100,000-household sheet unpacks to about 300 MB; much more is a zip bomb, not a township's sheet.
MAX_UNPACKED_BYTES = 2 << 30
HEAD_BYTES = 1 << 16  # the root, the sheet's properties and columns before its rows
BLOCK_BYTES = 1 << 20
SHARED_CACHE = 1 << 16


# What reading a part of the workbook raises when the part is cut off or corrupt.
DAMAGED = (expat.ExpatError, zipfile.BadZipFile, EOFError, zlib.error)


class SheetRejected(Exception):
    """The file as a whole cannot be read as the household sheet; ``problems`` are (column, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{column} {message}".strip() for column, message in problems))
        self.problems = problems


_SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index - 1


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _expat_parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_entities(*args):
        raise ValueError("entity declarations are not allowed in a workbook")

    parser.EntityDeclHandler = refuse_entities
    return parser


class _SharedStrings:
    """The workbook's shared-string table, kept as one UTF-8 blob with offsets (about a quarter of the
    memory of a list of str): every reader must hold it, since any cell may point to any string."""

    def __init__(self):
        self.blob = bytearray()
        self.ends = array("Q")

    def append(self, text: str) -> None:
        self.blob += text.encode()
        self.ends.append(len(self.blob))

    def __getitem__(self, index: int) -> str:
        start = self.ends[index - 1] if index else 0
        return self.blob[start : self.ends[index]].decode()

    def __len__(self):
        return len(self.ends)


def _shared_strings_read(stream, on_text: Callable[[str], None]) -> None:
    """Call ``on_text`` with the text of each shared string (``si``): its ``t`` and rich-text runs' ``t``,
    leaving out phonetic guides (``rPh``), as openpyxl does. A plain ``<si><t>…</t></si>`` is matched by
    pattern; expat reads the head, the tail and every other string, in order."""
    expat_strings = _ExpatSharedStrings(on_text)
    head = stream.read(HEAD_BYTES)
    encoding = _ENCODING.match(head)
    root = _STRINGS_ROOT.search(head)
    if root is None or (encoding and encoding.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8")):
        data = head
        while data:
            expat_strings.feed(data)
            data = stream.read(BLOCK_BYTES)
        expat_strings.feed(b"", final=True)
        return
    expat_strings.feed(head[: root.end()])
    tail = head[root.end() :]
    while True:
        block = stream.read(BLOCK_BYTES)
        pieces = (tail + block).split(b"</si>")
        tail = pieces.pop()
        for piece in pieces:
            plain = _PLAIN_STRING.fullmatch(piece)
            if plain:
                on_text(plain.group(1).decode())
            else:
                expat_strings.feed(piece + b"</si>")
        if not block:
            break
    expat_strings.feed(tail, final=True)


_STRINGS_ROOT = re.compile(rb"<sst\b[^>]*>")
_PLAIN_STRING = re.compile(rb'<si><t(?: xml:space="preserve")?>([^<&\r]*)</t>')


class _ExpatSharedStrings:
    def __init__(self, on_text: Callable[[str], None]):
        self.on_text = on_text
        self.parts: list[str] = []
        self.text = False
        self.phonetic = 0
        self.parser = _expat_parser()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.characters

    def feed(self, data: bytes, *, final: bool = False) -> None:
        self.parser.Parse(data, final)

    def start(self, name, attrs):
        name = _local(name)
        if name == "t":
            self.text = not self.phonetic
        elif name == "rPh":
            self.phonetic += 1
        elif name == "si":
            self.parts.clear()

    def end(self, name):
        name = _local(name)
        if name == "t":
            self.text = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si":
            self.on_text("".join(self.parts))

    def characters(self, data):
        if self.text:
            self.parts.append(data)


def _damaged(error: Exception) -> SheetRejected:
    # The parser's line and column are of the parts it was given, not of the file: not worth showing.
    return SheetRejected(
        [("", _("The workbook is damaged and cannot be read: save it again in Excel or WPS and upload it anew."))]
    )


class SheetReader:
    """The first worksheet of an xlsx, row by row, as openpyxl's ``iter_rows(values_only=True)`` gives its
    values (shared and inline strings, numbers, booleans, dates by cell style), streamed with expat."""

    def __init__(self, file):
        try:
            self.zip = zipfile.ZipFile(file)
            self.sheet_path, strings_path, styles_path, date1904 = self._workbook_parts()
        except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, StopIteration) as error:
            raise SheetRejected([("", _("The file is not an Excel workbook (.xlsx)."))]) from error
        unpacked = sum(info.file_size for info in self.zip.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise SheetRejected(
                [("", _("The workbook unpacks to more than %(size)d MB.") % {"size": MAX_UNPACKED_BYTES >> 20})]
            )
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        self.strings = _SharedStrings()
        if strings_path:
            try:
                with self.zip.open(strings_path) as stream:
                    _shared_strings_read(stream, lambda text: self.strings.append(text.replace("x005F_", "")))
            except DAMAGED as error:
                raise _damaged(error) from error
        self.date_styles, self.timedelta_styles = self._date_styles(styles_path)
        self.max_row: int | None = None  # from the sheet's <dimension>, once reading has begun

    def _workbook_parts(self):
        names = set(self.zip.namelist())
        workbook_path = "xl/workbook.xml"
        rels = ElementTree.fromstring(self.zip.read("_rels/.rels"))
        for rel in rels.iter(f"{{{_PACKAGE_RELS_NS}}}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                workbook_path = rel.get("Target").lstrip("/")
        workbook = ElementTree.fromstring(self.zip.read(workbook_path))
        properties = workbook.find(f"{{{_SPREADSHEET_NS}}}workbookPr")
        date1904 = properties is not None and properties.get("date1904") in ("1", "true")
        first_sheet = next(workbook.iter(f"{{{_SPREADSHEET_NS}}}sheet"))
        sheet_rel = first_sheet.get(f"{{{_RELATIONSHIP_NS}}}id")
        base = PurePosixPath(workbook_path).parent
        rels_path = str(base / "_rels" / (PurePosixPath(workbook_path).name + ".rels"))
        targets, strings_path, styles_path = {}, None, None
        for rel in ElementTree.fromstring(self.zip.read(rels_path)).iter(f"{{{_PACKAGE_RELS_NS}}}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else str(base / target)
            targets[rel.get("Id")] = path
            if rel.get("Type", "").endswith("/sharedStrings"):
                strings_path = path
            elif rel.get("Type", "").endswith("/styles"):
                styles_path = path
        sheet_path = targets[sheet_rel]
        if sheet_path not in names:
            raise KeyError(sheet_path)
        return sheet_path, strings_path if strings_path in names else None, styles_path, date1904

    def _date_styles(self, styles_path) -> tuple[set[int], set[int]]:
        if not styles_path or styles_path not in self.zip.namelist():
            return set(), set()
        styles = ElementTree.fromstring(self.zip.read(styles_path))
        formats = dict(BUILTIN_FORMATS)
        for number_format in styles.iter(f"{{{_SPREADSHEET_NS}}}numFmt"):
            formats[int(number_format.get("numFmtId"))] = number_format.get("formatCode", "")
        dates, timedeltas = set(), set()
        cell_xfs = styles.find(f"{{{_SPREADSHEET_NS}}}cellXfs")
        for index, xf in enumerate(cell_xfs if cell_xfs is not None else ()):
            code = formats.get(int(xf.get("numFmtId", 0)), "")
            if is_date_format(code):
                dates.add(index)
                if is_timedelta_format(code):
                    timedeltas.add(index)
        return dates, timedeltas

    def cell_value(self, kind: str, style: int | None, text: str):
        """A cell's value from its type, style and text (not a shared string: those are looked up)."""
        if kind == "n":
            value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            if style is not None and style in self.date_styles:
                try:
                    return from_excel(value, self.epoch, timedelta=style in self.timedelta_styles)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return value
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text), "e" (an error value)

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number, values) for each row that has a cell; values padded with None on the left."""
        for _chunk, row_no, values in self.rows_in_chunks():
            if values is not None:
                yield row_no, values

    def rows_in_chunks(
        self, *, chunk_rows: int = 5000, share: int = 0, shares: int = 1
    ) -> Iterator[tuple[int, int | None, list | None]]:
        """The rows of chunks ``share``, ``share + shares``, ``share + 2 * shares`` … of the sheet, a chunk being
        ``chunk_rows`` rows of its XML, empty rows included: (chunk, row number, values), and (chunk, None,
        None) as each of these chunks begins, empty or not. ``shares`` processes taking one share each read the
        sheet once between them: outside its share a process only splits the XML into rows."""
        try:
            yield from self._rows(chunk_rows, share, shares)
        except DAMAGED as error:
            raise _damaged(error) from error

    def reopened(self, file) -> "SheetReader":
        """This reader on another handle of the same workbook (for a forked process), its strings and styles
        kept: the two may read at once."""
        reader = copy.copy(self)
        reader.zip = zipfile.ZipFile(file)
        return reader

    def _rows(self, chunk_rows: int, share: int, shares: int) -> Iterator[tuple[int, int | None, list | None]]:
        expat_rows = _ExpatRows(self)
        position = 0  # rows of the XML so far; of rows with values when expat reads throughout

        with self.zip.open(self.sheet_path) as stream:
            head = stream.read(HEAD_BYTES)
            start = _rows_start(head)
            if start is None:
                # Not a shape the patterns know (a prefixed root, another encoding): expat throughout.
                data, final = head, False
                while True:
                    for row_no, values in expat_rows.feed(data, final=final):
                        chunk = position // chunk_rows
                        if chunk % shares == share:
                            if position % chunk_rows == 0:
                                yield chunk, None, None
                            yield chunk, row_no, values
                        position += 1
                    if final:
                        return
                    data = stream.read(BLOCK_BYTES)
                    final = not data
            # expat reads the head (the root's namespaces, the dimension), any row the patterns leave, and the
            # tail, so a cut-off sheet fails as it would with any XML parser.
            expat_rows.feed(head[:start])
            cell_values = _CellValues(self)
            row_no = 0
            tail = head[start:]
            while True:
                block = stream.read(BLOCK_BYTES)
                pieces = (tail + block).split(b"</row>")
                # After the last </row>: the start of a row the next block ends, or the sheet's tail.
                tail = pieces.pop()
                done = []
                for piece in pieces:
                    chunk = position // chunk_rows
                    mine = chunk % shares == share
                    if mine and position % chunk_rows == 0:
                        done.append((chunk, None, None))
                    position += 1
                    begin = piece.find(b"<row")
                    opened = piece.find(b">", begin)
                    number = _ROW_NUMBER.search(piece, begin, opened)
                    previous, row_no = row_no, int(number.group(1)) if number else row_no + 1
                    body = piece[opened + 1 :]
                    cells = None
                    if begin >= 0 and piece.find(b"<row", begin + 4) < 0:  # no empty <row/> before it
                        if not mine:
                            continue
                        if b"&" not in body and b"\r" not in body and b"<!" not in body:
                            cells = _CELL.findall(body)
                            if len(cells) != body.count(b"<c"):
                                cells = None
                    if cells is None:
                        expat_rows.row_no = previous
                        read = expat_rows.feed(piece + b"</row>")
                        row_no = expat_rows.row_no
                        if mine:
                            done.extend((chunk, number, values) for number, values in read)
                    elif cells:
                        values = cell_values.row(cells)
                        if values:
                            done.append((chunk, row_no, values))
                yield from done
                if not block:
                    break
            expat_rows.feed(tail, final=True)


# The cells of a row as the common writers write them: the reference (the column letters are kept), the
# other attributes (style, type), then an optional formula and its cached value, or an inline string.
# Groups that do not take part come back from findall as b"".
_ROW_NUMBER = re.compile(rb'\br="([0-9]+)"')
_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})[0-9]+"([^>/]*)(?:/>|>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?'
    rb'(?:<v>([^<]*)</v>|(<is><t(?: xml:space="preserve")?>)([^<]*)</t></is>)?</c>)'
)
_CELL_TYPE = re.compile(rb'\bt="([A-Za-z]+)"')
_CELL_STYLE = re.compile(rb'\bs="([0-9]+)"')
_SHEET_ROOT = re.compile(rb"<worksheet\b[^>]*>")
_SHEET_DATA = re.compile(rb"<sheetData\s*>")
_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding=["']([A-Za-z0-9_-]+)["']""")


def _rows_start(head: bytes) -> int | None:
    """Where the rows begin in the sheet's first block, or None when the patterns cannot read the sheet."""
    encoding = _ENCODING.match(head)
    if encoding and encoding.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return None
    root = _SHEET_ROOT.search(head)
    data = _SHEET_DATA.search(head)
    if root is None or data is None or data.start() < root.end():
        return None
    return data.end()


class _CellValues:
    """A row's matched cells as values, converted as openpyxl converts them."""

    def __init__(self, reader: "SheetReader"):
        self.reader = reader
        self.columns: dict[bytes, int] = {}
        self.kinds: dict[bytes, tuple[str, int | None]] = {}
        # Shared strings by index, as most cells of a sheet repeat a few words (codes, villages, yes/no);
        # bounded, so that memory stays flat.
        self.shared: dict[bytes, str] = {}

    def _kind(self, attributes: bytes) -> tuple[str, int | None]:
        kind = _CELL_TYPE.search(attributes)
        style = _CELL_STYLE.search(attributes)
        found = self.kinds[attributes] = (
            kind.group(1).decode() if kind else "n",
            int(style.group(1)) if style else None,
        )
        return found

    def row(self, cells: list[tuple[bytes, bytes, bytes, bytes, bytes]]) -> list:
        reader = self.reader
        blob, ends = reader.strings.blob, reader.strings.ends
        columns, kinds, shared = self.columns, self.kinds, self.shared
        values: list = []
        for letters, attributes, text, inline_start, inline in cells:
            column = columns.get(letters)
            if column is None:
                column = columns[letters] = _column_index(letters.decode())
            kind, style = kinds.get(attributes) or self._kind(attributes)
            if kind == "s":
                value = shared.get(text)
                if value is None:
                    if not text:
                        continue
                    index = int(text)
                    value = blob[ends[index - 1] if index else 0 : ends[index]].decode()
                    if len(shared) >= SHARED_CACHE:
                        shared.clear()
                    shared[text] = value
            elif kind == "inlineStr":
                if not inline_start:
                    continue
                value = inline.decode()
            else:
                if inline_start:
                    text = inline
                if not text:
                    continue
                value = reader.cell_value(kind, style, text.decode())
            if len(values) == column:  # the next column: most cells
                values.append(value)
            else:
                _value_place(values, column, value)
        return values


def _value_place(values: list, column: int, value) -> None:
    """Put ``value`` in its column: after empty cells (None) or over a cell given twice."""
    if len(values) <= column:
        values.extend([None] * (column - len(values)))
        values.append(value)
    else:
        values[column] = value


class _ExpatRows:
    """The sheet read with expat, from whatever part of it is fed: the whole of it, or the head, the rows the
    patterns leave, and the tail. ``row_no`` is the last row read, for rows that do not number themselves."""

    def __init__(self, reader: "SheetReader"):
        self.reader = reader
        self.row_no = 0
        self.done: list[tuple[int, list]] = []
        self.values: list = []
        self.column, self.kind, self.style, self.text = -1, "n", None, None
        self.collecting = self.inline = False
        self.phonetic = 0
        self.columns: dict[str, int] = {}
        # The element names; the root tells whether the writer used a namespace prefix (x:c).
        self.root = True
        self.tags = ("c", "v", "row", "is", "t", "rPh", "dimension")
        self.parser = _expat_parser()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.characters

    def feed(self, data: bytes, *, final: bool = False) -> list[tuple[int, list]]:
        self.parser.Parse(data, final)
        done, self.done = self.done, []
        return done

    def start(self, name, attrs):
        tag_c, tag_v, tag_row, tag_is, tag_t, tag_rph, tag_dimension = self.tags
        if name == tag_c:
            reference = attrs.get("r")
            if reference:
                letters = reference.rstrip("0123456789")
                column = self.columns.get(letters)
                if column is None:
                    column = self.columns[letters] = _column_index(letters)
                self.column = column
            else:
                self.column += 1
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style else None
            self.text = None
        elif name == tag_v:
            if self.kind != "inlineStr":
                self.collecting, self.text = True, ""
        elif name == tag_row:
            number = attrs.get("r")
            self.row_no = int(number) if number else self.row_no + 1
            self.values, self.column = [], -1
        elif name == tag_is:
            self.inline, self.text = True, ""
        elif self.inline and name == tag_t:
            self.collecting = not self.phonetic
        elif self.inline and name == tag_rph:
            self.phonetic += 1
        elif name == tag_dimension:
            last = attrs.get("ref", "").rpartition(":")[2].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            self.reader.max_row = int(last) if last.isdigit() else None
        elif self.root:
            self.root = False
            prefix = name[: -len("worksheet")] if name.endswith("worksheet") else ""
            self.tags = tuple(prefix + tag for tag in ("c", "v", "row", "is", "t", "rPh", "dimension"))

    def end(self, name):
        tag_c, tag_v, tag_row, tag_is, tag_t, tag_rph, _tag_dimension = self.tags
        if name == tag_c:
            value, text, kind = None, self.text, self.kind
            if kind == "inlineStr":
                value = text
            elif text:
                if kind == "s":
                    value = self.reader.strings[int(text)]
                else:
                    value = self.reader.cell_value(kind, self.style, text)
            if value is not None:
                _value_place(self.values, self.column, value)
        elif name in (tag_v, tag_t):
            self.collecting = False
        elif name == tag_row:
            if self.values:
                self.done.append((self.row_no, self.values))
        elif name == tag_is:
            self.inline = False
        elif name == tag_rph and self.inline:
            self.phonetic -= 1

    def characters(self, data):
        if self.collecting:
            self.text += data


# An .xlsx and an .ods are zips: their first bytes are a zip entry's; an .xls is an OLE2 compound file.
XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _content_is(upload, extension: str) -> bool:
    """Whether the upload's content is the kind of workbook its extension says (a renamed file is not)."""
    signature = upload.read(8)
    if extension == ".xls":
        return signature == XLS_SIGNATURE
    if not signature.startswith(XLSX_SIGNATURE):
        return False
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
            if extension == ".ods":
                return "mimetype" in names and package.read("mimetype").strip() == ODS_MIMETYPE
            return "[Content_Types].xml" in names and "mimetype" not in names
    except (zipfile.BadZipFile, *DAMAGED):
        return False


def sheet_upload_check(upload, *, max_bytes: int, field: str = "file") -> None:
    """An uploaded sheet is an .xlsx, .xls or .ods by name and by content, no larger than ``max_bytes``; a
    ``ValidationError`` on ``field`` otherwise. Leaves the upload at its start."""
    extension = sheet_extension(upload.name)
    if extension not in SHEET_EXTENSIONS:
        raise ValidationError(
            {field: _("Upload the sheet as an Excel or WPS workbook (.xlsx or .xls) or an OpenDocument sheet (.ods).")}
        )
    if upload.size > max_bytes:
        raise ValidationError(
            {field: _("The file is larger than %(size)d MB.") % {"size": max_bytes // (1024 * 1024)}}
        )
    upload.seek(0)
    matches = _content_is(upload, extension)
    upload.seek(0)
    if not matches:
        messages = {
            ".xlsx": _("The file is not an Excel workbook (.xlsx)."),
            ".xls": _("The file is not an Excel 97-2003 workbook (.xls): its content does not match its name."),
            ".ods": _("The file is not an OpenDocument sheet (.ods): its content does not match its name."),
        }
        raise ValidationError({field: messages[extension]})


Opener = Callable[[], AbstractContextManager[IO[bytes]]]


@contextmanager
def sheet_opened(stored) -> Iterator[Opener]:
    """A way to open the stored sheet ``stored`` (a ``FieldFile``) as an xlsx, as often as its reader needs: the file
    itself for an .xlsx; for an .xls or .ods, the xlsx ``households.sheet_convert`` makes of it in a child process,
    removed on leaving. ``SheetRejected`` when it cannot be converted."""
    extension = sheet_extension(stored.name)
    if extension not in CONVERTED_EXTENSIONS:
        yield lambda: stored.storage.open(stored.name, "rb")
        return
    with tempfile.TemporaryDirectory(prefix="sheet-") as workdir:
        source, target = Path(workdir) / f"source{extension}", Path(workdir) / "sheet.xlsx"
        with stored.storage.open(stored.name, "rb") as upload, source.open("wb") as copied:
            shutil.copyfileobj(upload, copied, 1 << 20)
        try:
            sheet_convert(source, target)
        except SheetUnconvertible as error:
            if error.too_large:
                message = _("The sheet is too large to read as %(extension)s: save it as .xlsx and upload it anew.")
            else:
                message = _("The file cannot be read as a %(extension)s sheet: it is damaged or of another kind.")
            raise SheetRejected([("", message % {"extension": extension})]) from error
        source.unlink()
        yield lambda: target.open("rb")


def header_find(
    rows: Iterator[tuple[int, list]], *, wanted: set[str], normalise: Callable[[object], str], within: int = 10
) -> tuple[int, list]:
    """The header row of a sheet that may have a title above it: the first row, among the first ``within``, holding
    every header of ``wanted`` (compared as ``normalise`` makes them); else the first row, whose missing columns the
    caller then reports."""
    seen = []
    for number, values in itertools.islice(rows, within):
        if wanted <= {normalise(value) for value in values}:
            return number, values
        seen.append((number, values))
    if not seen:
        raise SheetRejected([("", _("The sheet is empty."))])
    return seen[0]
