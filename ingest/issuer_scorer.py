"""How likely each candidate of a release is its issuer: a small learned model (pure).

Each pool of spellings :func:`ingest.candidates.find_candidates` proposes is described by
:data:`FEATURES` (which places named it, where and how often the text names it, whether
a ticker follows it, whether it looks like a name, ...) and scored by a small
ranking model whose weights ship in ``ingest/models/issuer_scorer.json``, trained by
``training/train_issuers.py`` on labelled archive releases (that file records the data,
the seed and the cross-validated figures). The release's issuer is its most likely
candidate when that is at least the file's ``threshold`` (chosen for precision: no issuer
rather than a wrong one).

Example:
    >>> scorer = load_scorer()
    >>> len(scorer.weights) == len(FEATURES), 0.0 < scorer.threshold < 1.0
    (True, True)
    >>> 0.0 <= scorer.confidence([2.0, 0.5], [0.0] * len(FEATURES)) <= 1.0
    True
"""

from __future__ import annotations

import json
import math
import re
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.candidates import (
    COINED_WORD,
    HEADLINE_LEAD_IN,
    HEADLINE_VERB,
    SOURCES,
    WIRE_ABOUT,
    Candidate,
    common_word,
    plausible_name,
)
from ingest.names import name_key, short_name
from ingest.types import ABOUT, CONTACTS, LINKS, Field, Section

__all__ = [
    "FEATURES",
    "MODEL_PATH",
    "Context",
    "Scorer",
    "Tree",
    "confidence_inputs",
    "context",
    "features",
    "load_scorer",
]

MODEL_PATH = Path(__file__).parent / "models" / "issuer_scorer.json"

# The hand weights the rules used before the model (kept as one feature: a prior).
_HAND = {
    "headline-ticker": 3.0,
    "headline-ticker-late": 1.0,
    "dateline": 2.5,
    "coverage": 4.0,
    "lead": 2.0,
    "body-ticker": 2.0,
    "about": 2.0,
    "headline": 1.5,
    "headline-common": 1.0,
}
FEATURES = (
    *(f"from:{s}" for s in SOURCES),
    "places",
    "spellings",
    "hand",
    "mentions",
    "most-mentioned",
    "first-at",
    "first-share",
    "in-headline",
    "opens-headline",
    "mention-share",
    "in-about",
    "in-contacts",
    "in-links",
    "domain",
    "ticker-after",
    "plausible",
    "legal-form",
    "words",
    "one-word",
    "all-caps",
    "common-word",
    "coined",
    "wire-like",
    "person",
    "headline-only",
    "candidates",
    "headline-subject",
    "headline-object",
    "mail-domain",
    "digit-word",
    "in-first-about",
    "about-sections",
    "brand-wire",
    "contact-first",
)
# a web or mail domain: "https://acme.com", "www.acme.com", "@acme.com" (the first letter is
# matched before the case-insensitive rest: a third faster than one alternation)
_DOMAIN = re.compile(
    r"[hHwW@](?:(?<=[hH])(?i:ttps?://)|(?<=[wW])(?i:ww\.)|(?<=@))([\w\-]+(?:\.[\w\-]+)*)"
)
_TICKER_GAP = 12  # characters between a name's end and a ticker that follows it
_MAIL = re.compile(r"@([\w\-]+(?:\.[\w\-]+)+)")
# what a headline writes before the thing a subject acts on: "Valley Health Clinic
# Introduces Microgard Plus", "... Partners with B2i Digital"
_VERB_BEFORE = re.compile(
    r"(?i:\b(?:introduces|launches|unveils|debuts|releases|presents|welcomes|acquires|"
    r"adds|selects|with|on|for|by|of|from|to|at|into|joins|expands|announces)"
    r"\s+(?:the\s+|its\s+|new\s+|a\s+|an\s+)?)$"
)
# a news brand of a wire network ("NetworkNewsWire", "InvestorWire", "NNW", "CNW420")
_BRAND_WIRE = re.compile(r"(?:Wire|NewsBreaks|News)$|^[A-Z]{1,4}W(?:420)?$")
_CONTACT_OPENING = 80  # characters of the first contacts block its first name is read in
_DIGIT_WORD = re.compile(r"\s(?:[A-Za-z]*\d[\w.\-]*)")  # "AINOTE Air 2", "ISO 55001", "V3"


