"""Loaders: files in, plain text out, with a clear :class:`LoadError` for every bad file.

The only ingest module that touches the file system. :func:`load_file` turns one
``.txt``, ``.md``, ``.html`` or ``.pdf`` file into :class:`LoadedText`;
:func:`iter_corpus` expands files and folders into the files to load. The text is
*not* normalised here: the caller runs :func:`ingest.normalize.normalize_text`.

Example:
    >>> for entry in iter_corpus(["data/releases"]):  # doctest: +SKIP
    ...     if entry.error is None:
    ...         loaded = load_file(entry.path)
"""

from __future__ import annotations

import errno
import os
import re
import stat
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .decoding import BOMS, Unloadable, decode_text, guess_utf16, short
from .formats import FORMATS, MAX_FILE_BYTES, SUPPORTED_SUFFIXES, format_size
from .source_links import source_url
from .types import LoadedText, LoadError

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "CorpusEntry",
    "iter_corpus",
    "load_file",
]

_WORD_CHAR = re.compile(r"[^\W_]")  # a letter or digit: text worth indexing
_BLANK = "no text (whitespace only)"
_NO_TEXT = {
    "txt": "no text (no letters or digits)",
    "md": "no text in the Markdown",
    "html": "no text found in the HTML",
    "pdf": "no extractable text in the PDF (scanned or image-only?)",
}


# --------------------------------------------------------------------------- files


def load_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_FILE_BYTES) -> LoadedText:
    """Read one supported file and return its plain text.

    Args:
        path: A ``.txt``, ``.md``/``.markdown``, ``.html``/``.htm`` or ``.pdf`` file.
        max_bytes: Refuse files larger than this many bytes.

    Returns:
        The extracted text (not normalised), the format, one of
        ``"txt"``, ``"md"``, ``"html"``, ``"pdf"``, and the release's own source link
        when the file names one (:func:`ingest.source_links.source_url`).

    Raises:
        LoadError: The file is missing, unreadable, a folder, of an unsupported type,
            too large, empty, binary, undecodable, an encrypted or broken PDF, or has
            no text. ``str(err)`` is ``"<path>: <reason>"``. No other exception type
            escapes for a bad file.

    Example:
        >>> load_file("release.md").text  # doctest: +SKIP
        'Acme Announces Results\\n\\nRevenue grew 12%.'
    """
    name = os.fspath(path)
    notes: tuple[str, ...] = ()
    try:
        data, fmt = _read_bytes(Path(name), max_bytes)
        data, notes = _strip_stray_nuls(data, fmt)
        with warnings.catch_warnings():  # parsers warn about bad input; we report it instead
            warnings.simplefilter("ignore")
            text, url, published = _extract(data, fmt)
        if not _WORD_CHAR.search(text):
            raise Unloadable(_NO_TEXT[fmt] if text.strip() or fmt != "txt" else _BLANK)
    except Unloadable as exc:
        raise LoadError(name, str(exc)) from None
    except RecursionError:
        raise LoadError(name, "structure nested too deeply to read") from None
    except Exception as exc:  # a parser failing on input we did not foresee
        reason = f"could not extract text ({type(exc).__name__}: {short(exc)})"
        raise LoadError(name, reason) from exc
    return LoadedText(path=name, text=text, format=fmt, notes=notes, url=url, published=published)


# A text file with this few NUL bytes (per byte of text) is text with a stray NUL, not binary.
_STRAY_NUL_SHARE = 1 / 1000


def _strip_stray_nuls(data: bytes, fmt: str) -> tuple[bytes, tuple[str, ...]]:
    """Remove a few stray NUL bytes from a text file (not UTF-16, where NULs belong)."""
    count = data.count(0)
    if fmt == "pdf" or not count or count > max(1, len(data) * _STRAY_NUL_SHARE):
        return data, ()
    if data.startswith(tuple(bom for bom, _ in BOMS)) or guess_utf16(data[:65536]):
        return data, ()
    return data.replace(b"\x00", b""), (f"removed {count} stray NUL byte{'s' * (count > 1)}",)


def _extract(data: bytes, fmt: str) -> tuple[str, str | None, str | None]:
    """The text of a file's bytes in the given format, the release's source link (read
    from the file as written: Markdown and HTML lose their links as text), and the
    published date a web page's metadata states."""
    if fmt == "pdf":  # the parsers load on first use: text files need neither
        from .pdf import pdf_to_text

        text = pdf_to_text(data)
        return text, source_url(text, fmt), None
    if fmt == "html":
        from .html import decode_html, read_html

        page = decode_html(data)
        text, published = read_html(page, page=True)
        return text, source_url(page, fmt), published
    source = decode_text(data)
    if fmt == "md":
        from .html import markdown_to_text

        return markdown_to_text(source), source_url(source, fmt), None
    return source, source_url(source, fmt), None


