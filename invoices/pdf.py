"""HTML documents rendered to PDF with WeasyPrint, written atomically, and read back for the
marker that says whose document a PDF is (invoices.documents).

WeasyPrint fetches nothing: the HTML inlines its stylesheet and the fetcher refuses every URL,
so a document never depends on (or leaks to) the network. Fonts come from the system (DejaVu
Sans) and are embedded in the PDF.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from pricing.errors import PricingError
from pricing.files import replaced_atomically

_STREAM = re.compile(rb"stream\r?\n")
_MARKER = re.compile(rb"/(kmcledgerid|kmcdocument)\s*\(([^)]*)\)")
_NAMES = {b"kmcledgerid": "kmc_ledger_id", b"kmcdocument": "kmc_document"}
MAX_SCAN = 8 * 1024 * 1024          # bytes of a PDF read when looking for the marker
MAX_INFLATE = 16 * 1024 * 1024      # bytes inflated in all, whatever the file holds


def _refuse(url: str, *args, **kwargs):
    raise ValueError(f"documents fetch nothing ({url[:60]})")


def _weasyprint():
    """WeasyPrint, imported quietly: its warnings (fontTools used where HarfBuzz-Subset is
    missing) are for its own maintainers, not for someone printing an invoice; only its errors
    are let through."""
    import logging
    import warnings

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import weasyprint
    return weasyprint


def pdf_bytes(html: str) -> bytes:
    """The PDF of a self-contained HTML document."""
    weasyprint = _weasyprint()

    return weasyprint.HTML(string=html, url_fetcher=_refuse).write_pdf(custom_metadata=True)


def write_pdf(html: str, path: Path) -> Path:
    """Render and write `path` (temporary name, then rename)."""
    data = pdf_bytes(html)
    with replaced_atomically(Path(path)) as temp:
        Path(temp).write_bytes(data)
    return Path(path)


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


def check_renderer() -> None:
    """Fail early, with a message, when WeasyPrint or the system library it needs is missing."""
    try:
        _weasyprint()
    except (ImportError, OSError) as error:
        raise PricingError(f"PDF output needs WeasyPrint and the Pango library: {error}") from None
