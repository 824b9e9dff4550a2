"""HTML documents rendered to PDF with WeasyPrint, written atomically. The marker that says
whose document a PDF is is read back by invoices.ledger.claims.

WeasyPrint fetches nothing: the HTML inlines its stylesheet and the fetcher refuses every URL,
so a document never depends on (or leaks to) the network. Fonts come from the system (DejaVu
Sans) and are embedded in the PDF.
"""

from __future__ import annotations

from pathlib import Path

from pricing.errors import PricingError
from pricing.fileio.writes import replaced_atomically

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


def check_renderer() -> None:
    """Fail early, with a message, when WeasyPrint or the system library it needs is missing."""
    try:
        _weasyprint()
    except (ImportError, OSError) as error:
        raise PricingError(f"PDF output needs WeasyPrint and the Pango library: {error}") from None
