"""The app order holds: import-linter's contract in pyproject.toml ([tool.importlinter]), run with the suite."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# requirements-dev.txt installs import-linter's command next to this interpreter.
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_no_app_imports_an_app_above_it():
    # given the contract in pyproject.toml
    # when import-linter reads every module of the project
    result = subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then every contract is kept
    assert result.returncode == 0, result.stdout + result.stderr
