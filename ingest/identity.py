"""Who issued a release: its company, that company's tickers, and its aliases (pure).

Several places of a release name its issuer, and each alone is often wrong: the lead's
opening words ("First-time Nebraska homebuyers ..."), the name before a ticker (any
company the release mentions), the "About X" heading (a wire's own boilerplate on some
wires), the headline's first words. So every place proposes a name, spellings of one
company are pooled (:func:`ingest.names.same_company`), and each pool is scored:

=========================================================  ======
where the name is read                                     weight
=========================================================  ======
in the headline, followed by a ticker ("Acme (NASDAQ: X)")    3.0
... later in the headline ("Firm Updates Coverage on Acme (X)")  1.0
between slashes in the dateline ("July 24, 2025 / RentKit /")  2.5
an analyst's "X Updates Coverage on Y" headline: X             4.0
in the lead (the release's opening name, :mod:`ingest.issuer`) 2.0
before a ticker in the first paragraphs of the body           2.0
an "About X" heading that is not a wire's                     2.0
the headline's first words, when the body repeats them        1.5
(one word the text also writes in lower case: "Crypto")      1.0
each further mention of its short name in the text (max 5)    0.3
(such a one-word name: max 2)
=========================================================  ======

The best pool is the issuer when it scores :data:`MIN_SCORE` or more, its name looks
like a name (:func:`plausible_name`), and more than a plain first word of the headline
names it. The issuer's tickers are those written right after
one of its names ("Acme Corp. (NASDAQ: ACME) (TSX: AC)"), so a ticker of another company
the release mentions is not the issuer's.

Example:
    >>> from ingest.tickers import find_tickers
    >>> text = "Acme Wins\\n\\nAcme Corp. (NASDAQ: ACME) won. Beta Inc. (NYSE: BETA) lost."
    >>> found = read_issuer(text, 11, len(text), find_tickers(text), "Acme Wins", (), 9)
    >>> found.name.value, [t.value for t in found.tickers], found.aliases
    ('Acme Corp.', ['NASDAQ:ACME'], ('Acme',))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.companies import is_legal_form
from ingest.datelines import COMMON_FIRST_WORDS
from ingest.issuer import find_issuer, name_before
from ingest.names import name_key, same_company, short_name
from ingest.types import ABOUT, Field, Section

__all__ = ["MIN_SCORE", "Issuer", "plausible_name", "read_issuer"]

MIN_SCORE = 2.0
_W_HEADLINE_TICKER = 3.0
_W_LEAD = 2.0
_W_DATELINE = 2.5
_W_COVERAGE = 4.0
_W_HEADLINE_TICKER_LATE = 1.0
_W_BODY_TICKER = 2.0
_W_ABOUT = 2.0
_W_HEADLINE = 1.5
_W_HEADLINE_WORD = 1.0  # one word ("Darren and Mike ...") is more often a first name
_W_MENTION = 0.3
_ABOUT_TICKER_WINDOW = 400  # characters of the issuer's About section read for its tickers
_BODY_TICKER_WINDOW = 2500  # characters after the lead's start searched for named tickers

# "About" sections a wire or a publisher adds to every release it carries.
_WIRE_ABOUT = re.compile(
    r"(?i)(?:news\s?wire|media\s?wire|press\s?wire|\bwire\b|newsbreaks|\bIBN\b|"
    r"InvestorBrandNetwork|newsramp|newsworthy|news\s?direct|24-7\s?press|PR\s?Karma|"
    r"prvolt|newsusa|citybiz|keycrew|reportable|press\s?services|stocks?$|"
    r"the\s+(?:company|author|sponsor|issuer)s?$|us$|the\s+event)"
)
_POWERED_BY = re.compile(r"(?i)\bpowered by IBN\b|\bDynamic Brand Portfolio\b")
_HEADLINE_WORD = re.compile(r"[A-Z0-9][\w.&'’\-]*|&")
_ROLE_START = re.compile(
    r"(?i)^(?:president|ceo|cfo|chairman|chairwoman|founder|dr|mr|mrs|ms|prof|sir|senator|"
    r"governor|mayor|rep|judge|attorney|lawsuit|class\s+action|investor|shareholder|breaking|"
    r"market|stock|report|update|exclusive|new|first|major|top|best|leading)\b"
)
_ALIAS_QUOTED = re.compile(r"[“\"]([^“”\"]{2,40})[”\"]")
_NOT_ALIAS = frozenset({"company", "the company", "we", "us", "our", "corporation", "group"})
_NOT_NAMES = frozenset({"Q&A", "FAQ", "CEO", "CFO", "USA", "U.S.", "US", "UK", "EU", "AI"})
_CONNECTORS = frozenset("of and for de du des la le the & y von van der den da do e et".split())
_BETWEEN_TICKERS = re.compile(r"[\s(),;:/]*(?:and\s+|&\s*)?[\s(]*")


@dataclass(frozen=True)
class Issuer:
    """The issuer read from a release: its name (None when none is clear), its tickers
    and its aliases (the short name, other spellings, names the release gives it)."""

    name: Field | None = None
    tickers: tuple[Field, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass
class _Pool:
    """The spellings of one company found in a release, with their evidence."""

    spellings: list[Field]
    sources: dict[str, float]
    origins: list[str]  # where each spelling was read

    def score(self) -> float:
        return sum(self.sources.values())


def plausible_name(name: str) -> bool:
    """Whether ``name`` reads as an organisation's name, not the start of a sentence.

    >>> plausible_name("Cellectar Biosciences, Inc."), plausible_name("First-time Nebraska")
    (True, False)
    >>> plausible_name("MountainOne's Storybook Team"), plausible_name("Lawsuit Legal News")
    (False, False)
    """
    words = name.split()
    if not words or len(name) > 80 or len(words) > 8:
        return False
    first = words[1] if words[0] == "The" and len(words) > 1 else words[0]
    joined = len(words) > 2 and words[1] == "&"  # "Watch & Sea Beauty"
    if first in COMMON_FIRST_WORDS and not joined or _ROLE_START.match(first):
        return False
    if re.search(r"(?<!\bLet)['’]s\b", name) or not re.match(r"[A-Z0-9]", first):
        return False
    if is_legal_form(name) or not re.search(r"[^\W\d_]{2}", name) or name in _NOT_NAMES:
        return False  # "Ltd", "2025", "Q&A"
    if any(w[0].islower() and w not in _CONNECTORS for w in words):
        return False  # "BCR Cyber Established in 2017,": a sentence, not a name
    if re.search(r"(?i)-based$", words[0]) or name.endswith(","):
        return False
    return bool(name_key(name))


def _ticker_run(text: str, end: int, tickers: tuple[Field, ...]) -> list[Field]:
    """The tickers written right after a name that ends at ``end``.

    "Acme Corp. (NASDAQ: ACME, ACMEW) (TSX: AC)" gives all three; an alias in brackets
    between them ("Acme Corp. ("Acme") (NASDAQ: ACME)") is skipped.
    """
    pos, run = end, []
    possessive = _POSSESSIVE.match(text, pos)
    if possessive is not None:  # "Clene Inc.’s (NASDAQ: CLNN) lead candidate"
        pos = possessive.end()
    while True:
        alias = _ALIAS_PAREN_AT.match(text, pos)
        if alias is not None:
            pos = alias.end()
        gap = _BETWEEN_TICKERS.match(text, pos)
        at = gap.end() if gap else pos
        nxt = [t for t in tickers if at - 1 <= t.start <= at + 1 and t.start >= end]
        if not nxt:
            return run
        run.extend(t for t in tickers if t.start == nxt[0].start)
        pos = max(t.end for t in tickers if t.start == nxt[0].start)


_ALIAS_PAREN_AT = re.compile(r"\s*\((?:[^()]*[“”\"][^()]*)\)")
_POSSESSIVE = re.compile(r"['’]s\b")
# a person introduced by a role: "Jen Berrent, Founder and CEO of Covenant", "Jin Chen
# serves as the Chief Technology Officer"
_PERSON_AFTER = re.compile(
    r"(?i)(?:,|\s+(?:serves|served|is|was|has\s+been)(?:\s+as)?)\s+(?:the\s+|a\s+|an\s+|our\s+)?"
    r"(?:co-?founder|founder|ceo|president|chief|chairman|"
    r"chairwoman|director|author|owner|managing\s+partner|partner\s+at|vice\s+president)\b"
)
# what may open a lead before its first name: the place of a dateline read without it
# ("Boston, MA -- "), "Today, ", where the company is based ("Washington, D.C.-based "),
# or when ("In August 2025, ")
_LEAD_OPENING = re.compile(
    r"(?:[A-Z][\w.'’]*(?:[ ,]+[A-Z][\w.'’]*){0,4}\s*(?:--|—|–)\s*|(?:Today|Yesterday),\s+|"
    r"(?:[A-Z][\w.'’]*[ ,]+){0,3}[A-Z][\w.'’]*-based\s+|"
    r"(?:In|On|This|Last|Since)\s+(?:[A-Z][a-z]+\.?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?"
    r"(?:19|20)\d{2},\s+)"
)
_MID_SENTENCE = re.compile(r"[\w,;:)]\s+$")  # "With Balise, users", not "Explore the"
# where the text of an About paragraph begins when its heading runs into it
_ABOUT_TEXT = re.compile(
    r"\s+(?=(?:Headquartered|Founded|Based|Established|Since|With|Located|is|was|has|are)\b)"
)
# what may come before the headline's subject: "InvestorNewsBreaks – ", "Market Alert: "
_HEADLINE_LEAD_IN = re.compile(r"\s*(?:[^:–—|]{0,40}[:–—|]\s*)?")
_COVERAGE = re.compile(
    r"\s*(?P<x>[A-Z][^:–—|]{1,60}?)\s+(?:Updates|Initiates|Reiterates|Resumes|Maintains|Issues)"
    r"\s+(?:Research\s+)?Coverage\s+(?:on|of)\b"
)
_FIRM_WORD = (
    r"(?:Group|Law|Firm|Partners|Associates|Bank|Company|Foundation|Institute|Agency|Clinic|"
    r"Center|Centre|Studio|Studios|Realty|Capital|Consulting|Insurance|LLP|LLC|P\.?C\.?|Inc\.?)"
)
_PERSON_OF_FIRM = re.compile(
    r",?(?:\s+(?:Jr|Sr)\.?|\s+I{2,3}|\s+IV)?,?\s+(?:of|at|from)\s+(?P<firm>(?:The\s+)?"
    r"[A-Z][\w&'’.\-]*(?:\s+(?:&\s+)?[A-Z][\w&'’.\-]*){0,5}\s+" + _FIRM_WORD + r")(?!\w)"
)
_WORD_GOES_ON = re.compile(r"[\w\-]")
_NEXT_WORD = re.compile(r"\s+\w\S*")
_POSSESSIVE_END = re.compile(r"['’]s$")
_COINED_WORD = re.compile(r"[A-Za-z]+[A-Z0-9][\w]*|[A-Z0-9]{3,}|\w+\.(?:com|ai|io|net|co)")


def _headline_prefix(text: str, headline: Field, body_from: int) -> Field | None:
    """The longest run of the headline's first words (up to five) that the body repeats
    as a name: "Vertical IQ Sets The Bar ..." gives "Vertical IQ" when the body writes
    "... leader Vertical IQ has ...". One word counts only if the body repeats it twice."""
    words = list(_HEADLINE_WORD.finditer(text, headline.start, headline.end))
    best = None
    for k in range(1, min(5, len(words)) + 1):
        run = words[:k]
        if any(run[i + 1].start() - run[i].end() > 1 for i in range(k - 1)):
            break  # a word run with punctuation between is no name
        phrase = text[run[0].start() : run[-1].end()].rstrip(".")
        possessive = _POSSESSIVE.search(phrase)
        if possessive is not None:  # "Cain Firm’s New Scholarship" -> "Cain Firm", no further
            phrase = phrase[: possessive.start()]
        if phrase in COMMON_FIRST_WORDS or phrase.endswith("&"):
            continue  # "Watch & Sea Beauty": not "Watch" alone, but maybe the longer run
        rest = _NEXT_WORD.match(text, run[-1].end(), headline.end)
        following = rest[0] if rest else ""
        found = inside = looked = 0
        at = text.find(phrase, body_from)
        while at >= 0 and found < 2 and looked < 12:  # (a short word can occur hundreds of times)
            looked += 1
            after = text[at + len(phrase) : at + len(phrase) + 2]
            goes_on = following and text.startswith(following, at + len(phrase))
            if not _WORD_GOES_ON.match(after) and not goes_on:  # (not the headline again)
                found += 1
                inside += _MID_SENTENCE.search(text, max(0, at - 3), at) is not None
            at = text.find(phrase, at + 1)
        if found >= 2 and inside or k > 1 and found:  # one word: once inside a sentence
            best = Field(phrase, run[0].start(), run[0].start() + len(phrase))
        if possessive is not None:
            break
    return best


def _common_word(text: str, name: str) -> bool:
    """A one-word name that the text also writes in lower case: a word of the language
    ("Crypto and the Future ..." ... "crypto"), not a brand ("Tevard", "GeoVax")."""
    if " " in name or _COINED_WORD.fullmatch(name):
        return False
    word = name.lower()  # as a word, not in a link or an address: "tevard.com"
    at = text.find(word)
    while at >= 0:
        before = text[at - 1] if at else " "
        after = text[at + len(word) : at + len(word) + 2]
        cut_before = not (before.isalnum() or before in "_./@")
        cut_after = not after or not (
            after[0].isalnum() or after[0] in "_@/" or after[0] == "." and after[1:].isalnum()
        )
        if cut_before and cut_after:
            return True
        at = text.find(word, at + 1)
    return False


def _said_in_body(text: str, name: Field, body_from: int) -> Field:
    """A headline's name cut to the words the body repeats: a Title Case headline runs
    into the name ("FDA Guidance Sets Lantern Pharma Inc. (NASDAQ: LTRN)")."""
    words = list(re.finditer(r"\S+", name.value))
    for w in words:
        rest = name.value[w.start() :]
        if text.find(short_name(rest), body_from) >= 0:
            return Field(rest, name.start + w.start(), name.end)
    return name


def _about_titles(text: str, sections: tuple[Section, ...]) -> list[tuple[Field, Section]]:
    """The names of the "About X" headings that are not a wire's or a publisher's, each
    with its section."""
    out = []
    for sec in sections:
        if sec.kind != ABOUT or not sec.title:
            continue
        brand = _POWERED_BY.search(text, sec.start, sec.end) is not None  # an IBN brand
        start = text.find(sec.title, sec.start, sec.end)
        words = sec.title.split(maxsplit=1)
        if start < 0 or len(words) < 2 or words[0].lower() != "about":
            continue
        name = words[1].split(" (")[0].strip(" :*#_")  # "About Acme LLC (“Acme”)"
        name = _ABOUT_TEXT.split(name, maxsplit=1)[0].strip(" ,")  # "About Acme Founded in"
        name = re.sub(r"^the\s+", "", name)  # "About the American Heart Association"
        if _WIRE_ABOUT.search(name) and not brand:
            continue
        at = text.find(name, start)
        if at >= 0:
            out.append((Field(name, at, at + len(name)), sec))
    return out


def _one_company(a: str, b: str) -> bool:
    """Whether two names in one release are one company's: as across the corpus
    (:func:`ingest.names.same_company`), or one begins the other ("Tevard Reports ..."
    and "Tevard Biosciences, Inc."; across the corpus "Tevard" alone would join too much)."""
    if same_company(a, b):
        return True
    ka, kb = sorted((name_key(a), name_key(b)), key=len)
    return len(ka) >= 3 and kb.startswith(ka + " ")


def _pool(pools: list[_Pool], text: str, name: Field, source: str, weight: float) -> None:
    """Add a spelling to the pool of its company (a new pool if none matches); a person
    "of" a firm ("Philip W. Boesch, Jr. of The Boesch Law Group") gives the firm."""
    firm = _PERSON_OF_FIRM.match(text, name.end)
    if firm is not None and len(name.value.split()) <= 4:
        name = Field(firm["firm"], firm.start("firm"), firm.end("firm"))
    value = _POSSESSIVE_END.sub("", name.value).rstrip("'’ ")  # "NRX’s (NASDAQ: NRXP)"
    name = Field(value, name.start, name.start + len(value))
    if not plausible_name(name.value) or _PERSON_AFTER.match(text, name.end):
        return
    for p in pools:
        if any(_one_company(name.value, s.value) for s in p.spellings):
            p.spellings.append(name)
            p.origins.append(source)
            p.sources[source] = max(p.sources.get(source, 0.0), weight)
            return
    pools.append(_Pool([name], {source: weight}, [source]))


def _other_named(pools: list[_Pool], best: _Pool) -> bool:
    """Whether the headline's ticker follows another company's name that the release
    names elsewhere too ("... Updates Coverage on Valens Semiconductor Ltd. (NYSE: VLN)")."""
    return any(
        p is not best and "headline-ticker" in p.sources and set(p.sources) - _WEAK for p in pools
    )


_WEAK = {"headline-ticker", "mentions"}


def _headline_word_only(pool: _Pool) -> bool:
    """Only the headline's first word names it, and it is a plain word: "Explore the
    Latest ...", "Partnering with ...", "Trump’s Energy Policies ..." name no issuer."""
    if set(pool.sources) - {"headline", "mentions"}:
        return False
    word = pool.spellings[0].value
    return " " not in word and not _COINED_WORD.fullmatch(word)


