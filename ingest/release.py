"""Parse a press release into typed metadata (headline, date, dateline, wire, issuer,
tickers) and a partition of its paragraphs into sections, every value with its span.

Pure functions only: :func:`parse_release` takes the stored (normalised) text and returns a
:class:`~ingest.types.ReleaseMeta` whose offsets point into that same string. Everything is
regular expressions and a few counting heuristics (a release takes a millisecond or two),
and the parser never raises on odd input. Dates and datelines are read by
:mod:`ingest.dates`.

How a release is read:

1. Paragraphs are the runs of text between blank lines.
2. The top of the release is scanned for a *dateline*: the run of place, date, wire and
   time that opens the lead paragraph (``MADISON, Wis., March 4, 2014 (GLOBE NEWSWIRE) --``)
   or stands on a line of its own (``March 4, 2014``, ``SALINAS, CALIF., JULY 9, 2026``).
   The first paragraph whose dateline is followed by prose is the lead; the paragraphs above
   it are the header. Without a dateline the lead is the first paragraph that reads as prose.
3. The header gives the headline and subheadline; the lead gives the issuer.
4. Every other paragraph is classified (about, safe harbor, contacts, links, quote, body),
   with a little state so that the paragraphs under an "About X" or "Forward-Looking
   Statements" heading stay in that section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.companies import NAME_END
from ingest.dates import (
    COMMON_FIRST_WORDS,
    IMMEDIATE_RELEASE,
    Dateline,
    date_from_path,
    scan_dateline,
)
from ingest.types import (
    ABOUT,
    BODY,
    CONTACTS,
    HEADER,
    LINKS,
    QUOTE,
    SAFE_HARBOR,
    Field,
    ReleaseMeta,
    Section,
)

__all__ = ["parse_release"]

_HEADER_WINDOW = 8  # paragraphs searched for the dateline / lead
_MAX_HEADER_CHARS = 600  # a header paragraph above a dateline lead is never longer

# --- tickers and the issuer --------------------------------------------------------------------

_EXCHANGE = (
    r"(?i:nasdaq(?:\s?(?:gs|gm|cm)\b|\s(?:global\sselect(?:\smarket)?|global(?:\smarket)?|"
    r"capital\smarket|stockholm|"
    r"copenhagen|helsinki|first\snorth|nordic))?|nyse(?:\s?(?:american|mkt|arca|amex))?|"
    r"otc\s?(?:qx|qb|id|bb|pk|pink|markets|mkts)|otc|pink\s?sheets|"
    r"tsx[-.\s]?v(?:enture)?(?:\sexchange)?|tsx|cboe(?:\s(?:ca|canada|bzx|australia))?|euronext"
    r"(?:\s(?:paris|amsterdam|brussels|growth|oslo))?|xetra|frankfurt|bursa|hkex|sehk)"
    r"|AMEX|CSE|CNSX|NEO|LSE|AIM|ASX|SGX|NSE|BSE|FWB|FSE|FRA|ETR|EPA|SIX|TASE|JSE|KRX|KOSDAQ"
    r"|TYO|TSE|NZX|BVC|BMV|GPW|WSE|IDX|LON|HKG|TWSE|SZSE|SSE"
)
_SYMBOL = r"(?:[A-Z][A-Z0-9]{0,5}(?:[.\-][A-Z0-9]{1,3})?|\d{4,6}(?:\.[A-Z]{1,2})?)(?![\w-])(?!\s*:)"
# Tickers are found from their separator backwards: a text has few colons, and one regex
# with all the exchanges tried at every position would be the slowest part of the parser.
_TICKER_SEP = re.compile(r"[:–-]\s*(?=[A-Z0-9])")
_EXCHANGE_BEFORE = re.compile(r"(?<![\w.])(?:" + _EXCHANGE + r")\Z")
_SYMBOLS = re.compile(_SYMBOL + r"(?:\s*(?:,|and|&)\s*" + _SYMBOL + r")*")
_SYMBOL_RE = re.compile(_SYMBOL)
_NAME_TOKEN = r"(?:[A-Z0-9][\w.&'’@!+\-™®]*(?:\.[a-z]+)?|&)"
_NAME = re.compile(
    r"(?:The\s+)?"
    + _NAME_TOKEN
    + r"(?:(?:\s+(?:of|and|for|de|du|the|&|y|von|van))*\s+"
    + _NAME_TOKEN
    + r"){0,7}(?:,?\s+"
    + NAME_END
    + r")?"
)
_NAME_BACK = re.compile(
    r"(?:(?:[A-Z0-9][\w.&'’\-]*|&)(?:\s+|\s+(?:of|and|for|de|the)\s+))*"
    r"(?:[A-Z0-9][\w.&'’\-]*)(?:,?\s+" + NAME_END + r")?\s*$"
)
_APPOSITION = re.compile(r"\s*(?:\(|,\s+(?:a|an|the|which|who|one|Inc|LLC|Ltd)\b|’s\b|'s\b)")
_ROLE = re.compile(
    r"\s(?:CEO|CFO|COO|CTO|CMO|President|Chairman|Chairwoman|Founder|Co-[Ff]ounder|Chief|"
    r"Executive|Managing|Director|Vice|VP|SVP|EVP|Head)\b"
)
_ROLE_OF = re.compile(
    r"\b(?:CEO|CFO|COO|CTO|President|Chairman|Founder|Director|Officer|Partner|Head)\s+(?:of|at)\s+"
)
_VERB = re.compile(r"\s+(?:is|has|was|will|today|[a-z]+(?:s|ed))\b")
_AFTER_NAME = re.compile(r"\s*(?:\(|,|’s\b|'s\b|\s[a-z])")
_ALIAS_PAREN = re.compile(r"\s*\((?:[^()]*[“”\"][^()]*)\)")


def _exchange_name(raw: str) -> str:
    """Upper-cased exchange name, with the spellings of one exchange made one:
    Nasdaq tiers -> NASDAQ, TSX-V / TSX.V / TSX Venture -> TSXV, NYSE MKT -> NYSE AMERICAN,
    OTC QB -> OTCQB, OTC Markets / OTCMKTS -> OTC."""
    name = " ".join(raw.upper().split())
    if name.startswith("NASDAQ") and re.fullmatch(
        r"NASDAQ ?(?:GS|GM|CM|GLOBAL.*|CAPITAL.*)?", name
    ):
        return "NASDAQ"
    if name.startswith("TSX") and name != "TSX":
        return "TSXV"
    if name in ("NYSE MKT", "NYSE AMEX", "NYSEAMERICAN"):
        return "NYSE AMERICAN"
    if name in ("OTC MARKETS", "OTCMKTS"):
        return "OTC"
    return re.sub(r"^OTC (QX|QB|ID|BB)$", r"OTC\1", name)


def _tickers(text: str) -> tuple[Field, ...]:
    """Every ``EXCHANGE:SYMBOL`` pair, first occurrence of each value, in text order.

    A Field spans the exchange and the symbol ("NASDAQ: CLRB"); in "(NASDAQ: SEGG, LTRYW)"
    the second Field spans "NASDAQ: SEGG, LTRYW" so that its text still names the exchange.
    """
    found: dict[str, Field] = {}
    for sep in _TICKER_SEP.finditer(text):
        ex_end = sep.start()
        if text[ex_end] == ":":  # "NASDAQ: CLRB", "Nasdaq:CLRB"
            while ex_end > 0 and text[ex_end - 1] == " ":
                ex_end -= 1
        elif text[ex_end - 1 : ex_end] == " " and sep.end() > sep.start() + 1:
            ex_end -= 1  # "(OTCQB - VYCO)"
        else:
            continue
        ex = _EXCHANGE_BEFORE.search(text, max(0, ex_end - 40), ex_end)
        syms = _SYMBOLS.match(text, sep.end()) if ex is not None else None
        if ex is None or syms is None:
            continue
        exchange = _exchange_name(ex[0])
        for sym in _SYMBOL_RE.finditer(text, syms.start(), syms.end()):
            value = f"{exchange}:{sym[0]}"
            if value not in found:
                found[value] = Field(value, ex.start(), sym.end())
    return tuple(found.values())


def _trim(text: str, start: int, end: int, chars: str = " \t\n,;:-–—(/[#*_") -> Field | None:
    """A Field for ``text[start:end]`` with separators and markup trimmed off both ends."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return Field(text[start:end], start, end) if end > start else None


