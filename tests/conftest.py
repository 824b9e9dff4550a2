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


POSTGRES_ENV = "PRICING_TEST_POSTGRES"      # an admin URL, e.g. postgresql://u:p@localhost/postgres


@pytest.fixture
def postgres_url(request):
    """A new, empty PostgreSQL database for one test, dropped after it; its ledger must pass
    `ledger check` unless the test breaks it on purpose (@pytest.mark.breaks_ledger). .ci/run
    starts a server and sets PRICING_TEST_POSTGRES; on CI a missing server fails the test,
    elsewhere it skips."""
    import os
    import uuid

    admin = os.environ.get(POSTGRES_ENV)
    if not admin:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set: .ci/run starts PostgreSQL for these tests")
        pytest.skip(f"no PostgreSQL ({POSTGRES_ENV} not set)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"pricing_{uuid.uuid4().hex[:12]}"
    engine = create_engine(make_url(admin).set(drivername="postgresql+psycopg"),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
        if request.node.get_closest_marker("breaks_ledger"):
            return
        from invoices.ledger.invariants import check
        from invoices.ledger.store import Ledger

        try:
            with Ledger(url, "read") as book:
                broken = {k: v for k, v in check(book).items() if v}
                broken.update(_history_broken(book))
        except Exception:                         # no ledger made: nothing to check
            broken = {}
        assert not broken, f"ledger check failed on {name}: {broken}"
    finally:
        _drop(engine, name)
        engine.dispose()


def _history_broken(ledger) -> dict:
    """The ledger's hash chain, verified entry by entry against its rows (`ledger check`)."""
    from invoices.ledger.chain import verify

    with ledger.read() as conn:
        problems = verify(conn).problems
    return {"history_is_intact": list(problems)} if problems else {}


def _drop(engine, name: str) -> None:
    """Drop a test database. An autovacuum worker can still be on it for a moment (terminating
    it needs pg_signal_backend), so try a few times; a database left behind harms nothing."""
    import time

    from sqlalchemy import text

    for attempt in range(10):
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except Exception:
            time.sleep(0.3 * (attempt + 1))


@pytest.fixture
def postgres_users(postgres_url):
    """Real PostgreSQL login roles for a test of roles on one new ledger database: call
    `postgres_users("dana")` for the URL of a new login role (named uniquely, so tests never share
    one). After the test, the ledger's roles (`invoices.ledger.roles`) lose their privileges in
    the database and every role made is dropped. Needs the admin URL's role to hold CREATEROLE
    (.ci/run gives it)."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url).set(drivername="postgresql+psycopg")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    tag = uuid.uuid4().hex[:8]
    made: list[str] = []

    def user(name: str) -> str:
        role = f"u{tag}_{name}"
        with engine.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{role}" LOGIN PASSWORD \'{role}\''))
        made.append(role)
        return make_url(postgres_url).set(username=role, password=role) \
            .render_as_string(hide_password=False)

    try:
        yield user
    finally:
        from invoices.ledger.roles import ROLES, role_name

        with engine.connect() as conn:
            database = conn.execute(text("SELECT current_database()")).scalar()
            ledger_roles = [role_name(database, r) for r in reversed(ROLES)]
            existing = set(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())
            for role in made + [r for r in ledger_roles if r in existing]:
                if role in ledger_roles:
                    for kind in ("TABLES", "SEQUENCES"):
                        conn.execute(text(f'REVOKE ALL ON ALL {kind} IN SCHEMA public '
                                          f'FROM "{role}"'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_address(request, tmp_path):
    """A ledger address on each backend: a file in tmp_path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite3")
    return request.getfixturevalue("postgres_url")


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
    from invoices.ledger.invariants import check
    from invoices.ledger.store import Ledger, inspect_file
    from pricing.errors import PricingError

    for path in folder.rglob("*"):
        try:
            if not path.is_file() or inspect_file(path)[0] != "ledger":
                continue
        except PricingError:
            continue
        with Ledger(path, "read") as ledger:
            broken = {name: found for name, found in check(ledger).items() if found}
            broken.update(_history_broken(ledger))
        assert not broken, f"{path}: {broken}"
