"""Saving uploaded releases into the corpus folder safely (the upload's edge).

Only the file types the loaders read are accepted, up to a size limit; names are
reduced to a safe basename; an existing different file is never overwritten; nothing
uploaded is ever executed.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from pathlib import Path

from ingest.formats import MAX_UPLOAD_BYTES, SUPPORTED_SUFFIXES

__all__ = [
    "MAX_UPLOAD_BYTES",
    "SUPPORTED_SUFFIXES",
    "UploadRefused",
    "rename_note",
    "safe_filename",
    "save_upload",
]


class UploadRefused(ValueError):
    """A file that the upload does not accept, with a short reason."""


def safe_filename(name: str) -> str:
    """A safe name for an uploaded file: basename only, ``[A-Za-z0-9._-]``, no hidden name.

    Raises:
        UploadRefused: the type is not one of ``SUPPORTED_SUFFIXES``.

    Example:
        >>> safe_filename("../../etc/Q3 results (final).PDF")
        'Q3-results-final.pdf'
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, ext = base.rpartition(".")
    if not dot or "." + ext.lower() not in SUPPORTED_SUFFIXES:
        allowed = ", ".join(SUPPORTED_SUFFIXES)
        raise UploadRefused(f"not a supported file type (use {allowed})")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem)
    stem = re.sub(r"\.{2,}", ".", stem)
    stem = re.sub(r"-{2,}", "-", stem).strip(".-_")[:120].strip(".-_")
    return f"{stem or 'release'}.{ext.lower()}"


def _same_content(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as fa, b.open("rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def save_upload(
    src: str | os.PathLike[str],
    corpus: Path,
    name: str | None = None,
    max_bytes: int | None = None,
) -> tuple[Path, bool]:
    """Copy an uploaded file into ``corpus`` under a safe, unused name; never executes it.

    An identical file already in ``corpus`` under that name is reused; a different one
    is never overwritten: the new file gets a numeric suffix (``name-1.txt``, ...).

    Returns:
        The file in ``corpus``, and whether this call created it.

    Raises:
        UploadRefused: wrong type, empty, or larger than ``MAX_UPLOAD_BYTES``.
    """
    src = Path(src)
    safe = safe_filename(name or src.name)
    size = src.stat().st_size
    if size == 0:
        raise UploadRefused("the file is empty")
    limit = MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if size > limit:
        raise UploadRefused(f"larger than the {limit / (1024 * 1024):g} MB limit")
    corpus.mkdir(parents=True, exist_ok=True)
    stem, ext = safe.rsplit(".", 1)
    for n in range(10_000):
        target = corpus / (safe if n == 0 else f"{stem}-{n}.{ext}")
        if target.is_symlink():
            continue
        if target.exists():
            if target.is_file() and _same_content(src, target):
                return target, False
            continue
        try:
            with src.open("rb") as fin, target.open("xb") as fout:
                shutil.copyfileobj(fin, fout)
        except FileExistsError:  # appeared meanwhile: try the next name
            continue
        return target, True
    raise UploadRefused("too many files with this name")


def rename_note(original: str, saved: str) -> str | None:
    """Why an upload was saved under another name than it came with, or None if it was not.

    >>> rename_note("Q3 results (final).PDF", "Q3-results-final.pdf")
    'Q3 results (final).PDF was saved as Q3-results-final.pdf (a safe file name)'
    >>> rename_note("news.txt", "news-1.txt")
    'news.txt was saved as news-1.txt (another file named news.txt is already there)'
    >>> rename_note("news.txt", "news.txt") is None
    True
    """
    if saved == original:
        return None
    safe = safe_filename(original)
    if saved == safe:
        why = "a safe file name"
    elif safe == original:
        why = f"another file named {original} is already there"
    else:
        why = f"a safe file name; another file named {safe} is already there"
    return f"{original} was saved as {saved} ({why})"
