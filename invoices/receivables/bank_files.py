"""Bank statements as the tool reads them: a bank's CSV export, or ISO 20022 camt.053 XML.

The first step of cash application (importing payments, issue 25): a statement's lines, each
with the identity that makes importing the same file twice record nothing twice. A file is read
whole before anything is done with it, and every problem is named by file and line (a CSV row,
or a camt.053 statement's entry), so a file with one bad line is refused whole.

- CSV: the columns holding the date, the amount, the payer and the reference are named in one
  small file (`data/bank_columns.csv`, or another given), since every bank names them its own
  way. A line's identity is the SHA-256 of its date, amount, payer and reference and of how
  many identical lines came before it in the file (two equal transfers on one day are two lines).
- camt.053 (any version 001.NN): each statement's opening balance plus its credits less its
  debits must equal its closing balance, exactly, or the file is refused as incomplete. An
  entry's identity is the statement's Id and the bank's reference of the entry (AcctSvcrRef,
  else NtryRef); an entry without one, or a batch of several transactions in one entry, is
  refused: neither could be imported exactly once. A line whose identity was imported before
  with another date, amount or payer is refused too (invoices.receivables.cash). XML is parsed by defusedxml with DTDs and entities refused:
  this machine's expat is older than 2.6, and no bank statement needs either.

Only money received is a payment: a debit, a zero or a negative amount, an amount in another
currency than the agreements' dollars, or a pending entry is a problem of its line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pricing.errors import Problem, ProblemsError
from pricing.fileio.csvfile import input_file_problem, read_records
from pricing.values import (AMOUNT_LIMIT, free_text, name_text, parse_amount, parse_date,
                            parse_decimal, shown)

FIELDS = ("date", "amount", "payer", "reference")
DEFAULT_COLUMNS = Path(__file__).resolve().parent / "data" / "bank_columns.csv"
CURRENCY = "USD"            # the agreements price in United States dollars
XML_LIMIT = 64 * 1024 * 1024          # bytes: a statement file larger than this is refused
_XML_DECIMAL = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,5})?")     # ISO 20022: 18 digits, 5 places


@dataclass(frozen=True)
class BankLine:
    """One payment received. Attributes: file (as given), line (the CSV row, or the entry's
    place in the file for camt.053), where (how a message names the line: "FILE line N", or
    "FILE statement ID entry N"), identity (stable
    across imports of the same file), date, amount (Decimal, two places), payer, reference."""

    file: str
    line: int
    where: str
    identity: str
    date: dt.date
    amount: Decimal
    payer: str
    reference: str


def read_bank_file(path: str | Path, columns: str | Path | None = None) -> list[BankLine]:
    """The payments a bank file holds (CSV, or camt.053 XML told by its first character), or
    ProblemsError naming every problem by file and line."""
    path = Path(path)
    refused = input_file_problem(path)
    if refused:
        raise ProblemsError([Problem(str(path), None, None, refused)], f"{path}: cannot be read")
    try:
        with path.open("rb") as handle:
            start = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as error:
        raise ProblemsError([Problem(str(path), None, None, f"cannot read ({error.strerror})")],
                            f"{path}: cannot be read") from None
    if start.startswith(b"<") or _utf16_markup(start):
        return read_camt053(path)
    return read_bank_csv(path, columns)


def _utf16_markup(start: bytes) -> bool:
    """Whether a file starts as XML in UTF-16 (with its byte order mark, as XML requires):
    a statement saved so is read as XML, not refused as a CSV that is not UTF-8."""
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if start.startswith(bom):
            text = start[2:len(start) - len(start) % 2].decode(encoding, "replace")
            return text.lstrip(" \t\r\n").startswith("<")
    return False


def read_columns(path: str | Path | None = None) -> dict[str, str]:
    """{field: the bank's column name, lower case} from a `field,column` file."""
    path = Path(path) if path is not None else DEFAULT_COLUMNS
    problems: list[Problem] = []
    found: dict[str, str] = {}
    mentioned: set[str] = set()       # a field on a row of its own that is wrong is said there
    for row, record in read_records(path, ("field", "column"), (), problems):
        field, column = record["field"].lower(), record["column"].strip().lower()
        mentioned.add(field)
        if field not in FIELDS:
            problems.append(Problem(str(path), row, "field", f"expected one of "
                                                             f"{', '.join(FIELDS)}, got {shown(field)}"))
        elif field in found:
            problems.append(Problem(str(path), row, "field", f"{field} is named twice"))
        elif not column:
            problems.append(Problem(str(path), row, "column", "expected a column name"))
        elif column in found.values():
            other = next(f for f, c in found.items() if c == column)
            problems.append(Problem(str(path), row, "column", f"{shown(column)} is named for "
                                                              f"{other} already: one column "
                                                              f"cannot hold two fields"))
        else:
            found[field] = column
    for field in FIELDS:
        if field not in mentioned and not any(p.row is None for p in problems):
            problems.append(Problem(str(path), None, None, f"no column named for {field}"))
    if problems:
        raise ProblemsError(problems, f"{path}: {len(problems)} problem(s) in the bank's columns")
    return found


def read_bank_csv(path: str | Path, columns: str | Path | None = None) -> list[BankLine]:
    named = read_columns(columns)
    label = str(path)
    problems: list[Problem] = []
    records = read_records(path, tuple(named[f] for f in FIELDS), None, problems)
    found, seen = [], Counter()
    for row, record in records:
        values, bad = {}, False
        for field in FIELDS:
            column = named[field]
            try:
                values[field] = _FIELD_PARSERS[field](record[column])
            except ValueError as error:
                problems.append(Problem(label, row, column, str(error)))
                bad = True
        if bad:
            continue
        key = (values["date"].isoformat(), f"{values['amount']:f}", values["payer"],
               values["reference"])
        seen[key] += 1
        identity = hashlib.sha256("\x1f".join((*key, str(seen[key]))).encode()).hexdigest()
        found.append(BankLine(label, row, f"{label} line {row}", f"csv:{identity}",
                              values["date"], values["amount"], values["payer"],
                              values["reference"]))
    if problems:
        raise ProblemsError(problems, f"{path}: {len(problems)} problem(s); nothing of it is "
                                      f"imported")
    return found


def _received(text: str) -> Decimal:
    """A payment's amount: money received, in whole cents (a debit is not a payment)."""
    if parse_decimal(text) <= 0:
        raise ValueError(f"expected money received (an amount more than zero), got {shown(text)}: "
                         f"a debit or a reversal is not a payment")
    return parse_amount(text)


def _reference(text: str) -> str:
    return free_text(text).strip()


_FIELD_PARSERS = {"date": parse_date, "amount": _received, "payer": name_text,
                  "reference": _reference}


# --- camt.053 ------------------------------------------------------------------------------

# A statement's Id and an entry's bank reference are Max35Text in ISO 20022: the identity of a
# line ("camt:ID:REF") then always fits the ledger's column (bank_lines.identity, 200).
MAX35 = 35


def read_camt053(path: str | Path) -> list[BankLine]:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, parse

    path, label = Path(path), str(path)
    if path.stat().st_size > XML_LIMIT:
        raise ProblemsError([Problem(label, None, None, f"larger than {XML_LIMIT:,} bytes: "
                                                        f"not read")], f"{path}: not read")
    try:
        root = parse(str(path), forbid_dtd=True, forbid_entities=True,
                     forbid_external=True).getroot()
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise ProblemsError([Problem(label, None, None, f"not a readable XML statement "
                                                        f"({error})")],
                            f"{path}: not read") from None
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if not namespace.startswith("urn:iso:std:iso:20022:tech:xsd:camt.053.001."):
        raise ProblemsError([Problem(label, None, None, f"not an ISO 20022 camt.053 statement "
                                                        f"(its namespace is {namespace!r})")],
                            f"{path}: not read")
    ns = {"c": namespace}
    problems: list[Problem] = []
    found: list[BankLine] = []
    place = 0
    statements = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if not statements:
        problems.append(Problem(label, None, None, "no statement (BkToCstmrStmt/Stmt) in it"))
    seen: set[str] = set()
    for statement in statements:
        statement_id = _text(statement, "c:Id", ns)
        if not statement_id:
            problems.append(Problem(label, None, None, "a statement without its Id: its entries "
                                                       "cannot be told from another statement's"))
            continue
        if len(statement_id) > MAX35:
            problems.append(Problem(label, None, None, f"a statement Id of {len(statement_id):,} "
                                                       f"characters: camt.053 allows at most "
                                                       f"{MAX35} (Max35Text)"))
            continue
        opening = _balance(statement, ("OPBD", "PRCD"), ns)
        closing = _balance(statement, ("CLBD",), ns)
        moved = Decimal(0)
        unread = False                  # an entry refused: its amount is unknown, so is the sum
        for number, entry in enumerate(statement.findall("c:Ntry", ns), start=1):
            place += 1
            where = f"{label} statement {statement_id} entry {number}"
            try:
                signed, line = _entry(entry, ns, label, place, where, statement_id)
            except ValueError as error:
                problems.append(Problem(label, None, None, f"statement {statement_id} entry "
                                                           f"{number}: {error}"))
                unread = True
                continue
            moved += signed
            if line.identity in seen:
                problems.append(Problem(label, None, None, f"statement {statement_id} entry "
                                                           f"{number}: its bank reference is "
                                                           f"another entry's too"))
            seen.add(line.identity)
            found.append(line)
        if opening is None or closing is None:
            problems.append(Problem(label, None, None, f"statement {statement_id}: expected an "
                                                       f"opening (OPBD) and a closing (CLBD) "
                                                       f"balance, to check it is whole"))
        elif isinstance(opening, str) or isinstance(closing, str):
            problems.append(Problem(label, None, None, f"statement {statement_id}: "
                                                       f"{opening if isinstance(opening, str) else closing}"))
        elif opening + moved != closing and not unread:
            problems.append(Problem(label, None, None, f"statement {statement_id}: opening "
                                                       f"balance {opening:,} plus its entries "
                                                       f"{moved:,} is {opening + moved:,}, not its "
                                                       f"closing balance {closing:,}: the "
                                                       f"statement is incomplete or altered"))
    if problems:
        raise ProblemsError(problems, f"{path}: {len(problems)} problem(s); nothing of it is "
                                      f"imported")
    return found


def _text(element, path: str, ns: dict) -> str | None:
    found = element.find(path, ns)
    return found.text.strip() if found is not None and found.text is not None else None


def _amount(element, ns: dict) -> Decimal:
    """An Amt with its currency and credit/debit sign, exact."""
    amount = element.find("c:Amt", ns)
    if amount is None or amount.text is None:
        raise ValueError("no amount (Amt)")
    currency = amount.get("Ccy")
    if currency != CURRENCY:
        raise ValueError(f"an amount in {shown(currency)}, not {CURRENCY}: the agreements "
                         f"price in dollars")
    text = amount.text.strip()
    if not _XML_DECIMAL.fullmatch(text):             # xs:decimal: no sign, exponent or NaN
        raise ValueError(f"expected an amount in whole cents, got {shown(amount.text)}")
    value = Decimal(text)
    if value >= AMOUNT_LIMIT:
        raise ValueError(f"expected an amount below {AMOUNT_LIMIT:,}, got {shown(amount.text)}")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"expected an amount in whole cents, got {shown(amount.text)}")
    sign = _text(element, "c:CdtDbtInd", ns)
    if sign not in ("CRDT", "DBIT"):
        raise ValueError(f"expected CdtDbtInd CRDT or DBIT, got {shown(sign)}")
    return value if sign == "CRDT" else -value


