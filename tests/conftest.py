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


def libreoffice_convert(source: Path, to: str, work: Path) -> Path:
    """Convert a workbook with LibreOffice (to "csv" or "pdf"), recalculating every formula on
    load: LibreOffice shows cached values by default, so a throwaway profile turns
    OOXMLRecalcMode to "always" and the figures converted are LibreOffice's own."""
    profile = work / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><oor:items xmlns:oor="http://openoffice.org/2001/'
        'registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/'
        '2001/XMLSchema-instance"><item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>'
        '</oor:items>')
    out = work / to
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", to, "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    return out / f"{source.stem}.{to}"


def rehash(directory: Path) -> None:
    """Record new hashes, as a maintainer does after a reviewed table change."""
    subprocess.run([sys.executable, str(REPO / "tools" / "update_manifest.py"), str(directory)],
                   check=True, capture_output=True)


@pytest.fixture(autouse=True)
def ledgers_keep_their_invariants(request):
    """After every test, every ledger it left in its tmp_path must pass `ledger check`: each
    scenario, refused or not, leaves a consistent ledger. A test that breaks a ledger on
    purpose says so with @pytest.mark.breaks_ledger."""
    folder = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if folder is None or request.node.get_closest_marker("breaks_ledger"):
        return
    from invoices.invariants import check
    from invoices.ledger import Ledger, inspect_file
    from pricing.errors import PricingError

    for path in folder.rglob("*"):
        try:
            if not path.is_file() or inspect_file(path)[0] != "ledger":
                continue
        except PricingError:
            continue
        with Ledger(path, "read") as ledger:
            broken = {name: found for name, found in check(ledger).items() if found}
        assert not broken, f"{path}: {broken}"
