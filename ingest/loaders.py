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

import codecs
import io
import os
import re
import stat
import time
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector
from bs4.element import Comment, NavigableString, PreformattedString, Tag
from charset_normalizer import from_bytes
from markdown_it import MarkdownIt
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from ingest.types import LoadedText, LoadError

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PDF_PAGES",
    "SUPPORTED_SUFFIXES",
    "CorpusEntry",
    "iter_corpus",
    "load_file",
]

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PDF_PAGES = 500
PDF_TIME_BUDGET_S = 120.0  # checked between pages; a release takes well under a second

_FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}


_WORD_CHAR = re.compile(r"[^\W_]")  # a letter or digit: text worth indexing
_BLANK = "no text (whitespace only)"
_NO_TEXT = {
    "txt": "no text (no letters or digits)",
    "md": "no text in the Markdown",
    "html": "no text found in the HTML",
    "pdf": "no extractable text in the PDF (scanned or image-only?)",
}


class _Unloadable(Exception):
    """Internal: a reason why a file cannot be loaded; :func:`load_file` adds the path."""


# --------------------------------------------------------------------------- files


def load_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_FILE_BYTES) -> LoadedText:
    """Read one supported file and return its plain text.

    Args:
        path: A ``.txt``, ``.md``/``.markdown``, ``.html``/``.htm`` or ``.pdf`` file.
        max_bytes: Refuse files larger than this many bytes.

    Returns:
        The extracted text (not normalised) and the format, one of
        ``"txt"``, ``"md"``, ``"html"``, ``"pdf"``.

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
    try:
        data, fmt = _read_bytes(Path(name), max_bytes)
        with warnings.catch_warnings():  # parsers warn about bad input; we report it instead
            warnings.simplefilter("ignore")
            text = _extract(data, fmt)
        if not _WORD_CHAR.search(text):
            raise _Unloadable(_NO_TEXT[fmt] if text.strip() or fmt != "txt" else _BLANK)
    except _Unloadable as exc:
        raise LoadError(name, str(exc)) from None
    except RecursionError:
        raise LoadError(name, "structure nested too deeply to read") from None
    except Exception as exc:  # a parser failing on input we did not foresee
        reason = f"could not extract text ({type(exc).__name__}: {_short(exc)})"
        raise LoadError(name, reason) from exc
    return LoadedText(path=name, text=text, format=fmt)


def _extract(data: bytes, fmt: str) -> str:
    """The text of a file's bytes in the given format."""
    if fmt == "pdf":
        return _pdf_to_text(data)
    if fmt == "html":
        return _html_to_text(_decode_html(data), page=True)
    if fmt == "md":
        return _markdown_to_text(_decode_text(data))
    return _decode_text(data)


def _read_bytes(path: Path, max_bytes: int) -> tuple[bytes, str]:
    """Check the file and read it; return its bytes and format name."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise _Unloadable("no such file") from None
    except OSError as exc:
        raise _Unloadable(_os_reason(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise _Unloadable("is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        shown = f"'{path.suffix}'" if path.suffix else "no suffix"
        raise _Unloadable(
            f"unsupported file type ({shown}; supported: {', '.join(SUPPORTED_SUFFIXES)})"
        )
    if not stat.S_ISREG(st.st_mode):
        raise _Unloadable("not a regular file")
    if st.st_size > max_bytes:
        raise _Unloadable(
            f"file too large ({_format_size(st.st_size)}; the limit is {_format_size(max_bytes)})"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise _Unloadable(_os_reason(exc)) from None
    if len(data) > max_bytes:  # the file grew after stat()
        raise _Unloadable(f"file too large (more than the limit of {_format_size(max_bytes)})")
    if not data:
        raise _Unloadable("empty file")
    return data, _FORMATS[suffix]


def _os_reason(exc: OSError) -> str:
    """A short reason for an OS error: "permission denied", "cannot read (...)"."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot read ({exc.strerror or type(exc).__name__})".lower()


def _format_size(n: int) -> str:
    """``"512 bytes"``, ``"1.5 KB"``, ``"60.0 MB"``."""
    if n < 1024:
        return f"{n} bytes"
    size, units = n / 1024, ["KB", "MB", "GB", "TB"]
    while size >= 1024 and len(units) > 1:
        size, units = size / 1024, units[1:]
    return f"{size:.1f} {units[0]}"


