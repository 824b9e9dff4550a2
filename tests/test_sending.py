"""E-mailing documents (issue 25) to a real SMTP server (aiosmtpd) on 127.0.0.1: the messages
are read back (recipient, subject, the PDF attachment's invoice number and total), every
message is in the outbox, a document is sent once unless --resend, and a missing address or a
tampered invoice sends nothing."""

from __future__ import annotations

import csv
import hashlib
import email
import io
import socket
import sqlite3
import subprocess
from email import policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricing.cli import app
from tests.conftest import rehash

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()
ADDRESSES = {"KMC Telecom II, Inc.": "ap@kmc2.example", "KMC Telecom III, Inc.": "ap@kmc3.example",
             "KMC Telecom of Virginia, Inc.": "ap@kmcva.example"}


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:                      # a free port on the loopback only
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"127.0.0.1:{port}", inbox
    controller.stop()


def with_addresses(tables_copy: Path) -> Path:
    """The tables with billing addresses for KMC Telecom II, III and Virginia."""
    path = tables_copy / "customers" / "1997-03-06.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["entity"] in ADDRESSES:
            row["billing_email"] = ADDRESSES[row["entity"]]
            row["billing_email_source"] = "the test's accounts payable contacts"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    rehash(tables_copy)
    return tables_copy


@pytest.fixture
def ledger(tmp_path, tables_copy):
    """The examples' April invoices, priced with tables whose customers have billing addresses
    for KMC Telecom II, III and Virginia."""
    with_addresses(tables_copy)
    ledger = tmp_path / "ledger.sqlite3"
    made = pricing(ledger, tables_copy, "invoice", "run", "--month", "2001-04", "--cities",
                   str(EXAMPLES / "invoice_cities.csv"), "--hours",
                   str(EXAMPLES / "invoice_hours.csv"), "--out", str(tmp_path / "out"))
    assert made.exit_code == 0, made.output
    return ledger, tables_copy


def pricing(ledger: Path, tables: Path, *args: str):
    return runner.invoke(app, [*args, "--ledger", str(ledger), "--tables", str(tables)])


def pdf_text(message) -> str:
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=attachment.get_content(),
                          capture_output=True, check=True).stdout.decode()


def test_an_invoice_is_mailed_once_and_read_back(ledger, smtp, tmp_path):
    (book, tables), (server, inbox) = ledger, smtp
    sent = pricing(book, tables, "documents", "send", "invoice", "2", "--smtp", server,
                   "--from", "billing@lucent.example")
    assert sent.exit_code == 0, sent.output
    ((to, message),) = inbox.messages
    assert to == ["ap@kmc3.example"] and message["To"] == "ap@kmc3.example"
    assert message["Subject"] == ("Lucent Technologies Inc., Global Service Providers Group: "
                                  "invoice 000002 for 2001-04 (273,083.33 USD, due 2001-05-20)")
    text = pdf_text(message)
    assert "000002" in text and "273,083.33" in text
    again = pricing(book, tables, "documents", "send", "invoice", "2", "--smtp", server,
                    "--from", "billing@lucent.example")
    assert again.exit_code == 0 and "skipped: already sent" in again.output
    assert len(inbox.messages) == 1
    resent = pricing(book, tables, "documents", "send", "invoice", "2", "--smtp", server,
                     "--from", "billing@lucent.example", "--resend")
    assert resent.exit_code == 0 and len(inbox.messages) == 2
    with sqlite3.connect(book) as db:
        outbox = db.execute("SELECT document, recipient, message_id, result FROM outbox").fetchall()
    assert [(d, r, res) for d, r, _, res in outbox] == [
        ("invoice 000002", "ap@kmc3.example", "sent")] * 2
    assert outbox[0][2] == inbox.messages[0][1]["Message-ID"]
    assert pricing(book, tables, "ledger", "check").exit_code == 0


def test_a_missing_address_sends_nothing_and_names_the_customer(ledger, smtp):
    """The bundled tables give no address (the filed texts have none)."""
    (book, _), (server, inbox) = ledger, smtp
    refused = runner.invoke(app, ["documents", "send", "--pending", "--smtp", server, "--from",
                                  "billing@lucent.example", "--ledger", str(book)])
    assert refused.exit_code == 1
    assert ("no billing address for KMC Telecom II, Inc. in the customers table (not in the "
            "filed texts)") in refused.output
    assert "nothing was sent" in refused.output and inbox.messages == []


@pytest.mark.breaks_ledger
def test_a_tampered_invoice_is_not_sent(ledger, smtp):
    (book, tables), (server, inbox) = ledger, smtp
    with sqlite3.connect(book) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f"DROP TRIGGER {name}")
        db.execute("UPDATE invoices SET total_cents = 1000000 WHERE number = 1")
    refused = pricing(book, tables, "documents", "send", "invoice", "1", "--smtp", server,
                      "--from", "billing@lucent.example")
    assert refused.exit_code == 1 and "fails verification and is not sent" in refused.output
    assert inbox.messages == []


