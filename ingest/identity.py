"""Who issued a release: its company, that company's tickers, and its aliases (pure).

Several places of a release name its issuer, and each alone is often wrong: the lead's
opening words ("First-time Nebraska homebuyers ..."), the name before a ticker (any
company the release mentions), the "About X" heading (a wire's own boilerplate on some
wires), the headline's first words, a contact's firm. Every place proposes names, the
spellings of one company are pooled (:mod:`ingest.candidates`), and a learned model
(:mod:`ingest.issuer_scorer`) gives each pool the probability that it is the issuer. The
most likely pool is the issuer when that probability reaches the model's threshold (chosen
for precision: a release gets no issuer rather than a wrong one).

The issuer's tickers are those written right after one of its names ("Acme Corp.
(NASDAQ: ACME) (TSX: AC)") or in its About section, so a ticker of another company the
release mentions is not the issuer's.

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

from ingest.candidates import Candidate, about_titles, find_candidates, plausible_name
from ingest.issuer import name_before
from ingest.issuer_scorer import context, features, load_scorer
from ingest.names import name_key, same_company, short_name
from ingest.tickers import ticker_mentions
from ingest.types import Field, Section

__all__ = [
    "Issuer",
    "Scored",
    "candidate_rows",
    "issuer_tickers",
    "plausible_name",
    "read_issuer",
    "scored_candidates",
]

_ABOUT_TICKER_WINDOW = 400  # characters of the issuer's About section read for its tickers
_ALIAS_QUOTED = re.compile(r"[“\"]([^“”\"]{2,40})[”\"]")
_NOT_ALIAS = frozenset({"company", "the company", "we", "us", "our", "corporation", "group"})
# what may come between a name and its tickers, or between two: brackets, commas, "and",
# and a German release's security numbers ("Circus SE (WKN: A2YN35 / ISIN: DE000A2YN355 /
# XETRA: CA1)")
_BETWEEN_TICKERS = re.compile(
    r"(?:[\s(),;:/]*(?:WKN|ISIN)\b\s*:?\s*[A-Z0-9]{5,12})*[\s(),;:/]*(?:and\s+|&\s*)?[\s(]*"
)
_ALIAS_PAREN_AT = re.compile(r"\s*\((?:[^()]*[“”\"][^()]*)\)")
_POSSESSIVE = re.compile(r"['’]s\b")
_HEADLINE_ORIGINS = ("headline", "headline-start")


@dataclass(frozen=True)
class Issuer:
    """The issuer read from a release: its name (None when none is clear), its tickers
    and its aliases (the short name, other spellings, names the release gives it)."""

    name: Field | None = None
    tickers: tuple[Field, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scored:
    """One candidate of a release: its pool, the spelling it shows, its features and its
    ranking score (the best score is the most likely issuer)."""

    pool: Candidate
    shown: Field
    features: tuple[float, ...]
    score: float


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


def _other_named(pools: list[Candidate], best: Candidate) -> bool:
    """Whether the headline's ticker follows another company's name that the release
    names elsewhere too ("... Updates Coverage on Valens Semiconductor Ltd. (NYSE: VLN)"),
    or the issuer is an analyst covering another company."""
    marks = {"headline-ticker", "headline-ticker-late"}
    return "coverage" in best.sources or any(
        p is not best and p.sources & marks and p.sources - marks for p in pools
    )


def _runs_on(value: str, origin: str, keys: set[str]) -> bool:
    """Whether a spelling is another spelling of its pool run on: a headline's words after
    the name ("RATWIFHAT Fair Launch" beside "RATWIFHAT", "UPCX Wallet Testnet" beside
    "UPCX"), or a second company joined to it ("Bad Idea AI and K9 Finance")."""
    key = name_key(value)
    for other in keys:
        if other and key != other and key.startswith(other + " "):
            rest = key[len(other) + 1 :]
            if origin in _HEADLINE_ORIGINS or rest.startswith(("and ", "& ")):
                return True
    return False


def _after_other(
    text: str, head: Field, ticker: Field, best: Candidate, pools: list[Candidate]
) -> bool:
    """Whether a headline's ticker follows another candidate's name ("Stonegate Attends
    ICR 2026, Highlighted by Fireside Chat with Nu Skin (NASDAQ: NUS)")."""
    name = name_before(text, head.start, ticker.start)
    if name is None:
        return False
    words = name.value.split()
    tails = [" ".join(words[k:]) for k in range(len(words))]  # "... Chat with Nu Skin"
    return any(
        p is not best and any(same_company(tail, s.value) for tail in tails for s in p.spellings)
        for p in pools
    )


def _shown(pool: Candidate) -> Field:
    """The spelling to show: the lead's, when it opens with the name and its legal form;
    else the one most places wrote (a headline's "SolCex Exchange Set"
    loses to the About section's, the lead's and the body's "SolCex"), then one with its
    legal form, then the longest (an About heading's "Upper Peninsula Travel and
    Recreation Association", not the lead's "Upper Peninsula"); not an all-capitals one
    when another is written, and a run of more than four of the headline's first words
    only when nothing else names it."""
    keys = {name_key(s.value) for s in pool.spellings}
    short = [  # a long run of the headline's words is more likely a clause than a name
        s
        for s, o in zip(pool.spellings, pool.origins, strict=True)
        if (o not in _HEADLINE_ORIGINS or len(s.value.split()) <= 4)
        and not _runs_on(s.value, o, keys)
    ]
    named = short or pool.spellings
    cased = [s for s in named if not s.value.isupper()] or named
    votes: dict[str, int] = {}
    for s in pool.spellings:
        votes[name_key(s.value)] = votes.get(name_key(s.value), 0) + 1
    lead = {
        s.value
        for s, o in zip(pool.spellings, pool.origins, strict=True)
        if o == "lead" and short_name(s.value) != s.value
    }  # the lead's full name, as the release opens with it ("Cellecstar Biosciences, Inc.")
    return max(
        cased,
        key=lambda s: (
            s.value in lead,
            votes[name_key(s.value)],
            short_name(s.value) != s.value,
            len(s.value),
        ),
    )


def _aliases(text: str, pool: Candidate, shown: Field) -> tuple[str, ...]:
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


def candidate_rows(
    text: str,
    body_start: int,
    lead_end: int,
    tickers: tuple[Field, ...],
    headline: str,
    sections: tuple[Section, ...],
    headline_end: int = 0,
    dateline_name: Field | None = None,
) -> list[tuple[Candidate, Field, list[float]]]:
    """Every candidate of a release, the spelling it shows and its features (arguments
    as :func:`read_issuer`), in the order they were proposed; what the model is trained
    on (``training/train_issuers.py``)."""
    pools = find_candidates(
        text, body_start, lead_end, tickers, headline, sections, headline_end, dateline_name
    )
    ctx = context(text, headline, sections, tickers, pools)
    return [(pool, shown, features(pool, shown, ctx)) for pool in pools for shown in [_shown(pool)]]


def scored_candidates(*args, **kwargs) -> list[Scored]:
    """Every candidate of a release with its features and ranking score (arguments as
    :func:`read_issuer`), and the probability that the best of them is the issuer."""
    scorer = load_scorer()
    rows = candidate_rows(*args, **kwargs)
    zs = [scorer.standardise(x) for _, _, x in rows]
    scores = [scorer.score(z) for z in zs]
    return [
        Scored(pool, shown, tuple(x), s) for (pool, shown, x), s in zip(rows, scores, strict=True)
    ]


def _confidence(scored: list[Scored], best: Scored) -> float:
    scorer = load_scorer()
    z = scorer.standardise(list(best.features))
    return scorer.confidence([c.score for c in scored], z)


def _own_tickers(
    text: str,
    best: Candidate,
    shown: Field,
    pools: list[Candidate],
    tickers: tuple[Field, ...],
    head: Field | None,
    sections: tuple[Section, ...],
) -> tuple[Field, ...]:
    """The issuer's tickers: those right after its names, in its About section, or (when
    nothing else names one) in a headline that names it. Every place the text writes a
    ticker counts ("Izotropic Corp. (CSE: IZO)" in the headline, "Izotropic (CSE: IZO)
    (FSE: 1R3)" in the lead)."""
    mentions = ticker_mentions(text)
    own: dict[str, bool] = {}
    for spelling in {s.value for s in best.spellings} | {short_name(shown.value)}:
        at = text.find(spelling)
        while at >= 0:
            for t in _ticker_run(text, at + len(spelling), mentions):
                own[t.value] = True
            at = text.find(spelling, at + 1)
    for about, sec in about_titles(text, sections):  # "About Vycor ... (OTCQB: VYCO)"
        if any(same_company(about.value, s.value) for s in best.spellings[:3]):
            for t in mentions:
                if sec.start <= t.start < sec.start + _ABOUT_TICKER_WINDOW:
                    own[t.value] = True
    if not own and head is not None and not _other_named(pools, best):
        # "Market Alert: Palatin’s ... in Phase 2 Topline Data (NYSE: PTN)"
        first_word = short_name(shown.value).split()[0]
        if len(first_word) >= 4 and first_word in text[head.start : head.end]:
            for t in tickers:
                if head.start <= t.start < head.end and not _after_other(
                    text, head, t, best, pools
                ):
                    own[t.value] = True
    tiers = {t.split(":", 1)[1] for t in own if t.startswith("OTC") and not t.startswith("OTC:")}
    return tuple(  # in text order; "OTC: ATBHF" is the "OTCQB: ATBHF" written elsewhere
        t
        for t in tickers
        if t.value in own and not (t.value[4:] in tiers and t.value[:4] == "OTC:")
    )


def issuer_tickers(
    text: str,
    tickers: tuple[Field, ...],
    headline: str,
    headline_end: int,
    sections: tuple[Section, ...],
    pools: list[Candidate],
    best: Candidate,
    shown: Field,
) -> tuple[Field, ...]:
    """The tickers :func:`read_issuer` gives the release when ``best`` (showing ``shown``)
    is its issuer, ``pools`` being all its candidates (for ``training/train_issuers.py``,
    which scores the tickers of every candidate)."""
    if not tickers:
        return ()
    head = Field(headline, headline_end - len(headline), headline_end) if headline else None
    return _own_tickers(text, best, shown, pools, tickers, head, sections)


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
        The issuer, its tickers and aliases; ``Issuer()`` when no candidate is likely
        enough.
    """
    scored = scored_candidates(
        text, body_start, lead_end, tickers, headline, sections, headline_end, dateline_name
    )
    if not scored:
        return Issuer()
    best = max(scored, key=lambda c: c.score)
    if _confidence(scored, best) < load_scorer().threshold:
        return Issuer()
    pools = [c.pool for c in scored]
    own = issuer_tickers(
        text, tickers, headline, headline_end, sections, pools, best.pool, best.shown
    )
    name = _without_the(best.pool, best.shown)
    return Issuer(name, own, _aliases(text, best.pool, name))


def _without_the(pool: Candidate, shown: Field) -> Field:
    """The shown name without a leading "The" when the release also writes it so ("The
    Nordex Group" and "Nordex Group": "Nordex Group"); the same company key either way."""
    if not shown.value.startswith("The "):
        return shown
    bare = [s for s in pool.spellings if s.value == shown.value[4:]]
    return bare[0] if bare else shown