# ------------------------------------------------------------------------ decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control bytes that do not occur in text (tab, LF, VT, FF, CR and ESC do).
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
_BAD_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\ud800-\udfff]")
# A non-ASCII character between two letters; a symbol there ("og³osi³a") is mojibake.
_WORD_INTERNAL = re.compile(r"(?<=[^\W\d_])[^\x00-\x7f](?=[^\W\d_])")
# Symbols, digits and "other" punctuation ("³", "¤", "±", "¿"); not quotes or dashes.
_MOJIBAKE_CATEGORIES = frozenset({"Sm", "Sc", "Sk", "So", "No", "Nd", "Nl", "Po"})
# A word of accented Latin letters only ("Ìîñêâà"): another script read as Latin.
_ACCENTED_WORD = re.compile(
    r"(?<![^\W\d_])[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]{3,}(?![^\W\d_])"
)
_MULTIBYTE = ("utf_16", "utf_32", "big5", "gb", "hz", "euc", "shift", "cp9", "iso2022", "johab")


def _legacy_fallback(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode bytes that are not UTF-8 as Windows-1252."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    chunk = err.object[err.start : err.end]
    return chunk.decode("cp1252", errors="replace"), err.end


codecs.register_error("pressroom-cp1252", _legacy_fallback)


def _decode_text(data: bytes) -> str:
    """Decode the bytes of a text file; raise :class:`_Unloadable` if they are not text.

    Order: a UTF-16/32 BOM; UTF-8 (with or without a BOM); mostly UTF-8 with a few
    Windows-1252 bytes (decoded run by run); a legacy single-byte encoding chosen with
    charset-normalizer (Windows-1252 on a tie); UTF-8 with replacement characters if
    they are rare.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]  # then as UTF-8 without one, repairs included
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(encoding))
            except UnicodeDecodeError:
                raise _Unloadable(f"undecodable text (invalid {encoding.upper()})") from None
    head = data[:65536]
    if b"\x00" in head:
        utf16 = _guess_utf16(head)
        if utf16 is None:
            raise _Unloadable("binary content (NUL bytes), not text")
        try:
            return _checked(data.decode(utf16))
        except UnicodeDecodeError:
            raise _Unloadable("binary content (NUL bytes), not text") from None
    if len(head.translate(None, _CONTROL_BYTES)) < 0.95 * len(head):
        raise _Unloadable("binary content (control bytes), not text")
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    valid = data.decode("utf-8", errors="ignore")
    invalid = len(data) - len(valid.encode("utf-8"))  # bytes that are not valid UTF-8
    valid_multibyte = len(valid.encode("utf-8")) - len(valid.encode("ascii", errors="ignore"))
    if valid_multibyte >= max(1, invalid // 10):
        return _checked(data.decode("utf-8", errors="pressroom-cp1252"))
    legacy = _decode_legacy(data)
    if legacy is not None:
        return _checked(legacy)
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= max(1, len(text) // 1000):
        return _checked(text)
    raise _Unloadable("undecodable text (not UTF-8 and no single-byte encoding fits)")


def _guess_utf16(head: bytes) -> str | None:
    """Recognise UTF-16 without a BOM by its NUL bytes in every other position."""
    pairs = len(head) // 2
    if pairs < 2 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd >= 0.4 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.4 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes) -> str | None:
    """Decode bytes in a single-byte encoding, or return None if none fits."""
    matches = [m for m in from_bytes(data) if not m.encoding.startswith(_MULTIBYTE)]
    try:
        cp1252 = data.decode("cp1252")
    except UnicodeDecodeError:
        cp1252 = None
    if not matches:
        return cp1252  # None if it does not fit either
    best_chaos = min(m.chaos for m in matches)
    candidates = [str(m) for m in matches if m.chaos <= best_chaos + 0.02]
    if cp1252 is not None:
        candidates.insert(0, cp1252)  # charset-normalizer misjudges short texts; first wins ties
    return min(candidates, key=_mojibake_score)  # min() keeps the first of equals


def _mojibake_score(text: str) -> int:
    """Count signs of a wrong code page: symbols inside words ("og³osi³a"), controls."""
    symbols = sum(
        1
        for m in _WORD_INTERNAL.finditer(text)
        if unicodedata.category(m.group()) in _MOJIBAKE_CATEGORIES
    )
    score = symbols + 5 * len(_BAD_CHARS.findall(text))
    return score + 3 * len(_ACCENTED_WORD.findall(text))


def _checked(text: str) -> str:
    """Refuse decoded text that is mostly control, private-use or replacement characters."""
    sample = text[:65536]
    if sample and len(_BAD_CHARS.findall(sample)) > 0.05 * len(sample):
        raise _Unloadable("undecodable text (mostly non-text characters)")
    return text


def _decode_html(data: bytes) -> str:
    """Decode HTML bytes: a BOM, else the declared ``<meta charset>``, else as text."""
    if data.startswith((codecs.BOM_UTF8, *(bom for bom, _ in _BOMS))) or b"\x00" in data[:65536]:
        return _decode_text(data)
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    if declared:
        declared = declared.lower()
        if declared in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
            declared = "cp1252"  # as browsers do (WHATWG encoding standard)
        try:
            if not codecs.lookup(declared).name.startswith(("utf-16", "utf-32")):
                return _checked(data.decode(declared))
        except (LookupError, ValueError):  # UnicodeError is a ValueError
            pass  # a wrong or unknown declaration: detect instead
    return _decode_text(data)


# ---------------------------------------------------------------------- markdown


def _markdown_to_text(source: str) -> str:
    """Render Markdown to HTML with markdown-it-py, then take the text of the HTML."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return _html_to_text(md.render(source), page=False)


# -------------------------------------------------------------------------- HTML

# Elements whose content is never text of the release.
_JUNK = frozenset(
    "script style noscript template iframe frame frameset object embed applet svg math canvas "
    "img picture video audio source track map area button input select option textarea "
    "datalist head title meta link base".split()
)
# Page chrome: dropped unless inside the main content (<article>/<main>).
_CHROME = frozenset({"header", "footer", "aside"})
_CHROME_ROLES = frozenset({"banner", "contentinfo", "complementary"})
_JUNK_CLASSES = frozenset(
    "breadcrumb breadcrumbs cookie-banner cookie-consent share sharing social-share "
    "skip-link sr-only visually-hidden screen-reader-text".split()
)
_PARAGRAPH_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dl section article main header footer "
    "aside nav figure address hr form fieldset details summary center body".split()
)
_LINE_TAGS = frozenset({"li", "tr", "dt", "dd", "caption", "figcaption", "legend"})
_CELL_TAGS = frozenset({"td", "th"})
_LINK_LIST_TAGS = frozenset({"td", "ul", "ol", "dl", "div", "p", "section", "table", "span"})
_SPACE_RUN = re.compile(r"[ \t\n\r\f]+")