@pytest.mark.breaks_ledger
def test_a_statement_drawn_from_tampered_history_is_not_sent(ledger, smtp):
    # A statement's figures come from every kind of entry: a payment raised behind the tool's
    # back would print as genuine; the whole history is verified before a statement is sent.
    (book, tables), (server, inbox) = ledger, smtp
    paid = runner.invoke(app, ["ar", "pay", "1", "1000.00", "--date", "2001-05-10", "--ledger",
                               str(book)])
    assert paid.exit_code == 0, paid.output
    with sqlite3.connect(book) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f"DROP TRIGGER {name}")
        db.execute("UPDATE payments SET amount_cents = 2000000 WHERE id = 1")
    refused = pricing(book, tables, "documents", "send", "statement", "--customer",
                      "KMC Telecom II, Inc.", "--start", "2001-04-01", "--end", "2001-06-30",
                      "--smtp", server, "--from", "billing@lucent.example")
    assert refused.exit_code == 1
    assert ("payment 1: content does not match its recorded hash: statement KMC Telecom II, "
            "Inc. 2001-04-01 to 2001-06-30 fails verification and is not sent") in \
        " ".join(refused.output.split())
    assert inbox.messages == []


def test_a_server_that_refuses_is_recorded_as_failed(ledger):
    book, tables = ledger
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]                    # nothing listens there
    failed = pricing(book, tables, "documents", "send", "invoice", "1", "--smtp",
                     f"127.0.0.1:{port}", "--from", "billing@lucent.example")
    assert failed.exit_code == 1 and "failed: ConnectionRefusedError" in failed.output
    with sqlite3.connect(book) as db:
        assert db.execute("SELECT document, result FROM outbox").fetchone()[1].startswith("failed")


def test_pending_sends_invoices_and_reminder_letters_as_written(ledger, smtp, tmp_path):
    (book, tables), (server, inbox) = ledger, smtp
    letters = pricing(book, tables, "ar", "remind", "--as-of", "2001-05-25", "-o",
                      str(tmp_path / "letters"))
    assert letters.exit_code == 0, letters.output
    sent = pricing(book, tables, "documents", "send", "--pending", "--smtp", server,
                   "--from", "billing@lucent.example")
    assert sent.exit_code == 0, sent.output
    subjects = sorted(m["Subject"].split(": ", 1)[1] for _, m in inbox.messages)
    assert subjects == ["KMC Telecom II, Inc.", "KMC Telecom III, Inc.",
                        "KMC Telecom of Virginia, Inc.",
                        "invoice 000001 for 2001-04 (277,000.00 USD, due 2001-05-20)",
                        "invoice 000002 for 2001-04 (273,083.33 USD, due 2001-05-20)",
                        "invoice 000003 for 2001-04 (141,916.67 USD, due 2001-05-20)"]
    written = {p.name: p.read_bytes() for p in (tmp_path / "letters").iterdir()}
    attached = {a.get_filename(): a.get_content() for _, m in inbox.messages
                for a in m.iter_attachments() if a.get_filename().startswith("reminder")}
    assert attached == written                       # the letter sent is the letter recorded
    again = pricing(book, tables, "documents", "send", "--pending", "--smtp", server,
                    "--from", "billing@lucent.example")
    assert again.exit_code == 0 and len(inbox.messages) == 6          # nothing pending now
    assert pricing(book, tables, "ledger", "check").exit_code == 0


def test_a_letter_whose_file_is_gone_stays_pending_and_the_rest_go_out(ledger, smtp, tmp_path):
    # One letter deleted once stopped every --pending run, invoices too. Now it is skipped,
    # nothing recorded for it, and sent once its file is put back.
    (book, tables), (server, inbox) = ledger, smtp
    assert pricing(book, tables, "ar", "remind", "--as-of", "2001-05-25", "-o",
                   str(tmp_path / "letters")).exit_code == 0
    letter = sorted((tmp_path / "letters").iterdir())[0]            # KMC Telecom II's
    kept = letter.read_bytes()
    letter.unlink()
    send = ("documents", "send", "--pending", "--smtp", server, "--from", "billing@lucent.example")
    first = pricing(book, tables, *send)
    assert first.exit_code == 0, first.output
    assert (f"reminder {letter}  skipped: the letter file is not there any more; put it back "
            f"to send it (nothing is recorded)") in first.output
    assert len(inbox.messages) == 5                     # three invoices and two letters
    with sqlite3.connect(book) as db:
        assert db.execute("SELECT count(*) FROM outbox WHERE document = ?",
                          (f"reminder {letter}",)).fetchone() == (0,)
    letter.write_bytes(kept)
    second = pricing(book, tables, *send)
    assert second.exit_code == 0, second.output
    assert len(inbox.messages) == 6 and inbox.messages[-1][0] == ["ap@kmc2.example"]