def _read_bytes(path: Path, max_bytes: int) -> tuple[bytes, str]:
    """Check the file and read it; return its bytes and format name."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise Unloadable("no such file") from None
    except OSError as exc:
        raise Unloadable(_os_reason(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise Unloadable("is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        shown = f"'{path.suffix}'" if path.suffix else "no suffix"
        raise Unloadable(
            f"unsupported file type ({shown}; supported: {', '.join(SUPPORTED_SUFFIXES)})"
        )
    if not stat.S_ISREG(st.st_mode):
        raise Unloadable("not a regular file")
    if st.st_size > max_bytes:
        raise Unloadable(
            f"file too large ({format_size(st.st_size)}; the limit is {format_size(max_bytes)})"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise Unloadable(_os_reason(exc)) from None
    if len(data) > max_bytes:  # the file grew after stat()
        raise Unloadable(f"file too large (more than the limit of {format_size(max_bytes)})")
    if not data:
        raise Unloadable("empty file")
    return data, FORMATS[suffix]


def _os_reason(exc: OSError) -> str:
    """A short reason for an OS error: "permission denied", "cannot read (...)"."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot read ({exc.strerror or type(exc).__name__})".lower()


# ------------------------------------------------------------------------ corpus


@dataclass(frozen=True)
class CorpusEntry:
    """One file found by :func:`iter_corpus`.

    ``error`` is None for a file to load, else why it is skipped (e.g. a symlink
    that leaves the folder being expanded, or a named path that does not exist).
    """

    path: Path
    error: str | None = None


def iter_corpus(
    paths: Iterable[str | os.PathLike[str]], *, root: str | os.PathLike[str] | None = None
) -> Iterator[CorpusEntry]:
    """Expand files and folders into the supported files, in a deterministic order.

    Folders are walked recursively in sorted name order. Hidden files and folders
    (names starting with ".") and unsupported file types inside folders are skipped
    silently; symlinked folders are not descended into. A symlink that resolves
    outside the folder being expanded (or outside ``root``, if given) is yielded
    with an ``error`` instead of being followed, as is a broken symlink, a named
    path that is missing or unsupported, or a folder that cannot be listed. Each
    file is yielded once, even when reached by several paths.

    Args:
        paths: Files and folders, e.g. the command-line arguments.
        root: If given, every file must resolve inside this folder, named files too.

    Yields:
        :class:`CorpusEntry` items; load those whose ``error`` is None.

    Example:
        >>> entries = list(iter_corpus(["data/releases"]))
        >>> [e.path.name for e in entries if e.error is None][0]
        '2014-03-04-cellectar-phase-2-imaging-trial-glioblastoma.txt'
    """
    fence = Path(root).resolve() if root is not None else None
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = _walk(path, fence or path.resolve())
        elif not path.exists() and not path.is_symlink():
            found = iter([CorpusEntry(path, "no such file or folder")])
        elif path.suffix.lower() not in FORMATS:
            found = iter(
                [CorpusEntry(path, f"unsupported file type ({path.suffix or 'no suffix'})")]
            )
        else:
            found = iter([_check_file(path, fence)])
        for item in found:
            if item.error is None:
                real = os.path.realpath(item.path)
                if real in seen:
                    continue
                seen.add(real)
            yield item


def _check_file(path: Path, boundary: Path | None) -> CorpusEntry:
    """An entry for one file, with an error if it leaves ``boundary`` or is a broken link."""
    try:
        os.path.realpath(path, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return CorpusEntry(path, "symlink loop (the link leads back to itself)")
    real = Path(os.path.realpath(path))
    if boundary is not None and not real.is_relative_to(boundary):
        kind = "symlink points" if path.is_symlink() else "file is"
        return CorpusEntry(path, f"{kind} outside {boundary}")
    if not real.exists():
        return CorpusEntry(path, "broken symlink" if path.is_symlink() else "no such file")
    return CorpusEntry(path)


def _walk(folder: Path, boundary: Path) -> Iterator[CorpusEntry]:
    """Depth-first walk of ``folder`` in name order, without following symlinked folders."""
    try:
        with os.scandir(folder) as listing:
            children = sorted(listing, key=lambda d: d.name)
    except OSError as exc:
        yield CorpusEntry(folder, f"cannot list folder ({_os_reason(exc)})")
        return
    for child in children:
        if child.name.startswith("."):
            continue
        path = folder / child.name
        try:
            is_dir = child.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(path, boundary)
        elif child.is_symlink() and path.is_dir():
            if not Path(os.path.realpath(path)).is_relative_to(boundary):
                yield CorpusEntry(path, f"symlink points outside {boundary}")
        elif Path(child.name).suffix.lower() in FORMATS:
            yield _check_file(path, boundary)
