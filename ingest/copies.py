"""Wire copies: one release run on several wires, or a file indexed twice (pure).

A release's *fingerprint* is a MinHash signature (``datasketch``, 128 permutations) of the
five-word shingles of its news text (headline, body and quotes; the About, safe-harbour,
contact and link boilerplate a wire adds or drops is left out), and its *figures*: the
numbers of that text, its dates left out. :func:`group_releases` puts releases
whose signatures agree on at least :data:`THRESHOLD` of their positions (the estimated
Jaccard similarity of their shingles), found by locality-sensitive hashing (32 bands of 4
rows), and whose headlines agree (:func:`headline_overlap`: a series of template releases,
"Timonium Fair (1929)" / "Timonium Fair (1936)", shares its text but not its headline) into
one release group, and releases with the same stored text into one group whatever their
length. A group's id is its smallest ``doc_id``.

Example:
    >>> text = "Acme Wins\\n\\nBOSTON, March 4, 2014 -- " + "Acme won 3 prizes worth $12,000. " * 3
    >>> fp = fingerprint(text)
    >>> len(fp.signature), fp.figures
    (512, ('$12000', '3'))
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .analysis import STOPWORDS, words
from .dates import MONTH_NAME, MONTH_WORDS
from .release import parse_release
from .types import BODY, HEADER, QUOTE, ReleaseMeta

__all__ = [
    "NUM_PERM",
    "THRESHOLD",
    "Fingerprint",
    "Member",
    "candidate_pairs",
    "figures_differ",
    "fingerprint",
    "group_keys",
    "group_releases",
    "headline_overlap",
    "is_copy",
    "similarity",
]

NUM_PERM = 128
# datasketch's permutation scheme, named so that another datasketch default cannot change the
# signatures an index stores (1.x used "legacy": its signatures do not compare with these)
SCHEME = "affine32"
SHINGLE = 5  # words per shingle
THRESHOLD = 0.7  # estimated Jaccard of the shingles at which two releases are copies
HEADLINE_OVERLAP = 0.9  # share of the shorter headline's content words the other must hold
BOTH_ADD_THRESHOLD = 0.85  # when each headline names something the other does not
MAX_DAYS = 7  # copies whose figures differ run within a week; later, it is the next issue
MIN_HEADLINE_WORDS = 5  # a headline this long names one release ("Headline" names none)
SAME_HEADLINE_DAYS = 3
_BANDS, _ROWS = 32, 4  # LSH: a pair at Jaccard 0.7 shares a band with probability 0.9995
_SEED = 1
_MIN_SHINGLES = 8  # fewer: too short to compare by shingles (exact copies still group)
_NEWS_KINDS = frozenset({HEADER, BODY, QUOTE})
# a date as a dateline writes it: a copy run on another day is still the same release
_DATE_TEXT = re.compile(
    r"(?i)\b" + MONTH_NAME + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}\b"
    r"|\b(?:19|20)\d{2}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/(?:19|20)\d{2}\b"
)
_FIGURE = re.compile(
    r"(?<![\w.])(?P<cur>[$€£¥])?\s?(?P<num>\d[\d,]*(?:\.\d+)?)(?![\w])\s?"
    r"(?P<unit>%|percent\b|million\b|billion\b|thousand\b|[MBK]\b)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Fingerprint:
    """What copies are recognised by.

    Attributes:
        signature: ``NUM_PERM`` MinHash values as little-endian uint32 (b"" when the news
            text has too few words to compare).
        figures: the distinct numbers of the news text but its dates, normalised
            ("$12,000" -> "$12000", "5 percent" -> "5%"), sorted.
    """

    signature: bytes
    figures: tuple[str, ...]


@dataclass(frozen=True)
class Member:
    """A stored release as grouping sees it."""

    doc_id: int
    content_hash: str
    signature: bytes
    title: str | None = None
    figures: tuple[str, ...] = ()
    date: str | None = None  # ISO


def _news_text(text: str, meta: ReleaseMeta) -> str:
    """The news text of a release: its header, body and quote sections, or the whole text
    when it has none."""
    spans = [(s.start, s.end) for s in meta.sections if s.kind in _NEWS_KINDS]
    return "\n".join(text[s:e] for s, e in spans or [(0, len(text))])


def _figures(text: str) -> tuple[str, ...]:
    found = set()
    for m in _FIGURE.finditer(text):
        unit = (m["unit"] or "").lower()
        unit = {"percent": "%", "m": "million", "b": "billion", "k": "thousand"}.get(unit, unit)
        number = m["num"].replace(",", "").rstrip(".")
        found.add(f"{m['cur'] or ''}{number}{'' if unit == '' else unit}")
    return tuple(sorted(found))


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The seeded hash permutations, drawn once (drawing them costs more than hashing a
    release's shingles)."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME).permutations


def _signature(tokens: Sequence[str]) -> bytes:
    if len(tokens) < SHINGLE + _MIN_SHINGLES - 1:
        return b""
    from datasketch import MinHash  # loaded by ingest only, never by `from qa import ...`

    shingles = {
        " ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1)
    }
    m = MinHash(num_perm=NUM_PERM, seed=_SEED, permutations=_permutations(), scheme=SCHEME)
    m.update_batch(sorted(shingles))
    return np.asarray(m.hashvalues, dtype="<u4").tobytes()


def fingerprint(text: str, meta: ReleaseMeta | None = None) -> Fingerprint:
    """The fingerprint of a release's stored text (``meta``: its parse, if already read)."""
    meta = meta if meta is not None else parse_release(text)
    news = _news_text(text, meta)
    return Fingerprint(_signature(words(news)), _figures(_DATE_TEXT.sub(" ", news)))


