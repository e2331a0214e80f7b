"""PDF to plain text with pypdf, page by page, with clear reasons for bad files."""

from __future__ import annotations

import io
import re
import time

from pypdf import PageObject, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from .decoding import Unloadable, short
from .formats import MAX_PDF_PAGES, PDF_TIME_BUDGET_S
from .pdf_layout import Piece, paragraph_text

__all__ = ["pdf_to_text"]


# A hyphen at a line end between two lower-case letters: "treat-\nment".
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W\d_])")


def _dehyphenate(text: str) -> str:
    def join(m: re.Match[str]) -> str:
        before, after = m.string[m.start() - 1], m.string[m.end()]
        return "" if before.islower() and after.islower() else m.group()

    return _LINE_END_HYPHEN.sub(join, text)


def _page_text(page: PageObject) -> str:
    """A page's text with its paragraphs apart (:mod:`ingest.pdf_layout`).

    The positions come from the same extraction pass; when the text laid out from them
    does not hold the same letters as pypdf's own text (a page pypdf reorders), pypdf's
    text is kept as it is.
    """
    pieces: list[Piece] = []

    def visit(text: str, cm: list, tm: list, _font: object, size: float) -> None:
        if text.strip():
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[3] * cm[3]) or 1.0
            pieces.append(Piece(text.replace("\n", " "), float(y), float(size or 0) * scale))

    plain = page.extract_text(visitor_text=visit) or ""
    laid_out = paragraph_text(pieces)
    if _letters(laid_out) == _letters(plain):
        return laid_out
    return plain


def _letters(text: str) -> str:
    return "".join(sorted(c for c in text if c.isalnum()))


def pdf_to_text(data: bytes) -> str:
    """Extract the text of a PDF page by page, pages separated by a blank line, each
    page's paragraphs apart where its layout shows them."""
    if b"%PDF-" not in data[:1024]:
        raise Unloadable("not a PDF (no %PDF header)")
    pages: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError:
                raise Unloadable(
                    "encrypted PDF (AES; opening it needs the 'cryptography' package)"
                ) from None
            if not opened:
                raise Unloadable("encrypted PDF (a password is required)")
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise Unloadable(f"PDF has too many pages ({count}; the limit is {MAX_PDF_PAGES})")
        deadline = time.monotonic() + PDF_TIME_BUDGET_S
        for number, page in enumerate(reader.pages, start=1):
            if time.monotonic() > deadline:
                raise Unloadable(f"PDF text extraction too slow (stopped at page {number})")
            pages.append(_dehyphenate(_page_text(page)).strip())
    except (Unloadable, RecursionError):
        raise
    except FileNotDecryptedError:
        raise Unloadable("encrypted PDF (a password is required)") from None
    except DependencyError as exc:
        raise Unloadable(f"PDF needs an optional package ({short(exc)})") from None
    except PdfReadError as exc:
        raise Unloadable(f"not a valid PDF ({short(exc)})") from None
    except Exception as exc:  # pypdf on a damaged file can raise almost anything
        raise Unloadable(f"broken PDF ({type(exc).__name__}: {short(exc)})") from None
    return "\n\n".join(p for p in pages if p)