def _lead_name(text: str, start: int, end: int) -> tuple[Field, bool] | None:
    """The capitalised name that opens the lead, and whether it is cut before a role title
    ("Kootenay Silver CEO Jim McDonald joined ..." gives "Kootenay Silver")."""
    m = _NAME.match(text, start, end)
    if m is None:
        return None
    words = m[0].split()
    first = words[1] if words[0] == "The" and len(words) > 2 else words[0]
    if first in COMMON_FIRST_WORDS or len(m[0]) > 80 or re.fullmatch(NAME_END, m[0]):
        return None
    if m[0].endswith(("’s", "'s")):
        return None  # "Puerto Rico's premier entertainment destination"
    role = _ROLE.search(text, m.start(), m.end())
    if role is not None:
        field = _trim(text, m.start(), role.start())
        return (field, True) if field is not None else None
    field = _trim(text, m.start(), m.end())
    return (field, False) if field is not None else None


def _name_before_ticker(
    text: str, start: int, limit: int, tickers: tuple[Field, ...]
) -> Field | None:
    """The name in front of the first ticker of the lead: "... CEO of NRx Pharmaceuticals
    Inc. (NASDAQ: NRXP)" gives "NRx Pharmaceuticals Inc."."""
    for t in tickers:
        if start <= t.start < limit:
            paren = text.rfind("(", start, t.start + 1)
            stop = paren if paren >= t.start - 2 else t.start
            while True:  # skip aliases: Vycor Medical, Inc. ("Vycor" or the "Company") (OTCQB ...
                alias = text.rfind("(", start, stop)
                m = _ALIAS_PAREN.match(text, alias) if alias >= 0 else None
                if m is None or m.end() < stop - 1:
                    break
                stop = alias
            back = _NAME_BACK.search(text, max(start, stop - 120), stop)
            if back is not None and back.end() > back.start():
                begin = back.start()
                for role in _ROLE_OF.finditer(text, back.start(), back.end()):
                    begin = role.end()  # "CEO of Marti Technologies, Inc." -> the company
                field = _trim(text, begin, back.end())
                if field is not None and field.value.split()[0] not in COMMON_FIRST_WORDS:
                    return field
            return None
    return None


