"""Plain data shared by the ingest stages: loaded text, release metadata, chunks.

Every offset is a character offset into the *stored* text of a release, i.e. the
text after :func:`ingest.normalize.normalize_text`. For any object with ``start``
and ``end``, ``stored_text[start:end]`` is the exact source of its value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Section kinds, in the order a typical release presents them.
HEADER = "header"  # headline, subheadline, dateline lines above the lead paragraph
BODY = "body"  # news text
QUOTE = "quote"  # a paragraph that is mainly a quotation ("...," said X)
ABOUT = "about"  # "About <X>" boilerplate
SAFE_HARBOR = "safe_harbor"  # forward-looking statements
CONTACTS = "contacts"  # media / investor contacts
LINKS = "links"  # source / links block, "###", social links
SECTION_KINDS = (HEADER, BODY, QUOTE, ABOUT, SAFE_HARBOR, CONTACTS, LINKS)
BOILERPLATE_KINDS = frozenset({ABOUT, SAFE_HARBOR, CONTACTS, LINKS})


class LoadError(Exception):
    """A file could not be turned into text. ``str(err)`` names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class LoadedText:
    """Text extracted from one file, before normalisation, the release's own source
    link (where the wire published it) when the file names one, and the published date
    (ISO) a web page's metadata states (used when the text states none)."""

    path: str
    text: str
    format: str  # "txt", "md", "html", "pdf"
    notes: tuple[str, ...] = ()  # what the loader mended, e.g. stray NUL bytes removed
    url: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class Field:
    """One metadata value and the span of stored text it was read from."""

    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Section:
    """A run of paragraphs of one kind. ``title`` is e.g. "About Cellectar Biosciences, Inc."."""

    kind: str
    start: int
    end: int
    title: str | None = None


@dataclass(frozen=True)
class ReleaseMeta:
    """What an analyst reads off the top and bottom of a press release.

    ``date.value`` is ISO ``YYYY-MM-DD``. ``company`` is the issuer (:mod:`ingest.identity`),
    ``tickers`` are the issuer's own, values like ``"NASDAQ:CLRB"`` (exchange upper-cased,
    as in the text otherwise), and ``aliases`` the issuer's other names ("Cellectar").
    ``sections`` are sorted, do not overlap, and together cover every non-blank paragraph
    of the text.
    """

    headline: Field | None = None
    subheadline: Field | None = None
    date: Field | None = None
    dateline: Field | None = None
    wire: Field | None = None
    company: Field | None = None
    tickers: tuple[Field, ...] = ()
    aliases: tuple[str, ...] = ()
    sections: tuple[Section, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: ``stored_text[start:end] == text``."""

    ordinal: int
    start: int
    end: int
    text: str
    kind: str  # the dominant section kind of the chunk