def test_a_letter_changed_after_it_was_written_is_not_sent(ledger, smtp, tmp_path):
    (book, tables), (server, inbox) = ledger, smtp
    assert pricing(book, tables, "ar", "remind", "--as-of", "2001-05-25", "-o",
                   str(tmp_path / "letters")).exit_code == 0
    letter = sorted((tmp_path / "letters").iterdir())[0]
    with sqlite3.connect(book) as db:
        recorded = db.execute("SELECT sha256 FROM letter_files WHERE file = ?",
                              (str(letter),)).fetchone()[0]
    assert recorded == hashlib.sha256(letter.read_bytes()).hexdigest()
    letter.write_bytes(letter.read_bytes().replace(b"%%EOF", b"% edited\n%%EOF"))
    refused = pricing(book, tables, "documents", "send", "--pending", "--smtp", server,
                      "--from", "billing@lucent.example")
    assert refused.exit_code == 1
    assert (f"the reminder letter {letter} is not the letter written (its SHA-256 differs from "
            f"the one the ledger recorded): nothing was sent") in " ".join(refused.output.split())
    assert inbox.messages == []


def test_a_second_letter_of_the_same_name_in_another_folder_is_sent_too(ledger, smtp, tmp_path):
    (book, tables), (server, inbox) = ledger, smtp
    send = ("documents", "send", "--pending", "--smtp", server, "--from", "billing@lucent.example")
    assert pricing(book, tables, "invoice", "run", "--month", "2001-05", "--cities",
                   str(EXAMPLES / "invoice_cities.csv"), "--no-hours", "--out",
                   str(tmp_path / "out")).exit_code == 0
    # Virginia pays its May invoice (000006); on 2001-07-20 its letter lists only 000003.

    def bare(*args: str):                               # a command that takes no --tables
        return runner.invoke(app, [*args, "--ledger", str(book)])
    assert bare("ar", "pay", "6", "20416.67", "--date", "2001-06-01").exit_code == 0
    assert pricing(book, tables, "ar", "remind", "--as-of", "2001-07-20", "-o",
                   str(tmp_path / "first")).exit_code == 0
    assert pricing(book, tables, *send).exit_code == 0
    before = len(inbox.messages)
    # The payment bounces: a new letter of the same date and stage, so of the same file name.
    assert bare("ar", "void-payment", "1", "--date", "2001-06-10", "--reason",
                "bounced").exit_code == 0
    again = pricing(book, tables, "ar", "remind", "--as-of", "2001-07-20", "-o",
                    str(tmp_path / "first"))            # where the first one is: never over it
    assert again.exit_code == 1 and "already exists: a letter is never overwritten" in again.output
    moved = tmp_path / "moved"
    (tmp_path / "first").rename(moved)                  # the folder moved away, then reused
    refused = pricing(book, tables, "ar", "remind", "--as-of", "2001-07-20", "-o",
                      str(tmp_path / "first"))
    assert refused.exit_code == 1
    assert "a letter was written there before and is recorded under that name" in " ".join(
        refused.output.split())
    assert pricing(book, tables, "ar", "remind", "--as-of", "2001-07-20", "-o",
                   str(tmp_path / "second")).exit_code == 0
    assert pricing(book, tables, *send).exit_code == 0
    (to, message), = inbox.messages[before:]
    assert to == ["ap@kmcva.example"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content() == next((tmp_path / "second").iterdir()).read_bytes()


def test_a_statement_is_mailed_with_its_amount_due(ledger, smtp):
    (book, tables), (server, inbox) = ledger, smtp
    sent = pricing(book, tables, "documents", "send", "statement", "--customer",
                   "KMC Telecom II, Inc.", "--start", "2001-04-01", "--end", "2001-06-30",
                   "--smtp", server, "--from", "billing@lucent.example")
    assert sent.exit_code == 0, sent.output
    ((to, message),) = inbox.messages
    assert to == ["ap@kmc2.example"]
    assert message["Subject"].endswith("statement of account 2001-04-01 to 2001-06-30 (amount "
                                       "due 277,000.00 USD)")
    assert "277,000.00" in pdf_text(message)


@pytest.mark.breaks_ledger
def test_invoices_priced_before_addresses_were_added_are_still_re_derived(ledger, tmp_path):
    # The README's way to add billing addresses is a new version of the customers table: the
    # manifest's hash changes, and ledger check once re-derived nothing priced before it.
    # Prices are versioned apart, so the three April invoices re-derive the same under the
    # bundled tables; one rewritten behind the tool's back is named.
    book, _ = ledger
    bundled = runner.invoke(app, ["ledger", "check", "--ledger", str(book)])
    assert bundled.exit_code == 0, bundled.output
    assert ("3 invoice(s) priced with other tables than "
            in bundled.output) and ": 3 re-derive the same under them" in bundled.output
    with sqlite3.connect(book) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f"DROP TRIGGER {name}")
        db.execute("UPDATE lines SET unit_price = '1.00', amount_cents = 100 "
                   "WHERE invoice = 2 AND position = 1")
    tampered = runner.invoke(app, ["ledger", "check", "--ledger", str(book)])
    assert tampered.exit_code == 1
    said = " ".join(tampered.output.split())
    assert ": 2 re-derive the same under them; 1 differ (000002): check them with --tables " \
           "pointing at the tables they were priced with" in said