def _company(
    text: str, body_start: int, lead_end: int, tickers: tuple[Field, ...], headline: str
) -> Field | None:
    """The issuer: the name that opens the lead when a ticker or an apposition confirms it,
    else the name in front of the lead's first ticker, else a plausible opening name."""
    found = _lead_name(text, body_start, lead_end)
    lead, cut = found if found is not None else (None, False)
    if lead is not None and not cut:
        tail = _ALIAS_PAREN.match(text, lead.end)
        after = tail.end() if tail else lead.end
        if any(lead.end <= t.start <= after + 3 for t in tickers):
            return lead
        if _APPOSITION.match(text, lead.end):
            return lead
    anchored = _name_before_ticker(text, body_start, min(lead_end, body_start + 300), tickers)
    if anchored is not None or lead is None:
        return anchored
    if cut:
        return lead
    # One capitalised word is usually just the first word of a sentence ("Research shows"):
    # take it only when it looks like a brand or the headline names it.
    words = lead.value.split()
    if not _AFTER_NAME.match(text, lead.end):
        return None
    if (
        len(words) > 1
        or re.search(r".[A-Z0-9]", words[0])
        or words[0] in headline.split()
        and _VERB.match(text, lead.end)
    ):
        return lead
    return None


# --- paragraph classification --------------------------------------------------------------

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
_URL = re.compile(r"(?i)https?://\S+|www\.\S+|\b[\w\-]+\.(?:com|net|org|io|ai|co|fm)/\S*")
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


def _is_list(p: str) -> bool:
    """Two or more lines, each a bullet or a sentence of its own."""
    if p[:1] in "*•·":
        return True  # bullets run together into one line
    lines = p.split("\n")
    if len(lines) < 2:
        return False
    return all(line[:1] in "*•-–·" for line in lines) or all(
        line.rstrip().endswith((".", "!", "?")) and len(line) < 300 for line in lines
    )


def _is_prose(p: str) -> bool:
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
    return all(_LINK_LINE.match(line) or _URL.fullmatch(line) for line in p.split("\n"))