def _balance(statement, codes: tuple[str, ...], ns: dict) -> Decimal | str | None:
    for balance in statement.findall("c:Bal", ns):
        code = _text(balance, "c:Tp/c:CdOrPrtry/c:Cd", ns)
        if code in codes:
            try:
                return _amount(balance, ns)
            except ValueError as error:
                return f"balance {code}: {error}"
    return None


def _entry(entry, ns: dict, label: str, place: int, where: str, statement_id: str):
    """(the entry's signed amount, its BankLine); a debit is refused as a payment."""
    signed = _amount(entry, ns)
    status = _text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns)
    if status != "BOOK":
        raise ValueError(f"status {shown(status)}: only booked entries (BOOK) are money received")
    if signed <= 0:
        raise ValueError(f"a debit of {-signed:,} (money out) is not a payment received")
    booked = _text(entry, "c:BookgDt/c:Dt", ns) or (_text(entry, "c:BookgDt/c:DtTm", ns) or "")[:10]
    day = parse_date(booked or "")
    if len(entry.findall("c:NtryDtls/c:TxDtls", ns)) > 1:
        raise ValueError("a batch of several transactions in one entry: each payer's money "
                         "cannot be told apart; ask the bank for one entry per transaction")
    details = "c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr"
    payer = _text(entry, f"{details}/c:Nm", ns) or _text(entry, f"{details}/c:Pty/c:Nm", ns)
    payer = name_text(payer or "")
    reference = " ".join(e.text.strip() for e in entry.findall("c:NtryDtls/c:TxDtls/c:RmtInf/c:Ustrd", ns)
                         if e.text and e.text.strip())
    reference = _reference(reference)
    bank_ref = _text(entry, "c:AcctSvcrRef", ns) or _text(entry, "c:NtryRef", ns)
    if not bank_ref:
        raise ValueError("no bank reference (AcctSvcrRef or NtryRef): the entry cannot be told "
                         "from another, so importing it again could not be refused")
    if len(bank_ref) > MAX35:
        raise ValueError(f"a bank reference of {len(bank_ref):,} characters: camt.053 allows "
                         f"at most {MAX35} (Max35Text)")
    return signed, BankLine(label, place, where, f"camt:{statement_id}:{bank_ref}", day,
                            signed.quantize(Decimal("0.01")), payer, reference)
