"""The paragraphs of a press release and their partition into sections (pure).

Paragraphs are the runs of text between blank lines. The paragraphs above the lead are
the header and the lead itself is body; every other paragraph is classified (about, safe
harbor, contacts, links, quote, body) with a little state, so that the paragraphs under an
"About X" or "Forward-Looking Statements" heading stay in that section, and consecutive
paragraphs of one kind are joined into a :class:`~ingest.types.Section`.

Example:
    >>> text = "Acme Wins\\n\\nAcme won a prize today, the company said on Monday.\\n\\n"
    >>> text += "About Acme\\n\\nAcme makes anvils.\\n\\nMedia Contact\\n\\njo@acme.com"
    >>> paras = paragraphs(text)
    >>> [(s.kind, s.title) for s in merge_sections(paras, classify(text, paras, 1))]
    [('header', None), ('body', None), ('about', 'About Acme'), ('contacts', 'Media Contact')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.types import ABOUT, BODY, CONTACTS, HEADER, LINKS, QUOTE, SAFE_HARBOR, Section

__all__ = [
    "URL",
    "ParagraphKind",
    "classify",
    "is_list",
    "is_prose",
    "merge_sections",
    "paragraphs",
]

_ABOUT_START = re.compile(r"(?:#+\s*)?[*_]*(?:About|ABOUT)\s+(?=\S)")
_ABOUT_SEPARATOR = re.compile(r"[*_]*\s*(?::|\s[–—-]\s)")
# A heading run into its text: "About CryptonicaFounded with ...", "About KEDOThe Kpalo-Bli".
_GLUED = re.compile(
    r"(?<=[a-z0-9.)A-Z])(?:(?=(?:The|With|Founded|Since|Established|Headquartered|Based|Our|We|"
    r"As|At|For|In|Located|Launched|Created|Led|Serving|From|Formed|Its|This|It)\b)|"
    r"(?<=[a-z0-9.)])(?=[A-Z][a-z]+(?:\s+(?:is|was|are|has|have|with|in|of|by|to|for)\b|,)))"
)
_SAFE_HEAD = re.compile(
    r"(?i)(?:#+\s*)?[*_]*(?:forward[-\s]looking\s+(?:statements?|information)|safe\s+harbou?r|"
    r"cautionary\s+(?:note|statement|language)|special\s+note\s+regarding|(?:legal\s+)?disclaimer|"
    r"notice\s+regarding\s+forward|important\s+(?:notice|information))"
)
_SAFE_TEXT = re.compile(
    r"(?i)forward[-\s]looking\s+(?:statement|information)|safe\s+harbou?r\s+(?:provision|statement)"
    r"|private\s+securities\s+litigation\s+reform"
)
_CONTACT_HEAD = re.compile(
    r"(?i)(?:#+\s*)?[*_]*(?:contacts?\b|(?-i:Contact(?=[A-Z]))|"  # "ContactMila Grandes" too
    r"(?:media|press|investor|investors|company|corporate|public)\s+"
    r"(?:contacts?|relations|inquiries|enquiries)|for\s+(?:more|further|additional)\s+"
    r"information,?\s+(?:please\s+)?contact|for\s+(?:media|press|investor)\s+(?:inquiries|"
    r"enquiries)|contact\s+(?:information|info|details|us)|(?:investors?|media|press)\s*:)"
)
_DIGITS = re.compile(r"\d{3}\D{0,3}\d{3}")  # a phone number needs at least this
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+\.[\w.\-]+")
_PHONE = re.compile(r"(?:\+?\d{1,3}[\s.\-]?)?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]\d{4}|\+\d{10,13}\b")
URL = re.compile(r"(?i)https?://\S+|www\.\S+|\b[\w\-]+\.(?:com|net|org|io|ai|co|fm)/\S*")
_LINK_LINE = re.compile(
    r"(?i)(?:#{3,}|-{3,}|\*{3,}|-30-|original/source\s+press\s+release|newsramp\.com\s+tldr|"
    r"reddit\s+post|blockchain\s+registration|pickup\s+-|view\s+(?:source|original)\s+|"
    r"source:|source\s*$|follow\s+(?:us|[\w\s]{0,40})\s+on\b|connect\s+with\s+us|"
    r"the\s+post\s+.*\s+(?:appeared\s+first|first\s+appeared)\s+on|read\s+more|"
    r"to\s+view\s+the\s+full\s+|"
    r"(?:twitter|x|linkedin|facebook|instagram|youtube|tiktok)\s*:|!?\[[^\]]*\]\([^)]*\)\s*$)"
)
_END_MARKER = re.compile(r"(?:#{3,}|-{3,}|\*{3,}|-30-)\s*$")
_QUOTE_OPEN = "“\"‘'"
_SPEECH = re.compile(
    r"(?i)[”\"’'],?\s+(?:\w+\s+){0,6}?(?:said|says|commented|comments|stated|states|added|adds|"
    r"noted|notes|explained|explains|continued|remarked|concluded|emphasized|shared)\b|"
    r"\b(?:said|says|commented|stated|added|noted|explained|continued|remarked)\s*[,:]?\s*[“\"]"
)
_SMALL_WORDS = frozenset("a an and as at by for from in of on or the to vs via with".split())
_CLOSERS = (".", "!", "?", ":", '"', "”")
_ABBREVIATION_END = re.compile(
    r"\b(?i:inc|ltd|corp|co|s\.a|n\.v|l\.p|jr|sr|u\.s|bhd|pty|plc|llc|[A-Z])\.$"
)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank paragraph, whitespace trimmed.

    Args:
        text: The stored text of a release.

    Returns:
        The paragraphs (runs of text between blank lines), in text order.
    """
    out = []
    for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _is_heading(p: str) -> bool:
    """A short single-line paragraph without closing punctuation ("Phase II Trial Design")."""
    if "\n" in p or len(p) > 120:
        return False
    p = p.rstrip("*_ ")
    return not p.endswith(_CLOSERS) or bool(_ABBREVIATION_END.search(p))