def _html_to_text(html: str, *, page: bool) -> str:
    """Plain text of HTML, one blank line between paragraphs.

    With ``page=True`` the markup is treated as a web page: navigation, header,
    footer, sidebars and forms are dropped, the main content is kept, and the
    headline (the first ``<h1>``, else ``<title>``) becomes the first paragraph.
    """
    soup = BeautifulSoup(html, "lxml")
    title_tag = soup.find("title")
    title = _SPACE_RUN.sub(" ", title_tag.get_text()).strip() if title_tag else ""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    _drop(soup.find_all(lambda t: t.name in _JUNK or _is_hidden(t)))
    if not page:
        return _block_text(soup)

    body = soup.body or soup
    _drop(body.find_all(lambda t: t.name == "nav" or t.get("role") in ("navigation", "search")))
    root = _main_content(body)
    headline = _headline(body, root, title)

    def in_content(tag: Tag) -> bool:  # e.g. an <article>'s own <header> with the date
        inside_root = root is not body and any(p is root for p in tag.parents)
        return inside_root or tag.find_parent(["article", "main"]) is not None

    chrome = body.find_all(lambda t: t.name in _CHROME or t.get("role") in _CHROME_ROLES)
    _drop(t for t in chrome if not in_content(t))
    keep = {id(root), *(id(p) for p in root.parents)}
    body_chars = len(body.get_text(strip=True))
    _drop(  # sign-up and search forms; not a form wrapping the page (ASP.NET does that)
        t
        for t in body.find_all("form")
        if id(t) not in keep
        if root is not body or len(t.get_text(strip=True)) < 0.25 * body_chars
    )
    _drop(t for t in _link_lists(body) if id(t) not in keep)
    text = _block_text(root)
    first = _SPACE_RUN.sub(" ", text.split("\n\n", 1)[0])
    if headline and first != headline:  # else the page repeats it, e.g. in bold
        text = f"{headline}\n\n{text}" if text else headline
    return text


