"""The names a release may be issued by: every place that can name its issuer proposes
one, and the spellings of one company are pooled (pure).

Each place alone is often wrong: the lead's opening words ("First-time Nebraska homebuyers
..."), the name before a ticker (any company the release mentions), the "About X" heading
(a wire's own boilerplate on some wires), the headline's first words, a contact's firm. So
each proposes, :func:`find_candidates` pools the spellings of one company
(:func:`ingest.names.same_company`, or one name beginning the other) and records which
places named it; :mod:`ingest.issuer_scorer` scores the pools with a learned model.

The places (``Candidate.sources``):

====================  ==========================================================
``headline-ticker``   the name before a ticker early in the headline ("Acme (NASDAQ: X)")
``headline-ticker-late``  ... later in the headline ("Firm Updates Coverage on Acme (X)")
``coverage``          an analyst's "X Updates Coverage on Y" headline: X
``dateline``          between slashes in the dateline ("July 24, 2025 / RentKit /")
``lead``              the lead's opening name (:func:`ingest.issuer.find_issuer`)
``body-ticker``       before the first ticker of the body's opening 2,500 characters
``ticker``            before any later ticker (up to four)
``about``             an "About X" heading that is not a wire's
``about-body``        the name that opens an About section's text ("Acme is a ...")
``headline``          the headline's first words, when the body repeats them
``headline-common``   ... one word that the text also writes in lower case ("Crypto")
``source``            a source line ("Source: Acme Corp", "SOURCE Acme")
``contact``           a name opening a line of the contacts block ("Media contact: Acme")
``defined``           a name that opens a sentence defining it ("Acme is a leading ...")
``more-about``        "learn more about X", "for more information about X"
``role-of``           "President of X", "the attorneys at X" (up to four)
``about-inline``      an "About X" heading inside a paragraph ("...  About X X is a ...")
``headline-start``    the name that opens the headline (after a lead-in "Market Alert: ")
``sponsor``           "paid for by X", "on behalf of X", "sponsored by X"
``copyright``         "© 2025 Acme Inc."
``wire``              the site it "appeared first on" ("The post ... appeared first on citybiz.")
``legal``             a name with a legal form ("Acme Robotics, LLC") anywhere (up to four)
====================  ==========================================================

Example:
    >>> text = "Acme Wins\\n\\nAcme Corp. (NASDAQ: ACME) won.\\n\\nSource: Acme Corp."
    >>> from ingest.tickers import find_tickers
    >>> pools = find_candidates(text, 11, 39, find_tickers(text), "Acme Wins", (), 9)
    >>> [(c.spellings[0].value, sorted(c.sources)) for c in pools]
    [('Acme Corp.', ['body-ticker', 'headline', 'headline-start', 'lead', 'legal', 'source'])]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.companies import is_legal_form
from ingest.datelines import COMMON_FIRST_WORDS
from ingest.issuer import find_issuer, name_at, name_before
from ingest.names import name_key, same_company, short_name
from ingest.types import ABOUT, CONTACTS, Field, Section

__all__ = [
    "HEADLINE_LEAD_IN",
    "HEADLINE_VERB",
    "SOURCES",
    "Candidate",
    "common_word",
    "find_candidates",
    "plausible_name",
]

SOURCES = (
    "headline-ticker",
    "headline-ticker-late",
    "coverage",
    "dateline",
    "lead",
    "body-ticker",
    "ticker",
    "about",
    "about-body",
    "headline",
    "headline-common",
    "source",
    "contact",
    "defined",
    "more-about",
    "role-of",
    "about-inline",
    "headline-start",
    "sponsor",
    "copyright",
    "wire",
    "legal",
)
_BODY_TICKER_WINDOW = 2500  # characters after the lead's start searched for named tickers
_MAX_TICKER_NAMES = 4
_MAX_LEGAL_NAMES = 4
_MAX_CONTACT_NAMES = 6

# "About" sections a wire or a publisher adds to every release it carries.
WIRE_ABOUT = re.compile(
    r"(?i)(?:news\s?wire|media\s?wire|press\s?wire|\bwire\b|newsbreaks|\bIBN\b|"
    r"InvestorBrandNetwork|newsramp|newsworthy|news\s?direct|24-7\s?press|PR\s?Karma|"
    r"prvolt|newsusa|citybiz|keycrew|reportable|press\s?services|stocks?$|"
    r"the\s+(?:company|author|sponsor|issuer)s?$|us$|the\s+event)"
)
POWERED_BY = re.compile(r"(?i)\bpowered by IBN\b|\bDynamic Brand Portfolio\b")
_HEADLINE_WORD = re.compile(r"[A-Z0-9][\w.&'’\-]*|&")
_ROLE_START = re.compile(
    r"(?i)^(?:president|ceo|cfo|chairman|chairwoman|founder|dr|mr|mrs|ms|prof|sir|senator|"
    r"governor|mayor|rep|judge|attorney|lawsuit|class\s+action|investor|shareholder|breaking|"
    r"market|stock|report|update|exclusive|new|first|major|top|best|leading)\b"
)
_NOT_NAMES = frozenset({"Q&A", "FAQ", "CEO", "CFO", "USA", "U.S.", "US", "UK", "EU", "AI"})
_CONNECTORS = frozenset("of and for de du des la le the & y von van der den da do e et".split())
_POSSESSIVE = re.compile(r"['’]s\b")
# a person introduced by a role: "Jen Berrent, Founder and CEO of Covenant", "Jin Chen
# serves as the Chief Technology Officer"
PERSON_AFTER = re.compile(
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
HEADLINE_LEAD_IN = re.compile(r"\s*(?:[^:–—|]{0,40}[:–—|]\s*)?")
_COVERAGE = re.compile(
    r"\s*(?P<x>[A-Z][^:–—|]{1,60}?)\s+(?:Updates|Initiates|Reiterates|Resumes|Maintains|Issues)"
    r"\s+(?:Research\s+)?Coverage\s+(?i:on|of)\b"
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
COINED_WORD = re.compile(r"[A-Za-z]+[A-Z0-9][\w]*|[A-Z0-9]{3,}|\w+\.(?:com|ai|io|net|co)")
_SOURCE_LINE = re.compile(
    r"(?m)^[ \t*_#]*(?:SOURCE|Source)(?:\s*[:\-–—]\s*|\s+)[*_\s]*(?=[A-Z0-9])"
)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|Copyright)\s*(?:©\s*)?(?:(?:19|20)\d{2}[\s,\-–]*)+(?=[A-Z])")
# a legal form that ends a name ("Acme Robotics, LLC"): the name is read back from it
# (one pattern per form: a literal prefix makes ``re`` search fast, an alternation does not)
_LEGAL_FORMS = tuple(
    re.compile(" " + form + r"\b\.?")
    for form in ("Inc", "Corp", "Corporation", "LLC", r"L\.L\.C", "Ltd", "Limited", "LLP", "plc")
    + ("PLC", "GmbH", r"S\.A", r"N\.V", "AG", "Pty")
)
# a contact line's label: "Media Contact:", "Contact Details" (run into the name on some
# wires: "Contact DetailsCutoshi"), "Company Name:", "Organization:"
_CONTACT_LABEL = re.compile(
    r"(?i)[ \t*_#>-]*(?:(?:media|press|investor|company|corporate|public|for)\s+)?(?:contacts?|"
    r"relations|inquiries|enquiries)?\s*(?:details|info(?:rmation)?|person|name)?\s*[:\-–—]?"
    r"[ \t*_]*(?:(?:company|organi[sz]ation|business|firm|agency|name|from|by|source)\s*[:\-–—]"
    r"[ \t*_]*)?"
)
# "Acme is a leading ...", "Acme, a Delaware company, ...": a name that opens a sentence
# and is defined by it, as boilerplate without an About heading does (read back from the verb)
_IS_A = tuple(
    re.compile(verb + r" (?:a|an|the|one of)\s") for verb in (" is", " was", " are", " has been")
)
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s|\n)[ \t*_]*(?=[A-Z0-9$])")
_MAX_DEFINED = 4
# a name after a preposition, read by the words before it: "said Bob Lee, President of Key
# Housing", "the attorneys at Stephenson Rife" (role-of); "paid for by X", "on behalf of X"
# (sponsor); "learn more about X", "information on X" (more-about)
_BEFORE_NAME = tuple(
    re.compile(f" ({word}) +(?:the +)?(?=[A-Z0-9$])")
    for word in ("at", "of", "for", "with", "by", "about", "on")
)
_ROLE_WORDS = re.compile(
    r"(?i)(?:president|ceo|founder|co-founder|owner|director|chairman|chairwoman|partner|"
    r"principal|spokesperson|spokesman|spokeswoman|officer|head|manager|attorneys?|lawyers?|"
    r"team|professionals|experts|staff|members?)\s+$"
)
_SPONSOR_WORDS = re.compile(
    r"(?i)(?:paid\s+for|sponsored|on\s+behalf|commissioned|compensated|brought\s+to\s+you|"
    r"presented)\s+$"
)
_MORE_WORDS = re.compile(r"(?i)(?:learn\s+more|information|find\s+out\s+more|more)\s+$")
_PREPOSITION_SOURCES = (
    ("role-of", ("at", "of", "for", "with"), _ROLE_WORDS),
    ("sponsor", ("by", "of"), _SPONSOR_WORDS),
    ("more-about", ("about", "on"), _MORE_WORDS),
)
# an About heading inside a paragraph (wires that run a release into one paragraph, its
# paragraphs cut by two spaces): "...  About Stephenson Rife Law Firm Stephenson Rife is"
_ABOUT_WORD = re.compile(r"(?:About|ABOUT)\s+(?:the\s+)?(?=[A-Z0-9$])")
_MAX_ROLE_OF = 4
# the site that published it first: "The post ... appeared first on citybiz."
_APPEARED = tuple(
    re.compile(words + r" on (?:the )?([\w\-]+(?:[ .][A-Z][\w\-]*)*)")
    for words in ("appeared first", "first appeared")
)


@dataclass
class Candidate:
    """The spellings of one company found in a release, and where each was read."""

    spellings: list[Field]
    origins: list[str]  # where each spelling was read (one of SOURCES)
    sources: set[str] = field(default_factory=set)
    person: bool = False  # a spelling is followed by a person's role ("Jen Berrent, CEO of")


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


def _loose_name(name: str) -> bool:
    """Whether ``name`` may be a candidate at all: a short capitalised run with letters
    (the model weighs :func:`plausible_name` and the rest)."""
    words = name.split()
    if not words or len(name) > 80 or len(words) > 8 or name in _NOT_NAMES or "@" in name:
        return False
    if len(words) == 1 and name.rstrip(".") in COMMON_FIRST_WORDS or is_legal_form(name):
        return False
    if not re.match(r"[A-Z0-9$]|[a-z][\w\-]*\.(?:com|net|io|ai|org|co)\b", name):
        return False
    if sum(w[0].islower() and w not in _CONNECTORS for w in words) > 1:
        return False
    if not re.search(r"[^\W\d_]{2}", short_name(name)):
        return False  # "2025 Inc."
    return bool(name_key(name))


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


def common_word(text: str, name: str) -> bool:
    """A one-word name that the text also writes in lower case: a word of the language
    ("Crypto and the Future ..." ... "crypto"), not a brand ("Tevard", "GeoVax")."""
    if " " in name or COINED_WORD.fullmatch(name):
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


def about_titles(text: str, sections: tuple[Section, ...]) -> list[tuple[Field, Section]]:
    """The names of the "About X" headings that are not a wire's or a publisher's, each
    with its section."""
    out = []
    for sec in sections:
        if sec.kind != ABOUT or not sec.title:
            continue
        brand = POWERED_BY.search(text, sec.start, sec.end) is not None  # an IBN brand
        start = text.find(sec.title, sec.start, sec.end)
        words = sec.title.split(maxsplit=1)
        if start < 0 or len(words) < 2 or words[0].lower() != "about":
            continue
        name = words[1].split(" (")[0].strip(" :*#_")  # "About Acme LLC (“Acme”)"
        name = _ABOUT_TEXT.split(name, maxsplit=1)[0].strip(" ,")  # "About Acme Founded in"
        name = re.sub(r"^the\s+", "", name)  # "About the American Heart Association"
        if WIRE_ABOUT.search(name) and not brand:
            continue
        at = text.find(name, start)
        if at >= 0:
            out.append((Field(name, at, at + len(name)), sec))
    return out


def _about_openings(text: str, sections: tuple[Section, ...]) -> list[Field]:
    """The name that opens the text of each About section, after its heading."""
    out = []
    for sec in sections:
        if sec.kind != ABOUT:
            continue
        at = sec.start
        if sec.title:
            found = text.find(sec.title, sec.start, sec.end)
            at = found + len(sec.title) if found >= 0 else sec.start
        while at < sec.end and text[at] in " \t\n*_#:-–—":
            at += 1
        name = name_at(text, at, min(sec.end, at + 120))
        if name is not None:
            out.append(name)
    return out


def _one_company(a: str, b: str) -> bool:
    """Whether two names in one release are one company's: as across the corpus
    (:func:`ingest.names.same_company`), or one begins the other ("Tevard Reports ..."
    and "Tevard Biosciences, Inc."; across the corpus "Tevard" alone would join too much)."""
    if same_company(a, b):
        return True
    ka, kb = sorted((name_key(a), name_key(b)), key=len)
    return len(ka) >= 3 and kb.startswith(ka + " ")


def _add(pools: list[Candidate], text: str, name: Field | None, source: str) -> None:
    """Add a spelling to the pool of its company (a new pool if none matches); a person
    "of" a firm ("Philip W. Boesch, Jr. of The Boesch Law Group") gives the firm."""
    name = _clean(text, name, source) if name is not None else None
    name = _cut_repeat(name)
    if name is None:
        return
    firm = _PERSON_OF_FIRM.match(text, name.end)
    if firm is not None and len(name.value.split()) <= 4:
        name = Field(firm["firm"], firm.start("firm"), firm.end("firm"))
    value = _POSSESSIVE_END.sub("", name.value).rstrip("'’ ")  # "NRX’s (NASDAQ: NRXP)"
    name = Field(value, name.start, name.start + len(value))
    if source != "wire" and not _loose_name(name.value):
        return
    person = PERSON_AFTER.match(text, name.end) is not None
    for p in pools:
        if any(_one_company(name.value, s.value) for s in p.spellings):
            p.spellings.append(name)
            p.origins.append(source)
            p.sources.add(source)
            p.person = p.person or person
            return
    pools.append(Candidate([name], [source], {source}, person))


def _headline_tickers(
    pools: list[Candidate], text: str, head: Field, tickers: tuple[Field, ...], body_start: int
) -> None:
    for t in tickers:
        if head.start <= t.start < head.end:
            name = name_before(text, head.start, t.start)
            if name is not None:
                name = _said_in_body(text, name, body_start)
                first = HEADLINE_LEAD_IN.fullmatch(text, head.start, name.start)
                _add(pools, text, name, "headline-ticker" if first else "headline-ticker-late")
            return


_BREAK = re.compile(r"\s*\n|\.\s+(?=\S)")
_ABBREVIATION = re.compile(r"(?:\b(?:Inc|Co|Corp|Ltd|Jr|Sr|St|Dr|Mr|Mrs|Ms|No|Mt|Ft)|\b[A-Z])$")
_KEEP_DOT = re.compile(r"(?:\b(?:Inc|Co|Corp|Ltd|Jr|Sr|Bros|L\.L\.C|L\.P|S\.A|N\.V|[A-Z])\.)$")
_LEADING = re.compile(
    r"(?i:(?:more\s+)?about\s+(?:the\s+)?)|(?:[A-Z][\w.'’]*[ ,]+){0,3}[\w.'’]+-based\s+"
)
_RUN_IN = re.compile(
    r"(?:(?<=[A-Za-z.)®™])(?:Chief|Phone|Tel|E-?[Mm]ail|Host|Website|Web|https?|www|Headquartered|"
    r"Founded|Based|Located|The|Denver|Austin|Los\s+Angeles|New\s+York|San\s+Francisco|Chicago|"
    r"Boston|Miami|Toronto|London|Dallas|Houston|Atlanta|Seattle|Vancouver)\b|\s+(?:https?:|www\.|"
    r"(?:Headquartered|Founded|Located)\b)).*$"
)
_DOUBLED = re.compile(r"\b(\w{3,})\1\b")
_LABELISH = re.compile(
    r"(?i)^(?:(?:media|public|press|investor|company|contact)\s+(?:inquiries|contacts?|"
    r"relations|name|details|information)|contact|disclaimer|founded|headquartered|based|"
    r"address|country|email|phone|website)\b"
)
# verbs that end a name at the start of a headline: "MAOCAT Announces New Presale"
HEADLINE_VERB = re.compile(
    r"\s+(?:Announces?|Announced|Launch(?:es|ed)?|Unveils?|Expands?|Appoints?|Names|Aims|"
    r"Leverages?|Collaborates?|Donates?|Integrates?|Partners\s+[Ww]ith|Reports?|Reported|Introduces?|"
    r"Celebrates?|Completes?|Receives?|Wins?|Won|Joins?|Debuts?|Shows|Hosts?|Hosted|Releases?|"
    r"Signs?|Secures?|Raises?|Opens?|Achieves?|Honou?red|Recognized|Named|Selected|Acquires?|"
    r"Adds?|Enters?|Files?|Invites?|Offers?|Provides?|Presents?|Promotes?|Promoted|Reaches?|"
    r"Sets|Welcomes?|Brings?|Helps?|Marks?|Moves?|Ranks?|Reveals?|Teams\s+[Uu]p|Unites?|Urges?|"
    r"Calls|Closes?|Set\s+to|to|Is|Are|Has|Have|Will|Now|Co-Leads?|Leads?|Explains?|Talks|"
    r"Discusses|Featured|Educates?|Declares?|Transforms?|Enhances?|Implements?|Shares?|"
    r"Gets|Goes|Takes|Makes|Delivers?|Kicks|Crowned|Awarded|Earns?|Posts?|Sees|Targets?|"
    r"Tops?|Hits?|Climbs?|Surges?|Soars?|Gains?|Declines?|Drops?|Rises?|Revolutionizes?|"
    r"Reaffirms?|Aiming|Aims|Turns|Sponsors|Commends?|Represents?|Successfully|Becomes?|"
    r"Championing|Empowers?|Powers|Redefines?|Celebrating|Launching|Announcing|Expanding|"
    r"Partnering|Updates?|Initiates?|Reiterates?|Maintains?|Resumes?|Issues|Shines|Grows|Captivates|Kicks|Elevates?|Strengthens?|Accelerates?|Boosts?|Returns?|"
    r"Connects|Ushers|Harnesses|Officially|Unlocks|Unlocking|Tackles|Explores|Bypasses|"
    r"Underlines|Pays|Uses|Streamlines|Invests|Deploys|Showcases|Highlights|Demonstrates|"
    r"Supports|Hires|Publishes|Confirms|Outlines|Warns|Seeks|Sues|Settles|Responds|Approves|"
    r"Extends|Renews|Accepts|Creates|Develops|Revamps|Rebrands|Relaunches|Begins|"
    r"Starts|Unveiled|Introduced|Launched|Recognizes|Honors|Congratulates|Encourages|Reminds|"
    r"Inspires|Emerges|Continues|Surpasses|Exceeds|Doubles|Reduces|Broadens|Simplifies|"
    r"Pioneers|Ignites|Embraces|Adopts|Taps|Elects|Buys|Sells|Merges|Relocates|"
    r"Says|Said|Finds|Warns|Urged|Invited|Hails|Applauds|Partnered|Joined|Expanded|Secured|"
    r"Raised|Acquired|Signed|Opened|Received|Completed|Appointed|Celebrated)\b"
)
# what opens a headline before its subject: "Announcing Fuzuki Inu ...", "Introducing ..."
_HEADLINE_GERUND = re.compile(
    r"(?:Announcing|Introducing|Unveiling|Presenting|Meet)\s+(?=[A-Z0-9$])"
)


def _clean(text: str, name: Field, source: str) -> Field | None:
    """A proposed name cut to the name: not over a line break or a sentence's end, no
    leading "About " or "Canada-based ", no possessive and what follows it, no doubled
    word ("MAOCATMAOCAT"), no contact label run into it; a headline's run cut at its
    verb ("MAOCAT Announces New" -> "MAOCAT")."""
    value, start = name.value, name.start
    gerund = _HEADLINE_GERUND.match(value) if source.startswith("headline") else None
    if gerund is not None:  # "Announcing Fuzuki Inu" -> "Fuzuki Inu"
        value, start = value[gerund.end() :], start + gerund.end()
    lead = _LEADING.match(value)
    if lead is not None and lead.end() < len(value):
        value, start = value[lead.end() :], start + lead.end()
    for cut in _BREAK.finditer(value):  # a line break, or a period that ends a sentence
        if "\n" in cut[0]:  # "Nutriband Inc.\n\nNutriband ...": the line ends the name
            value = value[: cut.start() + cut[0].startswith(".")]
            break
        if cut[0].startswith(".") and _ABBREVIATION.search(value, 0, cut.start()):
            continue
        value = value[: cut.start()]
        break
    value = _RUN_IN.sub("", value)
    possessive = (
        re.search(r"(?<!\bLet)['’]s?(?:\s|$)", value) if source.startswith("headline") else None
    )
    if possessive is not None and possessive.start() > 1:  # "Soligenix's HyBryte Shows"
        value = value[: possessive.start()]
    verb = HEADLINE_VERB.search(value)
    if verb is not None and verb.start() > 0:
        value = value[: verb.start()]
    doubled = _DOUBLED.search(value)
    if doubled is not None:
        value = value[: doubled.start()] + doubled[1] + value[doubled.end() :]
        if text[start : start + len(value)] != value:  # (the span must hold the value)
            return None
    value = value.rstrip(" ,;:-–—|")
    if value.endswith(".") and not _KEEP_DOT.search(value):
        value = value[:-1]
    if not value or _LABELISH.match(value):
        return None
    return Field(value, start, start + len(value))


def _cut_repeat(name: Field | None) -> Field | None:
    """A name cut where its first word comes again: "Stephenson Rife Law Firm Stephenson
    Rife" (an inline About heading run into its text) -> "Stephenson Rife Law Firm",
    "Amphibian CapitalAmphibian Capital" -> "Amphibian Capital", "ADVYZON Advyzon"."""
    if name is None:
        return None
    twice = re.fullmatch(r"(.{2,}?)\s?\1", name.value)  # "We Mediate We Mediate"
    if twice is not None:
        return Field(twice[1], name.start, name.start + len(twice[1]))
    first = name.value.split()[0] if name.value.split() else ""
    if len(first) < 3:
        return name
    at = name.value.lower().find(first.lower(), 1)
    if at > 0:
        value = name.value[:at].rstrip(" ,\n\t")
        return Field(value, name.start, name.start + len(value)) if value else None
    return name


def _contact_names(text: str, sections: tuple[Section, ...]) -> list[Field]:
    """The name opening each line of the contacts block (its label cut), up to six."""
    out: list[Field] = []
    for sec in sections:
        if sec.kind != CONTACTS:
            continue
        at = sec.start
        while at < sec.end and len(out) < _MAX_CONTACT_NAMES:
            nl = text.find("\n", at, sec.end)
            line_end = sec.end if nl < 0 else nl
            label = _CONTACT_LABEL.match(text, at, line_end)
            start = label.end() if label is not None else at
            name = name_at(text, start, line_end)
            if name is not None:
                out.append(name)
            at = line_end + 1
    return out


def _matches(patterns: tuple[re.Pattern, ...], text: str, start: int) -> list[re.Match]:
    """The matches of several patterns, in text order."""
    return sorted((m for p in patterns for m in p.finditer(text, start)), key=re.Match.start)


def _defined(text: str, start: int) -> list[Field]:
    """The names that open a sentence defining them ("Acme is a leading ..."), up to four."""
    out: list[Field] = []
    for m in _matches(_IS_A, text, start):
        if len(out) >= _MAX_DEFINED:
            break
        begin = max(start, m.start() - 80)
        starts = list(_SENTENCE_START.finditer(text, begin, m.start()))
        opening = starts[-1] if starts else None  # the last sentence start before the verb
        if opening is None or "\n" in text[opening.end() : m.start()]:
            continue
        name = name_at(text, opening.end(), m.start())
        if name is not None and name.end >= m.start() - 1:  # the name is the whole subject
            out.append(name)
    return out


def _after_prepositions(text: str, start: int) -> list[tuple[Field, str]]:
    """Names after "President of", "paid for by", "learn more about" (four of each)."""
    out: list[tuple[Field, str]] = []
    counts = dict.fromkeys((s for s, _, _ in _PREPOSITION_SOURCES), 0)
    for m in _matches(_BEFORE_NAME, text, start):
        before = text[max(0, m.start() - 40) : m.start() + 1]  # (with the space)
        for source, words, rule in _PREPOSITION_SOURCES:
            if m[1] in words and counts[source] < 4 and rule.search(before):
                name = name_at(text, m.end(), min(len(text), m.end() + 120))
                if name is not None:
                    out.append((name, source))
                    counts[source] += 1
                break
    return out


def _inline_abouts(text: str, start: int) -> list[Field]:
    """The names of "About X" headings that open a line or follow two spaces."""
    out = []
    for m in _ABOUT_WORD.finditer(text, start):
        at = m.start()
        while at > 0 and text[at - 1] in "*_#":
            at -= 1
        if at == 0 or text[at - 1] == "\n" or text[max(0, at - 2) : at].isspace() and at >= 2:
            name = name_at(text, m.end(), min(len(text), m.end() + 160))
            if name is not None:
                out.append(name)
    return out


def find_candidates(
    text: str,
    body_start: int,
    lead_end: int,
    tickers: tuple[Field, ...],
    headline: str,
    sections: tuple[Section, ...],
    headline_end: int = 0,
    dateline_name: Field | None = None,
) -> list[Candidate]:
    """Every company a place of the release names, its spellings pooled.

    Args: as :func:`ingest.identity.read_issuer`.

    Returns:
        The pools in the order their first spelling was proposed.
    """
    pools: list[Candidate] = []
    head = Field(headline, headline_end - len(headline), headline_end) if headline else None
    if head is not None:
        _headline_tickers(pools, text, head, tickers, body_start)
        coverage = _COVERAGE.match(text, head.start, head.end)
        if coverage is not None:  # "Stonegate Capital Partners Updates Coverage on Acme (X)"
            _add(
                pools,
                text,
                Field(coverage["x"], coverage.start("x"), coverage.end("x")),
                "coverage",
            )
    _add(pools, text, dateline_name, "dateline")
    lead = find_issuer(text, body_start, lead_end, tickers, headline)
    opening = _LEAD_OPENING.match(text, body_start, lead_end)
    if lead is None and opening is not None:  # "Boston, MA -- Tevard ...", "Today, Balise ..."
        lead = find_issuer(text, opening.end(), lead_end, tickers, headline)
    _add(pools, text, lead, "lead")
    window = body_start + _BODY_TICKER_WINDOW
    named = 0
    for t in tickers:
        if t.start < body_start or named >= _MAX_TICKER_NAMES:
            continue
        name = name_before(text, max(body_start, t.start - 200), t.start)
        if name is not None:
            _add(pools, text, name, "body-ticker" if not named and t.start < window else "ticker")
            named += 1
    for about, _ in about_titles(text, sections):
        _add(pools, text, about, "about")
    for name in _about_openings(text, sections):
        _add(pools, text, name, "about-body")
    if head is not None:
        prefix = _headline_prefix(text, head, body_start)
        if prefix is not None:
            common = common_word(text, prefix.value)
            _add(pools, text, prefix, "headline-common" if common else "headline")
    for m in _SOURCE_LINE.finditer(text, body_start):
        _add(pools, text, name_at(text, m.end(), min(len(text), m.end() + 120)), "source")
    for name in _contact_names(text, sections):
        _add(pools, text, name, "contact")
    for name in _defined(text, body_start):
        _add(pools, text, name, "defined")
    for name, source in _after_prepositions(text, body_start):
        _add(pools, text, name, source)
    for name in _inline_abouts(text, body_start):
        _add(pools, text, name, "about-inline")
    if head is not None:
        lead_in = HEADLINE_LEAD_IN.match(text, head.start, head.end)
        start = head.start if _COVERAGE.match(text, head.start, head.end) else head.start
        for at in {start, lead_in.end() if lead_in else start}:
            _add(pools, text, name_at(text, at, head.end), "headline-start")
    for m in _COPYRIGHT.finditer(text, body_start):
        _add(pools, text, name_at(text, m.end(), min(len(text), m.end() + 120)), "copyright")
    published = next(iter(_matches(_APPEARED, text, body_start)), None)
    if published is not None:  # "The post ... appeared first on citybiz."
        _add(pools, text, Field(published[1], published.start(1), published.end(1)), "wire")
    legal = 0
    for m in _matches(_LEGAL_FORMS, text, body_start):
        if legal >= _MAX_LEGAL_NAMES:
            break
        name = name_before(text, max(body_start, m.start() - 120), m.end())
        if name is not None:
            _add(pools, text, name, "legal")
            legal += 1
    return pools
