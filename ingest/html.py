"""HTML and Markdown to plain text: the release's content without page chrome (pure).

Markdown is rendered to HTML with markdown-it-py first; HTML is read with BeautifulSoup
(lxml). Navigation, scripts, styles, hidden elements and link lists are dropped.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector
from bs4.element import Comment, NavigableString, PreformattedString, Tag
from markdown_it import MarkdownIt

from .decoding import BOMS, checked, decode_text
from .html_meta import og_title, published_date

__all__ = ["decode_html", "html_to_text", "markdown_to_text", "read_html"]


def decode_html(data: bytes) -> str:
    """Decode HTML bytes: a BOM, else the declared ``<meta charset>``, else as text."""
    if data.startswith((codecs.BOM_UTF8, *(bom for bom, _ in BOMS))) or b"\x00" in data[:65536]:
        return decode_text(data)
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    if declared:
        declared = declared.lower()
        if declared in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
            declared = "cp1252"  # as browsers do (WHATWG encoding standard)
        try:
            if not codecs.lookup(declared).name.startswith(("utf-16", "utf-32")):
                return checked(data.decode(declared))
        except (LookupError, ValueError):  # UnicodeError is a ValueError
            pass  # a wrong or unknown declaration: detect instead
    return decode_text(data)


def markdown_to_text(source: str) -> str:
    """Render Markdown to HTML with markdown-it-py, then take the text of the HTML."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return html_to_text(md.render(source), page=False)


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


def html_to_text(html: str, *, page: bool) -> str:
    """Plain text of HTML, one blank line between paragraphs.

    With ``page=True`` the markup is treated as a web page: navigation, header,
    footer, sidebars and forms are dropped, the main content is kept, and the
    headline (the first ``<h1>``, else ``og:title``, else ``<title>``) becomes the first
    paragraph.
    """
    return read_html(html, page=page)[0]


def read_html(html: str, *, page: bool) -> tuple[str, str | None]:
    """The text of HTML (as :func:`html_to_text`) and the page's published date, ISO
    ``YYYY-MM-DD`` from its metadata or ``<time>`` tags (:mod:`ingest.html_meta`), or None."""
    soup = BeautifulSoup(html, "lxml")
    published = published_date(soup) if page else None
    title_tag = soup.find("title")
    title = og_title(soup) if page else ""
    if not title:
        title = _SPACE_RUN.sub(" ", title_tag.get_text()).strip() if title_tag else ""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    _drop(soup.find_all(lambda t: t.name in _JUNK or _is_hidden(t)))
    if not page:
        return _block_text(soup), None

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
    return text, published


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
    """Take the release headline out of the page: an <h1>, else ``title`` (the page's
    ``og:title``, else its <title>).

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