def _is_hidden(tag: Tag) -> bool:
    """Hidden from readers: ``hidden``, ``aria-hidden``, ``display: none``, or a
    screen-reader / share / cookie-banner class."""
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    style = str(tag.get("style", "")).replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    return any(c.lower() in _JUNK_CLASSES for c in tag.get_attribute_list("class") if c)


def _drop(tags: Iterable[Tag]) -> None:
    """Remove elements (and their content) from the tree."""
    for tag in list(tags):
        if not tag.decomposed:
            tag.decompose()


def _link_lists(body: Tag) -> list[Tag]:
    """Blocks that are mostly links (menus, "related" lists): three or more links
    making up at least 80% of the block's text."""
    nodes = [body, *body.descendants]
    counts: dict[int, list[int]] = {}  # id(tag) -> [text chars, link chars, links]
    found = []
    for node in reversed(nodes):  # every node comes after all of its descendants
        parent = node.parent
        if isinstance(node, Tag):
            chars, link_chars, links = counts.pop(id(node), [0, 0, 0])
            if node.name == "a":
                link_chars, links = chars, links + 1
            elif node.name in _LINK_LIST_TAGS and links >= 3 and link_chars >= 0.8 * chars:
                found.append(node)
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            chars, link_chars, links = len(node.strip()), 0, 0
        else:
            continue
        if parent is not None:
            total = counts.setdefault(id(parent), [0, 0, 0])
            total[0] += chars
            total[1] += link_chars
            total[2] += links
    return found


def _main_content(body: Tag) -> Tag:
    """The element holding the release: the largest <main>/<article>, else the body.

    An <article> inside the chosen <main> that holds most of its text is preferred;
    a candidate with under a quarter of the page's text is ignored.
    """
    candidates = body.find_all(["main", "article"]) + body.find_all(attrs={"role": "main"})
    sizes = {id(c): len(c.get_text(strip=True)) for c in candidates}
    best: Tag = body
    best_size = 0.25 * len(body.get_text(strip=True))
    for tag in candidates:
        if sizes[id(tag)] > best_size and sizes[id(tag)] > 0:
            best, best_size = tag, sizes[id(tag)]
    for tag in candidates:  # document order: inner candidates come after outer ones
        if any(p is best for p in tag.parents) and sizes[id(tag)] >= 0.6 * best_size:
            best, best_size = tag, sizes[id(tag)]
    return best


def _headline(body: Tag, root: Tag, title: str) -> str:
    """Take the release headline out of the page: an <h1>, else the <title>.

    The first <h1> of the main content wins; an <h1> elsewhere (often a site logo)
    only if the <title> mentions it. The chosen <h1> is removed from the tree.
    """
    h1 = root.find("h1")
    if h1 is None:
        h1 = next(
            (
                t
                for t in body.find_all("h1")
                if not title or _SPACE_RUN.sub(" ", _block_text(t)) in title
            ),
            None,
        )
    if isinstance(h1, Tag):
        text = _SPACE_RUN.sub(" ", _block_text(h1))
        h1.decompose()
        if text:
            return text
    return title


