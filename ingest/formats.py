"""The file types Pressroom reads and the size limits it applies (one list for every caller).

>>> FORMATS[".markdown"], ".pdf" in SUPPORTED_SUFFIXES, format_size(MAX_UPLOAD_BYTES)
('md', True, '25.0 MB')
"""

from __future__ import annotations

__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "MAX_PDF_PAGES",
    "MAX_UPLOAD_BYTES",
    "PDF_TIME_BUDGET_S",
    "SUPPORTED_SUFFIXES",
    "format_size",
]

# file suffix -> format name (what a loader extracts text from)
FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
SUPPORTED_SUFFIXES = tuple(FORMATS)
MAX_FILE_BYTES = 50 * 1024 * 1024  # a file larger than this is refused by the loaders
MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # an upload larger than this is refused by the app
MAX_PDF_PAGES = 500
PDF_TIME_BUDGET_S = 120.0  # checked between pages; a release takes well under a second


def format_size(n: int) -> str:
    """``"512 bytes"``, ``"1.5 KB"``, ``"60.0 MB"``."""
    if n < 1024:
        return f"{n} bytes"
    size, units = n / 1024, ["KB", "MB", "GB", "TB"]
    while size >= 1024 and len(units) > 1:
        size, units = size / 1024, units[1:]
    return f"{size:.1f} {units[0]}"
