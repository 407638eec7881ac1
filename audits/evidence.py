"""What an evidence file is, read from its content (its first bytes and, for Office files, the zip's parts), never
from its name: a PDF, a PNG or JPEG image, an Excel workbook (xlsx) or a Word document (docx).

The name's extension must agree with the content, so an ``.exe`` renamed ``.pdf`` or a text file named ``.xlsx`` is
refused; the size limit is ``settings.AUDITS_EVIDENCE_MAX_BYTES`` (20 MiB unless set).
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class EvidenceType:
    key: str
    content_type: str
    extensions: frozenset[str]

    @property
    def extension(self) -> str:
        """The extension the stored copy is given."""
        return f".{self.key}"


PDF = EvidenceType("pdf", "application/pdf", frozenset({".pdf"}))
PNG = EvidenceType("png", "image/png", frozenset({".png"}))
JPEG = EvidenceType("jpg", "image/jpeg", frozenset({".jpg", ".jpeg"}))
XLSX = EvidenceType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", frozenset({".xlsx"}))
DOCX = EvidenceType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", frozenset({".docx"})
)
EVIDENCE_TYPES = (PDF, PNG, JPEG, XLSX, DOCX)
# The extensions accepted, for the upload field's hint.
ACCEPTED_EXTENSIONS = sorted({extension for kind in EVIDENCE_TYPES for extension in kind.extensions})

_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
_ZIP_MAGIC = b"PK\x03\x04"
# The folder of an Office Open XML package that says which kind of document it is.
_OFFICE_PARTS = (("xl/", XLSX), ("word/", DOCX))


def evidence_max_bytes() -> int:
    return getattr(settings, "AUDITS_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def content_type_of(file) -> EvidenceType | None:
    """The type of ``file``'s content, or None for anything that is not an accepted evidence file. The file is read
    from its start and left at its start."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(_ZIP_MAGIC):
        return _office_type(file)
    return None


def _office_type(file) -> EvidenceType | None:
    try:
        with zipfile.ZipFile(file) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for folder, kind in _OFFICE_PARTS:
        if any(name.startswith(folder) for name in names):
            return kind
    return None


def name_matches(name: str, kind: EvidenceType) -> bool:
    return PurePath(name).suffix.lower() in kind.extensions