@dataclass(frozen=True)
class Context:
    """What every candidate of one release is compared with."""

    text: str
    headline: str
    about: tuple[tuple[int, int], ...]
    contacts: tuple[tuple[int, int], ...]
    links: tuple[tuple[int, int], ...]
    domains: frozenset[str]
    tickers: tuple[Field, ...]
    candidates: int
    most_mentions: int
    mail_domains: frozenset[str] = frozenset()
    subject: str = ""  # the headline after its lead-in ("Market Alert: ")


@dataclass(frozen=True)
class Tree:
    """One regression tree of the confidence model, as scikit-learn stores it: node ``i``
    sends an input ``x`` left when ``x[feature[i]] <= threshold[i]``; a leaf has
    ``left[i] == -1`` and the value ``value[i]``."""

    left: tuple[int, ...]
    right: tuple[int, ...]
    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    value: tuple[float, ...]

    def __call__(self, x: list[float]) -> float:
        node = 0
        while self.left[node] >= 0:
            f = self.feature[node]
            node = self.left[node] if x[f] <= self.threshold[node] else self.right[node]
        return self.value[node]


@dataclass(frozen=True)
class Scorer:
    """A conditional logit over a release's candidates (``weights`` on standardised
    :data:`FEATURES`), and gradient-boosted trees of "the best candidate is the issuer"
    on its softmax share, its score, its margin over the next and its features."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    trees: tuple[Tree, ...]
    learning_rate: float
    confidence_bias: float
    threshold: float

    def standardise(self, x: list[float]) -> list[float]:
        return [(v - m) / s for v, m, s in zip(x, self.mean, self.scale, strict=True)]

    def score(self, z: list[float]) -> float:
        """The ranking score of a candidate with standardised features ``z``."""
        return sum(w * v for w, v in zip(self.weights, z, strict=True))

    def confidence(self, scores: list[float], best_z: list[float]) -> float:
        """The probability that the best of candidates scored ``scores`` (its
        standardised features ``best_z``) is the issuer."""
        return self.probability(confidence_inputs(scores, best_z))

    def probability(self, inputs: list[float]) -> float:
        """The trees' probability for :func:`confidence_inputs` ``inputs`` (read as 32-bit
        floats, as scikit-learn's trees read them, so that a split falls the same way)."""
        x = array("f", inputs).tolist()
        z = self.confidence_bias + self.learning_rate * sum(t(x) for t in self.trees)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def confidence_inputs(scores: list[float], best_z: list[float]) -> list[float]:
    """What the confidence reads: the best candidate's softmax share, its score, its
    margin over the next (10 at most) and its standardised features."""
    top = max(scores)
    share = 1.0 / sum(math.exp(s - top) for s in scores)
    rest = sorted(scores, reverse=True)[1:2]
    margin = min(top - rest[0], 10.0) if rest else 10.0
    return [share, top, margin, *best_z]