def _is_links(p: str) -> bool:
    """A link list, or a short paragraph that is mostly URLs ("Read more: https://...")."""
    if _is_link_list(p):
        return True
    return len(p) < 300 and sum(len(u) for u in _URL.findall(p)) >= 0.4 * len(p)


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
    if contacts == 0 or (contacts == 1 and "\n" not in p and _is_prose(p)):
        return False  # "... or call our support line at (877) 425-5382." is a sentence
    return "\n" in p or bool(re.search(r"(?i)contact|inquir|media|investor|phone|e-?mail", p))


def _classify(
    text: str, paras: list[tuple[int, int]], lead: int
) -> list[tuple[str, str | None, bool]]:
    """(kind, section title, starts a new section) for each paragraph.

    The paragraphs above ``lead`` are the header and the lead itself is body. A heading
    ("About X", "Forward-Looking Statements", "Media Contact") sets a mode that carries
    over to the paragraphs below it until another kind of paragraph ends it.
    """
    out: list[tuple[str, str | None, bool]] = []
    mode: str | None = None  # kind that carries over to following paragraphs
    title: str | None = None
    for i, (s, e) in enumerate(paras):
        p = text[s:e]
        if i <= lead:
            out.append((HEADER if i < lead else BODY, None, False))
            continue
        heading: str | None = None
        about = _about_title(p)
        headlike = _is_heading(p.rstrip(" :"))
        if _END_MARKER.match(p):
            kind, mode, heading = LINKS, LINKS, ""
        elif about:
            kind, mode, heading = ABOUT, ABOUT, about
        elif _SAFE_HEAD.match(p) and (headlike or _SAFE_TEXT.search(p)):
            kind = mode = SAFE_HARBOR
            heading = p.strip(" *_#:") if headlike else ""
        elif _SAFE_TEXT.search(p) and len(p) >= 150 and mode != SAFE_HARBOR:
            kind = mode = SAFE_HARBOR
            heading = ""
        elif (contact := _CONTACT_HEAD.match(p)) and len(p) < 600:
            kind = mode = CONTACTS
            heading = contact[0].strip(" *_#:")
        elif _is_link_list(p):
            kind = LINKS
        elif mode in (ABOUT, SAFE_HARBOR) and not (headlike and _is_title_case(p)):
            kind = mode
            if _is_contact_block(p, strict=True):
                kind, mode, heading = CONTACTS, CONTACTS, ""
        elif mode == CONTACTS and len(p) < 300 and (_EMAIL.search(p) or _PHONE.search(p)):
            kind = CONTACTS
        elif _is_links(p) or mode == LINKS:
            kind = LINKS
        elif _is_contact_block(p):
            kind = CONTACTS
            if mode != CONTACTS:
                mode, heading = CONTACTS, ""
        elif mode == CONTACTS and len(p) < 300 and not _is_prose(p):
            kind = CONTACTS
        else:
            mode = None
            kind = QUOTE if _is_quote(p) else BODY
        if heading is not None:
            title = heading or None
            out.append((kind, title, True))
        else:
            out.append((kind, title if kind == mode else None, False))
    return out


def _merge(
    paras: list[tuple[int, int]], kinds: list[tuple[str, str | None, bool]]
) -> Iterator[Section]:
    """Join consecutive paragraphs of one kind into sections; a heading starts a new one."""
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


# --- header and lead ---------------------------------------------------------------------

