"""Authors and roles (issue 24): on PostgreSQL the author of every entry is the database role the
server authenticated, and what each may do is the database's GRANTs, tried with real login
roles; on SQLite the author is the login name, a typed name recorded as "on behalf of"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from invoices.ledger import schema
from invoices.ledger.roles import HISTORY, ROLES, UPDATES, role_name
from invoices.ledger.store import Ledger, login_name
from pricing.cli import app
from tests.test_sending import smtp, with_addresses  # noqa: F401 (smtp: a fixture)

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def cli(ledger: str, *args: str, user: str | None = None):
    return runner.invoke(app, list(args), env={"PRICING_LEDGER": ledger, "PRICING_USER": user})


def run_month(ledger: str, month: str, out: Path):
    return cli(ledger, "invoice", "run", "--month", month, "--cities",
               str(EXAMPLES / "invoice_cities.csv"), "--no-hours", "--out", str(out))


def counts(owner: str) -> dict[str, int]:
    with Ledger(owner, "read") as book, book.read() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in HISTORY}


def one_line(result) -> str:
    return " ".join(result.output.replace("│", " ").split())          # unwrapped from the box


@pytest.fixture
def team(postgres_url, postgres_users, tmp_path):
    """A ledger of April's three invoices made by its owner, and four people, each granted one
    role by the owner with `pricing ledger grant`."""
    assert run_month(postgres_url, "2001-04", tmp_path / "out").exit_code == 0
    people = {}
    for role, name in zip(ROLES, ("rita", "cleo", "bill", "ada")):
        people[role] = postgres_users(name)
        user = make_url(people[role]).username
        granted = cli(postgres_url, "ledger", "grant", role, "--to", user)
        assert granted.exit_code == 0, granted.output
        assert f"{user} is {role}" in granted.output
    return people


def who(url: str) -> str:
    return make_url(url).username


def test_a_reader_cannot_pay_and_nothing_is_recorded(postgres_url, team):
    before = counts(postgres_url)
    refused = cli(team["reader"], "ar", "pay", "1", "100.00", "--date", "2001-05-10")
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines()[-1] == (
        f"error: permission denied: recording a payment needs the clerk role (you are "
        f"{who(team['reader'])})")
    assert counts(postgres_url) == before
    # What a reader may do: reports, lists, the log, the journal.
    for args in (["invoice", "list"], ["ar", "aging", "--as-of", "2001-06-01"], ["ledger", "log"],
                 ["ledger", "check"], ["invoice", "show", "1"]):
        assert cli(team["reader"], *args).exit_code == 0, args


def test_a_clerk_cannot_run_a_month_but_records_payments_and_disputes(postgres_url, team, tmp_path):
    before = counts(postgres_url)
    refused = run_month(team["clerk"], "2001-05", tmp_path / "out")
    assert refused.exit_code == 1
    assert (f"error: permission denied: running a month needs the biller role (you are "
            f"{who(team['clerk'])})") in refused.output
    assert counts(postgres_url) == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "invoice-000001.xlsx", "invoice-000002.xlsx", "invoice-000003.xlsx"]
    clerk = team["clerk"]
    assert cli(clerk, "ar", "pay", "1", "100.00", "--date", "2001-05-10").exit_code == 0
    assert cli(clerk, "ar", "dispute", "2", "10.00", "--date", "2001-05-11", "--reason",
               "hours").exit_code == 0
    assert cli(clerk, "ar", "resolve", "1", "--date", "2001-05-12", "--resolution",
               "agreed").exit_code == 0
    assert cli(clerk, "ar", "void-payment", "1", "--date", "2001-05-13", "--reason",
               "bounced").exit_code == 0
    credit = cli(clerk, "ar", "credit", "2", "10.00", "--date", "2001-05-14", "--reason", "x",
                 "--out", str(tmp_path / "out"))
    assert credit.exit_code == 1 and "issuing a credit note needs the biller role" in credit.output


def test_a_clerk_imports_and_reverses_bank_lines_and_a_reader_cannot(postgres_url, team,
                                                                      tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text("Date,Amount,Payer,Reference\n2001-05-10,100.00,KMC Telecom II,\n")
    before = counts(postgres_url)
    refused = cli(team["reader"], "ar", "import-payments", str(path))
    assert refused.exit_code == 1 and "importing a bank file needs the clerk role" in refused.output
    assert counts(postgres_url) == before
    assert cli(team["clerk"], "ar", "import-payments", str(path)).exit_code == 0
    reverse = ["ar", "reverse-bank-line", "1", "--date", "2001-05-12", "--reason", "recalled"]
    refused = cli(team["reader"], *reverse)
    assert refused.exit_code == 1
    assert "reversing a bank line needs the clerk role" in refused.output
    done = cli(team["clerk"], *reverse)
    assert done.exit_code == 0, done.output
    log = json.loads(cli(team["reader"], "ledger", "log", "--format", "json").stdout)
    assert [(e["recorded_by"], e["action"]) for e in log[3:]] == [
        (who(team["clerk"]), action) for action in (
            "bank line imported", "payment", "cash applied", "payment voided",
            "bank line reversed")]


def test_a_reader_cannot_send_documents_and_nothing_is_sent(postgres_url, team, tables_copy,
                                                            smtp):
    # A message sent cannot be taken back: the role is asked before anything is sent (the
    # reader's e-mail once went out, then failed to be recorded, and went out again later).
    tables = with_addresses(tables_copy)
    server, inbox = smtp
    send = ["documents", "send", "invoice", "1", "--smtp", server, "--from", "ar@lucent.example",
            "--tables", str(tables)]
    before = counts(postgres_url)
    refused = cli(team["reader"], *send)
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines()[-1] == (
        f"error: permission denied: sending documents needs the clerk role (you are "
        f"{who(team['reader'])}); nothing was done")
    assert inbox.messages == [] and counts(postgres_url) == before
    sent = cli(team["clerk"], *send)
    assert sent.exit_code == 0, sent.output
    assert len(inbox.messages) == 1 and counts(postgres_url)["outbox"] == 1


def test_each_role_does_its_part_and_the_authors_are_the_roles_that_acted(postgres_url, team,
                                                                          tmp_path):
    out = str(tmp_path / "out")
    steps = [("clerk", ["ar", "pay", "1", "100.00", "--date", "2001-05-10"]),
             ("biller", ["invoice", "run", "--month", "2001-05", "--cities",
                         str(EXAMPLES / "invoice_cities.csv"), "--no-hours", "--out", out]),
             ("biller", ["ar", "credit", "2", "10.00", "--date", "2001-05-14", "--reason", "x",
                         "--out", out]),
             ("admin", ["ar", "terminate", "--date", "2001-09-30"])]
    for role, args in steps:
        done = cli(team[role], *args)
        assert done.exit_code == 0, (role, done.output)
    refused = cli(team["biller"], "ar", "terminate", "--withdraw", "--reason", "x")
    assert refused.exit_code == 1
    assert "recording a termination needs the admin role" in refused.output
    log = json.loads(cli(team["reader"], "ledger", "log", "--format", "json").stdout)
    owner = make_url(postgres_url).username
    assert [(e["recorded_by"], e["action"]) for e in log] == [
        (owner, "invoice issued")] * 3 + [
        (who(team["clerk"]), "payment")] + [(who(team["biller"]), "invoice issued")] * 3 + [
        (who(team["biller"]), "credit note"), (who(team["admin"]), "termination")]
    mine = json.loads(cli(team["reader"], "ledger", "log", "--user", who(team["biller"]),
                          "--format", "json").stdout)
    assert len(mine) == 4


@pytest.mark.parametrize("option", [["--user", "the-cfo"], []])
def test_a_typed_name_on_postgresql_is_a_usage_error_before_anything_is_opened(postgres_url, team,
                                                                              tmp_path, option):
    env_user = None if option else "the-cfo"
    before = counts(postgres_url)
    for args in (["ar", "pay", "1", "100.00", "--date", "2001-05-10"],
                 ["invoice", "run", "--month", "2001-05", "--cities",
                  str(EXAMPLES / "invoice_cities.csv"), "--no-hours", "--out",
                  str(tmp_path / "new-out")]):
        refused = cli(team["clerk"], *args, *option, user=env_user)
        assert refused.exit_code == 2, refused.output
        said = one_line(refused)
        assert "records the database role you connect as, never a typed name" in said
    assert counts(postgres_url) == before
    assert not (tmp_path / "new-out").exists()


def test_nobody_can_update_or_delete_history_not_even_admin(postgres_url, team):
    for role, url in team.items():
        engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
        try:
            for statement in ("UPDATE invoices SET total_cents = 100",
                              "UPDATE invoices SET written = false",      # a column it may set:
                              "DELETE FROM lines",                        # only with `file`
                              "UPDATE payments SET amount_cents = 1",
                              "DELETE FROM invoices WHERE number = 3",
                              "TRUNCATE terminations"):
                if role in ("biller", "admin") and "written" in statement:
                    continue                   # marking a document written is theirs by design
                with engine.connect() as conn, pytest.raises(Exception) as refused:
                    conn.execute(text(statement))
                assert getattr(refused.value.orig, "sqlstate", None) == "42501", (role, statement)
        finally:
            engine.dispose()
    # The GRANTs themselves: no table-level UPDATE, DELETE or TRUNCATE on history for any role;
    # UPDATE only on the columns the tool sets by design.
    with Ledger(postgres_url, "read") as book, book.read() as conn:
        database = conn.execute(text("SELECT current_database()")).scalar()
        for role in ROLES:
            name = role_name(database, role)
            for table in HISTORY:
                for privilege in ("UPDATE", "DELETE", "TRUNCATE"):
                    assert not conn.execute(text("SELECT has_table_privilege(:r, :t, :p)"),
                                            {"r": name, "t": table, "p": privilege}).scalar()
                allowed = {c for level in ROLES[:ROLES.index(role) + 1]
                           for c in UPDATES[level].get(table, ())}
                for column in schema.metadata.tables[table].columns:
                    may = conn.execute(text("SELECT has_column_privilege(:r, :t, :c, 'UPDATE')"),
                                       {"r": name, "t": table, "c": column.name}).scalar()
                    assert may == (column.name in allowed), (role, table, column.name)
    assert counts(postgres_url)["invoices"] == 3


def test_a_clerk_cannot_record_an_entry_as_someone_else_or_at_another_time(postgres_url, team):
    # The GRANTs let a clerk INSERT payments; the rows it inserts must name the clerk and the
    # server's time. Written by hand (psql), a payment "recorded by" the admin a year ago was
    # chained as genuine and listed as the admin's.
    import datetime as dt

    from invoices.ledger.chain import append

    clerk, admin = team["clerk"], who(team["admin"])
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    insert = text("INSERT INTO payments (invoice, date, amount_cents, recorded_at, recorded_by) "
                  "VALUES (1, '2001-05-10', 100, :at, :by) RETURNING id")
    engine = create_engine(make_url(clerk).set(drivername="postgresql+psycopg"))
    try:
        for at, by, said in ((stamp, admin, f"payments.recorded_by is '{admin}', the session "
                                            f"is {who(clerk)}"),
                             ("2001-05-10T09:00:00+00:00", who(clerk),
                              "payments.recorded_at is 2001-05-10T09:00:00+00:00")):
            with engine.connect() as conn, pytest.raises(Exception) as refused:
                conn.execute(insert, {"at": at, "by": by})
            assert said in str(refused.value), str(refused.value)
        with engine.begin() as conn:                    # its own name, now: what the tool does
            made = conn.execute(insert, {"at": stamp, "by": who(clerk)}).scalar()
            append(conn, "payment", made)
    finally:
        engine.dispose()
    assert counts(postgres_url)["payments"] == 1


def test_a_user_without_a_role_cannot_even_read(postgres_url, team, postgres_users):
    stranger = postgres_users("stranger")
    listed = cli(stranger, "invoice", "list")
    assert listed.exit_code == 1
    assert f"permission denied: reading the ledger needs the reader role (you are " \
           f"{who(stranger)})" in listed.output
    paid = cli(stranger, "ar", "pay", "1", "1.00", "--date", "2001-05-10")
    assert paid.exit_code == 1 and "recording a payment needs the clerk role" in paid.output


def test_an_admin_grants_and_the_owner_revokes(postgres_url, team, postgres_users):
    dana = postgres_users("dana")
    refused = cli(team["clerk"], "ledger", "grant", "clerk", "--to", who(dana))
    assert refused.exit_code == 1 and "granting a role needs the admin role" in refused.output
    assert cli(team["admin"], "ledger", "grant", "clerk", "--to", who(dana)).exit_code == 0
    assert cli(dana, "ar", "pay", "1", "1.00", "--date", "2001-05-10").exit_code == 0
    taken = cli(postgres_url, "ledger", "grant", "clerk", "--revoke", "--to", who(dana))
    assert taken.exit_code == 0 and "no longer holds clerk" in taken.output
    again = cli(dana, "ar", "pay", "1", "1.00", "--date", "2001-05-11")
    assert again.exit_code == 1 and "needs the clerk role" in again.output
    missing = cli(postgres_url, "ledger", "grant", "reader", "--to", "nobody-at-all")
    assert missing.exit_code == 1 and "no database user 'nobody-at-all'" in missing.output
    # The admin holds reader through admin: revoking reader alone would change nothing.
    kept = cli(postgres_url, "ledger", "grant", "reader", "--revoke", "--to", who(team["admin"]))
    assert kept.exit_code == 1
    assert (f"{who(team['admin'])} holds reader through admin (each role holds the ones before "
            f"it): revoke admin instead; nothing changed") in one_line(kept)
    with Ledger(postgres_url, "read") as book, book.read() as conn:
        database = conn.execute(text("SELECT current_database()")).scalar()
    own = cli(postgres_url, "ledger", "grant", "admin", "--to", role_name(database, "reader"))
    assert own.exit_code == 1
    assert f"{role_name(database, 'reader')} is this ledger's reader role, not a database user" \
        in one_line(own)


def test_on_sqlite_the_author_is_the_login_name_and_a_typed_name_is_on_behalf_of(tmp_path):
    ledger = str(tmp_path / "ledger.sqlite3")
    assert run_month(ledger, "2001-04", tmp_path / "out").exit_code == 0
    paid = cli(ledger, "ar", "pay", "1", "1.00", "--date", "2001-05-10", "--user", "dana")
    assert paid.exit_code == 0
    me = login_name()
    assert f"recorded by {me} (on behalf of dana)" in paid.output
    assert cli(ledger, "ar", "pay", "1", "1.00", "--date", "2001-05-11", user=me).exit_code == 0
    log = json.loads(cli(ledger, "ledger", "log", "--format", "json").stdout)
    assert [e["recorded_by"] for e in log] == [me] * 3 + [f"{me} (on behalf of dana)", me]
    dana = json.loads(cli(ledger, "ledger", "log", "--user", "dana", "--format", "json").stdout)
    assert [e["document"] for e in dana] == ["payment 1"]
    grant = cli(ledger, "ledger", "grant", "clerk", "--to", "dana")
    assert grant.exit_code == 1 and "roles are for a ledger on PostgreSQL" in grant.output