def _about_title(p: str) -> str | None:
    """The title if ``p`` opens an "About X" section, e.g. "About Cellectar Biosciences, Inc.".

    Handles a heading on its own ("About X"), a heading line above the text, a heading run
    into the text ("About X: X is...", "About X X is...", "About XX is..." where markdown
    bold was lost).
    """
    m = _ABOUT_START.match(p)
    if m is None:
        return None
    first = p.split("\n", 1)[0]
    name = p[m.end() : m.end() + 120]
    if re.match(r"[\d.,%$]+(?:\s|$)", name):
        return None  # "About 20% of adults ..."
    if _is_heading(first.rstrip(" :")):
        return first.strip(" #*_:")
    if not re.match(r"(?:the\s+|THE\s+)?[A-Z0-9“\"'(]", name):
        return None  # "About half of the patients ..."
    sep = _ABOUT_SEPARATOR.search(name)
    if sep is not None and sep.start() <= 100 and "." not in name[: sep.start()].rstrip(".")[-3:]:
        return p[: m.end() + sep.start()].strip(" #*_")
    for k in range(3, 40):  # "About StonegateStonegate Capital Partners is ..."
        if name.startswith(name[:k], k) and not name[k - 1].isspace():
            return p[: m.end() + k].strip(" #*_")
    words = name.split(None, 2)
    skip = len(words[0]) + 1 if words[0].lower() == "the" and len(words) > 1 else 0
    word = words[1 if skip else 0].lower()
    if len(word) >= 2:  # the name said twice: "About Acme Corp. Acme Corp. is ..."
        for again in re.finditer(re.escape(word) + r"(?![a-z])", name[skip + 1 : 100].lower()):
            j = again.start() + skip + 1
            before, here = name[j - 1], name[j]
            if len(word) >= 4 or not before.isalnum() or before.islower() and here.isupper():
                if skip and name[:j].lower().endswith("the "):
                    j -= 4  # "About the X Association The X Association is ..."
                return p[: m.end() + j].strip(" #*_")
    glued = _GLUED.search(name, 0, 80)
    if glued is not None:
        return p[: m.end() + glued.start()].strip(" #*_")
    return None


def _is_title_case(p: str) -> bool:
    """Most words capitalised, as in a heading ("Phase II Trial Design", "Key Highlights")."""
    words = re.findall(r"[^\W\d_][\w'’\-]*", p)
    small = sum(1 for w in words if w[0].islower() and w not in _SMALL_WORDS)
    return bool(words) and small == 0 and len(p) <= 80


def is_list(p: str) -> bool:
    """Two or more lines, each a bullet or a sentence of its own."""
    if p[:1] in "*•·":
        return True  # bullets run together into one line
    lines = p.split("\n")
    if len(lines) < 2:
        return False
    return all(line[:1] in "*•-–·" for line in lines) or all(
        line.rstrip().endswith((".", "!", "?")) and len(line) < 300 for line in lines
    )


def is_prose(p: str) -> bool:
    """A paragraph that reads as running text rather than a title or a label."""
    if len(p) >= 250:
        return True
    return len(p) >= 60 and bool(re.search(r"[\w%)][.!?][”\"’)]?$", p))


def _quoted_share(p: str) -> float:
    """Share of the paragraph's characters that stand inside quotation marks."""
    inside = 0
    for m in re.finditer(r"“[^“”]*”|\"[^\"]*\"", p):
        inside += len(m[0])
    return inside / max(1, len(p))


def _is_quote(p: str) -> bool:
    """Mainly a quotation: quoted text with "said" / "commented" / ..., or an opening quote."""
    share = _quoted_share(p)
    if _SPEECH.search(p) and share >= 0.3:
        return True
    return p[:1] in _QUOTE_OPEN and share >= 0.5


def _is_link_list(p: str) -> bool:
    """Every line a link, a URL or a link-block label ("View source version", "###")."""
    return all(_LINK_LINE.match(line) or URL.fullmatch(line) for line in p.split("\n"))