_BYLINE = re.compile(r"(?:By|BY)\s+[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,4}(?:,\s*[^\n]{0,40})?$")


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank paragraph, whitespace trimmed."""
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


def _is_noise(p: str) -> bool:
    """Header lines that are neither headline nor subheadline."""
    return bool(
        _BYLINE.match(p) or _URL.fullmatch(p) or re.fullmatch(r"!?\[[^\]]*\]\([^)]*\)", p)
    ) or not re.search(r"[A-Za-z]", p)


def _find_lead(
    text: str, paras: list[tuple[int, int]]
) -> tuple[int, list[Dateline], dict[int, Dateline]]:
    """Index of the lead paragraph, and the datelines found above and in it."""
    datelines: dict[int, Dateline] = {}
    prose_at: int | None = None
    for i, (s, e) in enumerate(paras[:_HEADER_WINDOW]):
        p = text[s:e]
        d = scan_dateline(text, s, e)
        late = prose_at is not None  # a dateline below prose must be a full one, close by
        if d is not None and (not late or d.date and (d.city or d.wire) and i <= prose_at + 2):
            datelines[i] = d
            if prose_at is not None and e - s < 300:
                prose_at = None  # what read as prose was a subheadline above the dateline
            if e - d.body_start >= 40:
                return i, [datelines[k] for k in sorted(datelines)], datelines
            continue
        if prose_at is None and _is_prose(p) and not _is_list(p):
            if i > 0 or len(p) > 400 or len(p) > 250 and re.search(r"[.!?] [A-Z]", p):
                prose_at = i
        if len(p) > _MAX_HEADER_CHARS and not _is_list(p):
            break
    if prose_at is None:
        after = max(datelines, default=0) + 1 if datelines else 1
        prose_at = min(after, len(paras) - 1)
    found = {k: v for k, v in datelines.items() if k <= prose_at}
    return prose_at, [found[k] for k in sorted(found)], found


def parse_release(text: str, *, path: str | None = None) -> ReleaseMeta:
    """Read the metadata and sections of one press release.

    Args:
        text: the stored text (the output of :func:`ingest.normalize.normalize_text`).
        path: the file's path, used only as a hint: if the text states no date, a date in
            the path (``2014-03-04-foo.txt``, ``.../2024/0315/slug.md``) is used instead and
            the date Field then has ``start == end == 0``, meaning "not read from the text".

    Returns:
        A ReleaseMeta whose every Field satisfies ``text[f.start:f.end]`` being the source of
        ``f.value`` (equal to it for headline, subheadline, dateline, wire and company).

    Example:
        >>> meta = parse_release("Acme Wins\\n\\nBOSTON, March 4, 2014 (GLOBE NEWSWIRE) -- "
        ...                      "Acme Corp. (NASDAQ: ACME) today announced a prize.")
        >>> meta.date.value, meta.wire.value, meta.tickers[0].value, meta.company.value
        ('2014-03-04', 'GLOBE NEWSWIRE', 'NASDAQ:ACME', 'Acme Corp.')
    """
    paras = _paragraphs(text)
    if not paras:
        fallback = date_from_path(path)
        return ReleaseMeta(date=Field(fallback, 0, 0) if fallback else None)
    lead, found, by_index = _find_lead(text, paras)

    date = dateline = wire = None
    with_place = [d for d in found if d.date and (d.city or d.wire)]
    for d in with_place or [d for d in found if d.date]:
        date = Field(d.date[0], d.date[1], d.date[2])
        break
    for d in found:
        if d.city and dateline is None:
            city = _trim(text, d.city[0], d.city[1], " \t\n,;:-–—(/[#*_")
            if city and not IMMEDIATE_RELEASE.match(city.value):
                dateline = city
        if d.wire and wire is None:
            wire = _trim(text, d.wire[0], d.wire[1], " \t\n,;:-–—(/[#*_)]")
    if date is None:
        fallback = date_from_path(path)
        date = Field(fallback, 0, 0) if fallback else None

    headline = subheadline = None
    for i in range(lead):
        s, e = paras[i]
        if i in by_index or _is_noise(text[s:e]) or _is_list(text[s:e]):
            continue
        field = _trim(text, s, e, " \t\n#*_")
        if field is None:
            continue
        if headline is None:
            headline = field
        elif subheadline is None and len(field.value) <= 500:
            subheadline = field
            break

    tickers = _tickers(text)
    lead_start, lead_end = paras[lead]
    body_start = by_index[lead].body_start if lead in by_index else lead_start
    company = _company(text, body_start, lead_end, tickers, headline.value if headline else "")

    kinds = _classify(text, paras, lead)
    sections = tuple(_merge(paras, kinds))
    if company is None or wire is None:
        for sec in sections:
            if sec.kind != ABOUT or not sec.title:
                continue
            title_start = text.find(sec.title, sec.start, sec.end)
            if title_start < 0:
                continue
            about_word = len(sec.title.split()[0])
            name = _trim(text, title_start + about_word, title_start + len(sec.title))
            if name is None:
                continue
            if wire is None and re.fullmatch(r"\w*Wire|IBN|InvestorBrandNetwork", name.value):
                wire = name
            elif company is None and re.search(NAME_END + r"$", name.value):
                company = name
    return ReleaseMeta(
        headline=headline,
        subheadline=subheadline,
        date=date,
        dateline=dateline,
        wire=wire,
        company=company,
        tickers=tickers,
        sections=sections,
    )
