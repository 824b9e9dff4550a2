"""Where documents go, and whose they are, so no output clobbers anything: the ledger's claims
on output paths (kept here, below every document writer, so billing and receivables can claim
a path inside their transaction without knowing how a document is laid out).

Checked before a command records anything: an output directory must be a directory we can
write in; an output file must not be an input, the ledger (or SQLite's files beside it), or a
directory. Every invoice and credit note workbook and PDF carries its ledger's identity and its
own name as document properties, so a file already at a document's path is overwritten only when it
is that same document of that same ledger: two ledgers writing into one folder refuse instead
of overwriting each other's invoices.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

from pricing.errors import PricingError
from pricing.fileio.writes import create_exclusively

LEDGER_PROPERTY = "kmc_ledger_id"
DOCUMENT_PROPERTY = "kmc_document"
_STREAM = re.compile(rb"stream\r?\n")
_MARKER = re.compile(rb"/(kmcledgerid|kmcdocument)\s*\(([^)]*)\)")
_NAMES = {b"kmcledgerid": "kmc_ledger_id", b"kmcdocument": "kmc_document"}
MAX_SCAN = 8 * 1024 * 1024          # bytes of a PDF read when looking for the marker
MAX_INFLATE = 16 * 1024 * 1024      # bytes inflated in all, whatever the file holds


_PROPERTY = re.compile(r'name="(kmc_ledger_id|kmc_document)"[^>]*>\s*<vt:lpwstr>([^<]*)</vt:lpwstr>')


def marker(ledger_id: str, document: str) -> dict[str, str]:
    """The document properties that say whose a workbook is."""
    return {LEDGER_PROPERTY: ledger_id, DOCUMENT_PROPERTY: document}


def owner_of(path: Path) -> dict[str, str]:
    """The marker properties found in a workbook or a PDF ({} for any other file)."""
    found = pdf_marker(path)
    if found:
        return found
    try:
        with zipfile.ZipFile(path) as book:
            text = book.read("docProps/custom.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return {}
    return dict(_PROPERTY.findall(text))


def pdf_marker(path: Path) -> dict[str, str]:
    """The marker properties a PDF of ours carries in its document information ({} for any
    other file). WeasyPrint compresses the information dictionary into an object stream, so
    each compressed stream is inflated (bounded, against a hostile file) and searched."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SCAN)
    except OSError:
        return {}
    if not data.startswith(b"%PDF-"):
        return {}
    found: dict[str, str] = {}
    budget = MAX_INFLATE

    def search(chunk: bytes) -> None:
        for name, value in _MARKER.findall(chunk):
            found.setdefault(_NAMES[name], value.decode("latin-1"))

    search(data)
    view = memoryview(data)
    for match in _STREAM.finditer(data):
        if budget <= 0 or len(found) == len(_NAMES):
            break
        try:
            chunk = zlib.decompressobj().decompress(view[match.end():], min(budget, 1 << 20))
        except zlib.error:
            continue
        budget -= len(chunk)
        search(chunk)
    return found


def invoice_document(number: int) -> str:
    """A document's name, as its claim and its marker carry it."""
    return f"invoice {number:06d}"


def credit_document(number: int) -> str:
    return f"credit note {number:06d}"


def _claim_text(ledger_id: str, document: str) -> bytes:
    return f"kmc-pricing claim: {document} of ledger {ledger_id}\n".encode()


def may_write(path: Path, ledger_id: str, document: str) -> bool:
    """Whether `path` is free for this document: absent, this ledger's claim on it, or this
    very document of this ledger."""
    if not path.exists():
        return True
    if not path.is_file():
        return False
    if path.stat().st_size < 200:
        try:
            return path.read_bytes() == _claim_text(ledger_id, document)
        except OSError:
            return False
    return owner_of(path) == marker(ledger_id, document)


def claim(path: Path, ledger_id: str, document: str) -> bool:
    """Take `path` for a document before the ledger commits it, atomically (O_EXCL), so two
    ledgers issuing into one folder at the same moment cannot both take one name: the loser is
    refused. True when this call created the claim (the caller removes it if it rolls back);
    False when the path was already this document's. PricingError when another's."""
    if create_exclusively(path, _claim_text(ledger_id, document)):
        return True
    if may_write(path, ledger_id, document):
        return False
    raise PricingError(f"{path} already exists and is not this ledger's {document} (does "
                       f"another ledger write into {path.parent}?): nothing recorded; "
                       f"choose another output directory")


def release(paths: list[Path]) -> None:
    """Remove claims made by a command that then recorded nothing."""
    for path in paths:
        try:
            path.unlink()
        except OSError:
            pass


def _probe(directory: Path) -> None:
    probe = directory / f".kmc-pricing-probe-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise PricingError(f"cannot write in {directory} ({error.strerror or error})") from None


def output_dir(directory: Path, option: str = "--out") -> Path:
    """The resolved output directory, created if missing and proven writable."""
    try:
        resolved = directory.resolve()
        if resolved.exists() and not resolved.is_dir():
            raise PricingError(f"{option} {directory}: not a directory")
        resolved.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PricingError(f"{option} {directory}: cannot create the directory "
                           f"({error.strerror or error})") from None
    _probe(resolved)
    return resolved


def output_file(path: Path, forbidden: Mapping[Path, str], option: str = "-o") -> Path:
    """The resolved output file, refused when it is a directory, one of `forbidden` ({path:
    what it is, e.g. "the ledger"}), or when its directory cannot be written."""
    resolved = path.resolve()
    if resolved.is_dir():
        raise PricingError(f"{option} {path}: a directory; give a file name")
    if resolved.is_file() and resolved.stat().st_size < 200 and \
            resolved.read_bytes().startswith(b"kmc-pricing claim:"):
        raise PricingError(f"{option} {path}: that path is claimed by a ledger for a document "
                           f"not written yet. Choose another file")
    if resolved.is_file() and owner_of(resolved):
        found = owner_of(resolved).get(DOCUMENT_PROPERTY, "a document")
        raise PricingError(f"{option} {path}: that is {found} of a ledger; writing there would "
                           f"destroy it. Choose another file")
    for other, what in forbidden.items():
        if resolved == Path(other).resolve():
            raise PricingError(f"{option} {path}: that is {what}; writing there would destroy "
                               f"it. Choose another file")
    if resolved.exists() and not resolved.is_file():
        raise PricingError(f"{option} {path}: not a regular file")
    parent = resolved.parent
    if not parent.is_dir():
        raise PricingError(f"{option} {path}: no directory {parent}")
    _probe(parent)
    return resolved