def _is_links(p: str) -> bool:
    """A link list, or a short paragraph that is mostly URLs ("Read more: https://...")."""
    if _is_link_list(p):
        return True
    return len(p) < 300 and sum(len(u) for u in URL.findall(p)) >= 0.4 * len(p)


def _is_contact_block(p: str, *, strict: bool = False) -> bool:
    """A short block of names with e-mail addresses or phone numbers.

    ``strict`` (inside an About or safe-harbor section) wants two addresses or numbers on
    separate lines, so that "call 888-902-4192 for alerts" stays where it is.
    """
    if len(p) > 500 or "@" not in p and not _DIGITS.search(p):
        return False
    contacts = len(_EMAIL.findall(p)) + len(_PHONE.findall(p))
    if strict:
        return contacts >= 2 and ("\n" in p or len(p) < 200)
    if contacts == 0 or (contacts == 1 and "\n" not in p and is_prose(p)):
        return False  # "... or call our support line at (877) 425-5382." is a sentence
    return "\n" in p or bool(re.search(r"(?i)contact|inquir|media|investor|phone|e-?mail", p))


# (kind, section title, starts a new section) of one paragraph
ParagraphKind = tuple[str, str | None, bool]


def _kind_of(p: str, mode: str | None) -> tuple[str, str | None, str | None]:
    """Classify one paragraph below the lead, given the mode carried over from above it.

    Args:
        p: The paragraph's text.
        mode: The kind that carries over from the paragraphs above, or None.

    Returns:
        (kind, the mode for the paragraphs below, heading): ``heading`` is None when the
        paragraph continues the current section, else the title of the section it opens
        ("" for a section without a title).
    """
    about = _about_title(p)
    headlike = _is_heading(p.rstrip(" :"))
    if _END_MARKER.match(p):
        return LINKS, LINKS, ""
    if about:
        return ABOUT, ABOUT, about
    if _SAFE_HEAD.match(p) and (headlike or _SAFE_TEXT.search(p)):
        return SAFE_HARBOR, SAFE_HARBOR, p.strip(" *_#:") if headlike else ""
    if _SAFE_TEXT.search(p) and len(p) >= 150 and mode != SAFE_HARBOR:
        return SAFE_HARBOR, SAFE_HARBOR, ""
    if (contact := _CONTACT_HEAD.match(p)) and len(p) < 600:
        return CONTACTS, CONTACTS, contact[0].strip(" *_#:")
    if _is_link_list(p):
        return LINKS, mode, None
    if mode in (ABOUT, SAFE_HARBOR) and not (headlike and _is_title_case(p)):
        if _is_contact_block(p, strict=True):
            return CONTACTS, CONTACTS, ""
        return mode, mode, None
    if mode == CONTACTS and len(p) < 300 and (_EMAIL.search(p) or _PHONE.search(p)):
        return CONTACTS, mode, None
    if _is_links(p) or mode == LINKS:
        return LINKS, mode, None
    if _is_contact_block(p):
        return (CONTACTS, mode, None) if mode == CONTACTS else (CONTACTS, CONTACTS, "")
    if mode == CONTACTS and len(p) < 300 and not is_prose(p):
        return CONTACTS, mode, None
    return (QUOTE if _is_quote(p) else BODY), None, None


def classify(text: str, paras: list[tuple[int, int]], lead: int) -> list[ParagraphKind]:
    """(kind, section title, starts a new section) for each paragraph.

    The paragraphs above ``lead`` are the header and the lead itself is body. A heading
    ("About X", "Forward-Looking Statements", "Media Contact") sets a mode that carries
    over to the paragraphs below it until another kind of paragraph ends it.

    Args:
        text: The stored text of a release.
        paras: The (start, end) of its paragraphs (:func:`paragraphs`).
        lead: Index of the lead paragraph.

    Returns:
        One (kind, title, new) per paragraph; ``title`` is the title of the section the
        paragraph belongs to when it carries one, ``new`` whether it opens a section.
    """
    out: list[ParagraphKind] = []
    mode: str | None = None  # kind that carries over to following paragraphs
    title: str | None = None
    for i, (s, e) in enumerate(paras):
        if i <= lead:
            out.append((HEADER if i < lead else BODY, None, False))
            continue
        kind, mode, heading = _kind_of(text[s:e], mode)
        if heading is not None:
            title = heading or None
            out.append((kind, title, True))
        else:
            out.append((kind, title if kind == mode else None, False))
    return out


def merge_sections(paras: list[tuple[int, int]], kinds: list[ParagraphKind]) -> Iterator[Section]:
    """Join consecutive paragraphs of one kind into sections; a heading starts a new one.

    Args:
        paras: The (start, end) of each paragraph.
        kinds: What :func:`classify` says of each paragraph.

    Yields:
        The sections, in text order, together covering every paragraph.
    """
    current: Section | None = None
    for (s, e), (kind, title, new) in zip(paras, kinds, strict=True):
        if current is not None and current.kind == kind and not new:
            current = Section(kind, current.start, e, current.title)
            continue
        if current is not None:
            yield current
        current = Section(kind, s, e, title)
    if current is not None:
        yield current