def similarity(a: bytes, b: bytes) -> float:
    """The estimated Jaccard similarity of two signatures (0 when either is empty)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return float(np.mean(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4")))


def _headline_words(title: str | None) -> set[str]:
    return {w for w in words(title or "") if w not in STOPWORDS}


def headline_overlap(a: str | None, b: str | None) -> float:
    """The share of the shorter headline's content words that the other holds (0 when
    either has none). A wire's prefix ("AINewsBreaks – Acme Inc. (NASDAQ: ACME) ...") keeps
    it near 1; a template's next issue ("... Delaware ..." / "... Nevada ...") does not.

    >>> headline_overlap("Acme (ACME) Wins Prize", "NewsBreaks – Acme Inc. (ACME) Wins Prize")
    1.0
    """
    wa, wb = _headline_words(a), _headline_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


# words a wire adds to or drops from a headline it copies ("Acme Inc. (NASDAQ: ACME)")
_WIRE_WORDS = frozenset(
    "inc corp corporation co ltd llc plc company holdings group nasdaq nyse american otc "
    "otcqb otcqx cse tsx tsxv asx lse amex".split()
)


def _own_words(title: str | None) -> set[str]:
    """A headline's content words, without a wire's leading tag ("AINewsBreaks – ...")."""
    title = title or ""
    head, dash, rest = title.partition(" – ") if " – " in title else title.partition(" — ")
    if dash and len(head.split()) == 1:
        title = rest
    return {w for w in _headline_words(title) if w not in _WIRE_WORDS}


def _both_add_words(a: str | None, b: str | None) -> bool:
    """Whether each headline names something the other does not ("... Highlighting Cipher
    Mining" / "... Highlighting Cleanspark"): two issues of a series, not a copy. A word
    the other headline cut short ("Ads" / "Ad") does not count."""
    wa, wb = _own_words(a), _own_words(b)
    only_a, only_b = wa - wb, wb - wa

    def cut(word: str, others: set[str]) -> bool:
        return any(o.startswith(word) or word.startswith(o) for o in others)

    return any(not cut(w, only_b) for w in only_a) and any(not cut(w, only_a) for w in only_b)


def _issue_words(a: str | None, b: str | None) -> set[str]:
    """The words only one headline has that name an issue of a series: a number or a month
    ("April Report" / "May Report", "Timonium Fair (1929)" / "(1936)")."""
    wa, wb = _headline_words(a), _headline_words(b)
    return {w for w in wa ^ wb if any(c.isdigit() for c in w) or w in MONTH_WORDS}


def is_copy(a: Member, b: Member, threshold: float = THRESHOLD) -> bool:
    """Whether two releases are one release: the same stored text, or news texts whose
    signatures agree on ``threshold`` of their positions under headlines that agree (on
    :data:`HEADLINE_OVERLAP` of their words and on every number and month they name; when
    each names something the other does not, the texts must agree on
    :data:`BOTH_ADD_THRESHOLD`: "... Highlighting Cipher Mining" / "... Cleanspark" at 0.71
    are two issues of a series, a law firm's "Investor Alert" re-issued as a "Reminder" at
    0.91 is one release). A pair whose figures differ is a
    copy only when dated at most :data:`MAX_DAYS` apart (later, it is a template's next
    issue: "Pricing of Registered Direct Offering" for $480,000, then for $4.7 million)."""
    if a.content_hash == b.content_hash:
        return True
    return (
        similarity(a.signature, b.signature) >= threshold
        and headline_overlap(a.title, b.title) >= HEADLINE_OVERLAP
        and not _issue_words(a.title, b.title)
        and (
            not _both_add_words(a.title, b.title)
            or similarity(a.signature, b.signature) >= BOTH_ADD_THRESHOLD
        )
        and not (figures_differ(a.figures, b.figures) and _days_apart(a.date, b.date) > MAX_DAYS)
    )


def figures_differ(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two copies state different figures."""
    return set(a) != set(b)


def _days_apart(a: str | None, b: str | None) -> int:
    """Days between two ISO dates (0 when either is unknown)."""
    from datetime import date

    try:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) if a and b else 0
    except ValueError:
        return 0


