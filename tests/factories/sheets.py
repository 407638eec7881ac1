"""Real .xls and .ods files, made the way township staff make them: LibreOffice saves an xlsx written by the test in
the other format."""

import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")


def sheet_saved_as(data: bytes, extension: str) -> bytes:
    """The xlsx ``data`` saved by LibreOffice as ``extension`` ("xls" or "ods"). Skips the test without LibreOffice
    (``bin/test`` installs it)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: it makes the .xls and .ods files these tests import")
    with tempfile.TemporaryDirectory(prefix="soffice-") as workdir:
        source = Path(workdir) / "sheet.xlsx"
        source.write_bytes(data)
        # A profile of its own: another soffice running at the same time would otherwise take the conversion.
        profile = Path(workdir) / f"profile-{uuid.uuid4().hex}"
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                extension,
                "--outdir",
                str(Path(workdir) / "out"),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return (Path(workdir) / "out" / f"sheet.{extension}").read_bytes()