@lru_cache(maxsize=4)
def load_scorer(path: Path = MODEL_PATH) -> Scorer:
    """The shipped model; a file trained on other features is refused."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path}: trained on other features; run training/train_issuers.py")
    conf = data["confidence"]
    trees = tuple(
        Tree(
            tuple(t["left"]),
            tuple(t["right"]),
            tuple(t["feature"]),
            tuple(float(v) for v in t["threshold"]),
            tuple(float(v) for v in t["value"]),
        )
        for t in conf["trees"]
    )
    return Scorer(
        tuple(data["mean"]),
        tuple(data["scale"]),
        tuple(data["weights"]),
        trees,
        float(conf["learning_rate"]),
        float(conf["bias"]),
        float(data["threshold"]),
    )


def _mentions(text: str, name: str) -> int:
    return text.count(name) if len(name) >= 3 else 0


def context(
    text: str,
    headline: str,
    sections: tuple[Section, ...],
    tickers: tuple[Field, ...],
    pools: list[Candidate],
) -> Context:
    """The release-wide facts the features compare a candidate with."""

    def spans(kind: str) -> tuple[tuple[int, int], ...]:
        return tuple((s.start, s.end) for s in sections if s.kind == kind)

    domains = frozenset(
        part.lower().replace("-", "")
        for m in _DOMAIN.finditer(text)
        for part in m[1].split(".")[:-1]
        if len(part) >= 3
    )
    most = max((_mentions(text, short_name(p.spellings[0].value)) for p in pools), default=0)
    mail = frozenset(
        part.lower().replace("-", "")
        for m in _MAIL.finditer(text)
        for part in m[1].split(".")[:-1]
        if len(part) >= 3
    )
    head = headline.lstrip("#*_ ")
    lead_in = HEADLINE_LEAD_IN.match(head)
    return Context(
        text,
        headline,
        spans(ABOUT),
        spans(CONTACTS),
        spans(LINKS),
        domains,
        tickers,
        len(pools),
        most,
        mail,
        head[lead_in.end() :] if lead_in else head,
    )


def _inside(text: str, name: str, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(text.find(name, s, e) >= 0 for s, e in spans)


def features(pool: Candidate, shown: Field, ctx: Context) -> list[float]:
    """The :data:`FEATURES` of one candidate, ``shown`` being the spelling it would show."""
    text = ctx.text
    short = short_name(shown.value) or shown.value
    key = name_key(shown.value)
    mentions = _mentions(text, short)
    first_word = short.split()[0] if short.split() else short
    first_at = min(s.start for s in pool.spellings)
    hand = sum(_HAND.get(s, 0.0) for s in pool.sources) + 0.3 * min(5, max(0, mentions - 1))
    squashed = key.replace(" ", "")
    domain = bool(squashed) and any(
        squashed in d or (len(d) >= 5 and d in squashed) for d in ctx.domains
    )
    ticker_after = any(
        0 <= t.start - s.end <= _TICKER_GAP for s in pool.spellings for t in ctx.tickers
    )
    words = shown.value.split()
    from_ = [float(s in pool.sources) for s in SOURCES]
    heads = (ctx.headline.lstrip("#*_ "), ctx.subject)
    opening = next(
        (h[len(n) :] for h in heads for n in (shown.value, short) if h.startswith(n)), None
    )
    subject = opening is not None and (
        HEADLINE_VERB.match(opening) is not None or opening.startswith(("'s", "’s"))
    )
    at = ctx.headline.find(short) if len(short) >= 2 else -1
    obj = at > 0 and _VERB_BEFORE.search(ctx.headline, 0, at) is not None
    mail = bool(squashed) and any(
        squashed in d or (len(d) >= 5 and d in squashed) for d in ctx.mail_domains
    )
    headline_only = not (pool.sources - {"headline", "headline-start", "headline-common"})
    return [
        *from_,
        float(len(pool.sources)),
        math.log1p(len(pool.spellings)),
        hand,
        math.log1p(mentions),
        float(mentions >= ctx.most_mentions and mentions > 0),
        math.log1p(first_at) / 10.0,
        first_at / max(1, len(text)),
        float(short in ctx.headline),
        float(ctx.headline.lstrip("#*_ ").startswith(short)),
        mentions / max(1, ctx.most_mentions),
        float(_inside(text, short, ctx.about)),
        float(_inside(text, short, ctx.contacts)),
        float(_inside(text, short, ctx.links)),
        float(domain),
        float(ticker_after),
        float(plausible_name(shown.value)),
        float(short != shown.value.strip(" ,.")),
        float(min(len(words), 6)),
        float(len(words) == 1),
        float(shown.value.isupper()),
        float(common_word(text, short)),
        float(COINED_WORD.fullmatch(first_word) is not None),
        float(WIRE_ABOUT.search(shown.value) is not None),
        float(pool.person),
        float(headline_only),
        math.log1p(ctx.candidates),
        float(subject),
        float(obj),
        float(mail),
        float(_DIGIT_WORD.search(short) is not None),
        float(_inside(text, short, ctx.about[:1])),
        float(min(len(ctx.about), 4)),
        float(_BRAND_WIRE.search(short) is not None),
        float(
            bool(ctx.contacts)
            and text.find(short, ctx.contacts[0][0], ctx.contacts[0][0] + _CONTACT_OPENING) >= 0
        ),
    ]
