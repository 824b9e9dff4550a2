"""Shared fixtures: the bundled tables, and a scratch copy a test may break."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pricing.tables import load_tables
from pricing.tables.loader import bundled_tables_dir

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def tables():
    return load_tables()


@pytest.fixture
def tables_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled tables directory."""
    target = tmp_path / "tables"
    shutil.copytree(bundled_tables_dir(), target)
    return target


def rehash(directory: Path) -> None:
    """Record new hashes, as a maintainer does after a reviewed table change."""
    subprocess.run([sys.executable, str(REPO / "tools" / "update_manifest.py"), str(directory)],
                   check=True, capture_output=True)
