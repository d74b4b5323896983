"""Fixtures of the editor tests."""
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chenxi(tmp_path) -> Path:
    """A folder with the shipped 附件2 rulebook and the report-figures case beside it."""
    folder = tmp_path / "评价"
    folder.mkdir()
    shutil.copy(ROOT / "stdlib_indicators" / "部门整体支出.jx", folder)
    shutil.copy(ROOT / "examples" / "chenxi-2021" / "report-figures.jxc", folder)
    return folder