def _shown(pool: _Pool) -> Field:
    """The spelling to show: the longest with its legal form, else the longest (an About
    heading's "Upper Peninsula Travel and Recreation Association", not the lead's "Upper
    Peninsula"); not an all-capitals one when another is written, and a run of more than
    four of the headline's first words only when nothing else names it."""
    short = [  # a long run of the headline's words is more likely a clause than a name
        s
        for s, o in zip(pool.spellings, pool.origins, strict=True)
        if o != "headline" or len(s.value.split()) <= 4
    ]
    named = short or pool.spellings
    cased = [s for s in named if not s.value.isupper()] or named
    return max(cased, key=lambda s: (short_name(s.value) != s.value, len(s.value)))


def _aliases(text: str, pool: _Pool, shown: Field) -> tuple[str, ...]:
    """Other names of the issuer: its short name, other spellings, quoted aliases."""
    names = [short_name(shown.value)] + [s.value for s in pool.spellings]
    alias = _ALIAS_PAREN_AT.match(text, shown.end)
    if alias is not None:
        names += [m[1].strip() for m in _ALIAS_QUOTED.finditer(alias[0])]
    out: list[str] = []
    for n in names:
        if n and n != shown.value and n.lower() not in _NOT_ALIAS and n not in out:
            out.append(n)
    return tuple(out)