class _TextBuilder:
    """Collects text with pending line (1) or paragraph (2) breaks between blocks."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending = 0
        self.separator = ""

    def add(self, text: str, *, pre: bool = False) -> None:
        if not pre:
            text = _SPACE_RUN.sub(" ", text)
            if self.pending or not self.parts or self.parts[-1].endswith((" ", "\n")):
                text = text.lstrip(" ")
        if not text:
            return
        if self.parts and self.pending:
            self.parts[-1] = self.parts[-1].rstrip(" ")
            self.parts.append("\n" * self.pending)
        elif self.separator and self.parts:
            self.parts[-1] = self.parts[-1].rstrip(" ")
            self.parts.append(self.separator)
        self.pending = 0
        self.separator = ""
        self.parts.append(text)

    def brk(self, n: int) -> None:
        self.separator = ""
        if self.parts:
            self.pending = max(self.pending, n)

    def line_break(self) -> None:  # <br>: two in a row make a paragraph break
        self.separator = ""
        if self.parts:
            self.pending = min(2, self.pending + 1)

    def text(self) -> str:
        return "".join(self.parts).strip()


def _block_text(root: Tag) -> str:
    """Walk the tree (iteratively: real pages nest deeply) and lay out its text."""
    out = _TextBuilder()
    cells: list[int] = []  # per open table row: cells with text so far
    pre_depth = 0
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):
                before = len(out.parts)
                out.add(str(node), pre=pre_depth > 0)
                if cells and len(out.parts) > before:
                    cells[-1] += 1
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if closing:
            if name == "pre":
                pre_depth -= 1
                if out.parts:
                    out.parts[-1] = out.parts[-1].rstrip("\n")
            if name == "tr" and cells:
                cells.pop()
            if name in _PARAGRAPH_TAGS:
                out.brk(2)
            elif name in _LINE_TAGS:
                out.brk(1)
            continue
        if name == "br":
            out.line_break()
            continue
        if name in _PARAGRAPH_TAGS:
            out.brk(2)
        elif name in _LINE_TAGS:
            out.brk(1)
        if name == "pre":
            pre_depth += 1
        elif name == "tr":
            cells.append(0)
        elif name in _CELL_TAGS and cells and cells[-1]:
            out.separator = " | "
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    return out.text()


# --------------------------------------------------------------------------- PDF

# A hyphen at a line end between two lower-case letters: "treat-\nment".
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W\d_])")


def _dehyphenate(text: str) -> str:
    def join(m: re.Match[str]) -> str:
        before, after = m.string[m.start() - 1], m.string[m.end()]
        return "" if before.islower() and after.islower() else m.group()

    return _LINE_END_HYPHEN.sub(join, text)


def _pdf_to_text(data: bytes) -> str:
    """Extract the text of a PDF page by page, pages separated by a blank line."""
    if b"%PDF-" not in data[:1024]:
        raise _Unloadable("not a PDF (no %PDF header)")
    pages: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError:
                raise _Unloadable(
                    "encrypted PDF (AES; opening it needs the 'cryptography' package)"
                ) from None
            if not opened:
                raise _Unloadable("encrypted PDF (a password is required)")
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise _Unloadable(f"PDF has too many pages ({count}; the limit is {MAX_PDF_PAGES})")
        deadline = time.monotonic() + PDF_TIME_BUDGET_S
        for number, page in enumerate(reader.pages, start=1):
            if time.monotonic() > deadline:
                raise _Unloadable(f"PDF text extraction too slow (stopped at page {number})")
            pages.append(_dehyphenate(page.extract_text() or "").strip())
    except (_Unloadable, RecursionError):
        raise
    except FileNotDecryptedError:
        raise _Unloadable("encrypted PDF (a password is required)") from None
    except DependencyError as exc:
        raise _Unloadable(f"PDF needs an optional package ({_short(exc)})") from None
    except PdfReadError as exc:
        raise _Unloadable(f"not a valid PDF ({_short(exc)})") from None
    except Exception as exc:  # pypdf on a damaged file can raise almost anything
        raise _Unloadable(f"broken PDF ({type(exc).__name__}: {_short(exc)})") from None
    return "\n\n".join(p for p in pages if p)


def _short(exc: BaseException, limit: int = 120) -> str:
    """An exception's message on one line, cut to ``limit`` characters."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= limit else message[: limit - 3] + "..."


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
        elif path.suffix.lower() not in _FORMATS:
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
        elif Path(child.name).suffix.lower() in _FORMATS:
            yield _check_file(path, boundary)