def _find(parent: dict[int, int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _union(parent: dict[int, int], a: int, b: int) -> None:
    ra, rb = _find(parent, a), _find(parent, b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)


def candidate_pairs(members: Sequence[Member]) -> set[tuple[int, int]]:
    """Pairs of doc ids that share an LSH band of their signatures (a < b)."""
    buckets: dict[tuple[int, bytes], list[int]] = {}
    width = 4 * _ROWS
    for m in members:
        if len(m.signature) != 4 * NUM_PERM:
            continue
        for band in range(_BANDS):
            key = (band, m.signature[band * width : (band + 1) * width])
            buckets.setdefault(key, []).append(m.doc_id)
    pairs = set()
    for ids in buckets.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs.add((min(a, b), max(a, b)))
    return pairs


def _key(tag: bytes, value: bytes) -> int:
    """A signed 64-bit key of ``tag`` + ``value`` (what an SQLite INTEGER holds)."""
    digest = hashlib.blake2b(tag + value, digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def group_keys(m: Member) -> tuple[int, ...]:
    """Keys that every release :func:`group_releases` may join ``m`` with shares with it.

    One for its content hash, one per LSH band of its signature, and one for its headline
    words when :func:`_same_headline_pairs` would compare it: so the releases sharing a key
    with ``m`` are all its possible copies (and, as keys are hashes, maybe a few others),
    found without comparing it with every release. The keys are 64-bit, for an SQLite index.
    """
    keys = [_key(b"h", m.content_hash.encode("utf-8"))]
    if len(m.signature) == 4 * NUM_PERM:
        width = 4 * _ROWS
        for band in range(_BANDS):
            keys.append(_key(b"b%d:" % band, m.signature[band * width : (band + 1) * width]))
    headline = sorted(_headline_words(m.title))
    if len(headline) >= MIN_HEADLINE_WORDS and m.date:
        keys.append(_key(b"t", "\x1f".join(headline).encode("utf-8")))
    return tuple(keys)


def _same_headline_pairs(members: Sequence[Member]) -> list[tuple[int, int]]:
    """Releases under the same headline (the same content words, at least
    :data:`MIN_HEADLINE_WORDS`) dated at most :data:`SAME_HEADLINE_DAYS` apart: one release a
    second wire rewrote ("Key Takeaways: ..."), whose text shingles no longer match."""
    by_headline: dict[frozenset[str], list[Member]] = {}
    for m in members:
        key = frozenset(_headline_words(m.title))
        if len(key) >= MIN_HEADLINE_WORDS and m.date:
            by_headline.setdefault(key, []).append(m)
    pairs = []
    for same in by_headline.values():
        for i, a in enumerate(same):
            for b in same[i + 1 :]:
                if _days_apart(a.date, b.date) <= SAME_HEADLINE_DAYS:
                    pairs.append((a.doc_id, b.doc_id))
    return pairs


def group_releases(members: Sequence[Member], threshold: float = THRESHOLD) -> dict[int, int]:
    """Each release's group id (the smallest doc id of its group).

    Releases with the same content hash, pairs that :func:`is_copy` accepts among the
    pairs sharing an LSH band, and releases under the same headline dated a few days apart
    are in one group (and so, transitively, are the copies of copies).

    >>> a = Member(1, "h1", b""); b = Member(2, "h1", b""); c = Member(3, "h2", b"")
    >>> group_releases([a, b, c])
    {1: 1, 2: 1, 3: 3}
    """
    parent = {m.doc_id: m.doc_id for m in members}
    by_hash: dict[str, int] = {}
    for m in sorted(members, key=lambda m: m.doc_id):
        first = by_hash.setdefault(m.content_hash, m.doc_id)
        if first != m.doc_id:
            _union(parent, first, m.doc_id)
    by_id = {m.doc_id: m for m in members}
    for a, b in candidate_pairs(members):
        if is_copy(by_id[a], by_id[b], threshold):
            _union(parent, a, b)
    for a, b in _same_headline_pairs(members):
        _union(parent, a, b)
    return {d: _find(parent, d) for d in sorted(parent)}