def read_issuer(
    text: str,
    body_start: int,
    lead_end: int,
    tickers: tuple[Field, ...],
    headline: str,
    sections: tuple[Section, ...],
    headline_end: int = 0,
    dateline_name: Field | None = None,
) -> Issuer:
    """Read the issuer of a release from its lead, headline, tickers and About headings.

    Args:
        text: The stored text of a release.
        body_start: Where the lead's prose starts (after its dateline, if any).
        lead_end: End of the lead paragraph.
        tickers: Every ticker of the release (:func:`ingest.tickers.find_tickers`).
        headline: The headline's text, or "".
        sections: The release's sections (for the "About X" headings).
        headline_end: Where the headline ends in ``text`` (0 when there is none); the
            headline is ``text[headline_end - len(headline):headline_end]``.
        dateline_name: The company a dateline names between slashes, if any.

    Returns:
        The issuer, its tickers and aliases; ``Issuer()`` when no name is clear.
    """
    pools: list[_Pool] = []
    head = Field(headline, headline_end - len(headline), headline_end) if headline else None
    if head is not None:
        for t in tickers:
            if head.start <= t.start < head.end:
                name = name_before(text, head.start, t.start)
                if name is not None:
                    name = _said_in_body(text, name, body_start)
                    first = _HEADLINE_LEAD_IN.fullmatch(text, head.start, name.start)
                    weight = _W_HEADLINE_TICKER if first else _W_HEADLINE_TICKER_LATE
                    _pool(pools, text, name, "headline-ticker", weight)
                break
    coverage = _COVERAGE.match(text, head.start, head.end) if head is not None else None
    if coverage is not None:  # "Stonegate Capital Partners Updates Coverage on Acme (X)"
        name = Field(coverage["x"], coverage.start("x"), coverage.end("x"))
        _pool(pools, text, name, "coverage", _W_COVERAGE)
    if dateline_name is not None:
        _pool(pools, text, dateline_name, "dateline", _W_DATELINE)
    lead = find_issuer(text, body_start, lead_end, tickers, headline)
    opening = _LEAD_OPENING.match(text, body_start, lead_end)
    if lead is None and opening is not None:  # "Boston, MA -- Tevard ...", "Today, Balise ..."
        lead = find_issuer(text, opening.end(), lead_end, tickers, headline)
    if lead is not None:
        _pool(pools, text, lead, "lead", _W_LEAD)
    window = body_start + _BODY_TICKER_WINDOW
    for t in tickers:
        if body_start <= t.start < window:
            name = name_before(text, max(body_start, t.start - 200), t.start)
            if name is not None:
                _pool(pools, text, name, "body-ticker", _W_BODY_TICKER)
                break
    abouts = _about_titles(text, sections)
    for about, _ in abouts:
        _pool(pools, text, about, "about", _W_ABOUT)
    if head is not None:
        prefix = _headline_prefix(text, head, body_start)
        if prefix is not None:
            common = _common_word(text, prefix.value)
            _pool(pools, text, prefix, "headline", _W_HEADLINE_WORD if common else _W_HEADLINE)
    if not pools:
        return Issuer()
    for p in pools:
        key = short_name(_shown(p).value)
        mentions = max(0, text.count(key) - 1) if len(key) >= 3 else 0
        p.sources["mentions"] = _W_MENTION * min(2 if _common_word(text, key) else 5, mentions)
    best = max(pools, key=_Pool.score)
    if best.score() < MIN_SCORE or _headline_word_only(best):
        return Issuer()
    shown = _shown(best)
    own: dict[str, Field] = {}
    for spelling in (
        {s.value for s in best.spellings} | {short_name(shown.value)} if tickers else ()
    ):
        at = text.find(spelling)
        while at >= 0:
            for t in _ticker_run(text, at + len(spelling), tickers):
                own.setdefault(t.value, t)
            at = text.find(spelling, at + 1)
    for about, sec in abouts:  # "About Vycor ... a publicly traded company (OTCQB: VYCO)"
        if any(same_company(about.value, s.value) for s in best.spellings[:3]):
            for t in tickers:
                if sec.start <= t.start < sec.start + _ABOUT_TICKER_WINDOW:
                    own.setdefault(t.value, t)
    if not own and head is not None and not _other_named(pools, best):
        # "Market Alert: Palatin’s ... in Phase 2 Topline Data (NYSE: PTN)"
        first_word = short_name(shown.value).split()[0]
        if len(first_word) >= 4 and first_word in text[head.start : head.end]:
            for t in tickers:
                if head.start <= t.start < head.end:
                    own.setdefault(t.value, t)
    ordered = tuple(t for t in tickers if t.value in own)  # in text order
    return Issuer(shown, ordered, _aliases(text, best, shown))
