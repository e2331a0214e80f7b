"""One company per issuer across the corpus: the releases' issuers merged (pure).

Each release names its issuer as it writes it ("Cellectar Biosciences, Inc.", "Cellectar
Biosciences", a misspelt "Cellecstar Biosciences") with the tickers written after it.
:func:`company_directory` merges the releases whose issuers share an exchange:ticker pair
(one each of them usually gives) or whose names are one company's
(:func:`ingest.names.same_company`: the same name without its legal form, a name that
begins the other, or a misspelling within rapidfuzz's threshold). Each company gets a
canonical name (the one most of its releases support), its tickers, and its aliases
(the other spellings, the short name, the ticker symbols), so that "Cellectar", "CLRB"
and "Cellecstar" all find Cellectar Biosciences.

The directory is derived from the stored company and tickers of each release whenever
it is asked for (merging the 4,000 releases of the wide benchmark takes well under a
second); nothing of it is stored.

Example:
    >>> d = company_directory([(1, "Cellectar Biosciences, Inc.", ("NASDAQ:CLRB",)),
    ...                        (2, "Cellecstar Biosciences", ()),
    ...                        (3, "Cellectar", ("NASDAQ:CLRB",))])
    >>> c = d.by_doc[2]
    >>> c.name, c.tickers, sorted(d.matching("CLRB")) == [1, 2, 3]
    ('Cellectar Biosciences, Inc.', ('NASDAQ:CLRB',), True)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from index import DocumentRow
from ingest.analysis import edit_distance
from ingest.companies import company_matches, name_words
from ingest.names import name_key, same_company, short_name

from .recent import Recent

__all__ = ["Company", "Directory", "company_directory", "directory_of", "releases_of"]


@dataclass(frozen=True)
class Company:
    """One issuer of the corpus.

    Attributes:
        name: the canonical name (the spelling its releases use most).
        tickers: its exchange:ticker pairs, e.g. ``("NASDAQ:CLRB",)``.
        aliases: the other names it goes by: spellings, the short name, ticker symbols.
        doc_ids: its releases.
    """

    name: str
    tickers: tuple[str, ...]
    aliases: tuple[str, ...]
    doc_ids: tuple[int, ...]

    def label(self) -> str:
        """``"Cellectar Biosciences, Inc. (NASDAQ:CLRB)"``: the name and its tickers."""
        return f"{self.name} ({', '.join(self.tickers)})" if self.tickers else self.name

    def named_by(self, wanted: str) -> bool:
        """Whether the name or ticker a user typed names this company."""
        if company_matches(wanted, self.name, self.tickers):
            return True
        return any(company_matches(wanted, alias, ()) for alias in self.aliases)


@dataclass(frozen=True)
class Directory:
    """The companies of a corpus, and the company of each release."""

    companies: tuple[Company, ...]
    by_doc: dict[int, Company]

    def matching(self, wanted: str) -> set[int]:
        """The releases of every company that ``wanted`` (a name, alias or ticker) names."""
        out: set[int] = set()
        for c in self.companies:
            if c.named_by(wanted):
                out.update(c.doc_ids)
        return out


class _Sets:
    """Union-find over release ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _link_names(sets: _Sets, by_key: dict[str, list[int]]) -> None:
    """Join the releases whose issuers' names are one company's.

    Keys are compared within blocks of the same first two letters (a misspelling rarely
    changes the start of a name), so the cost grows with the block sizes, not the
    square of the corpus. A one-word name joins the longer name it begins when the corpus
    has only one ("Stonegate" ~ "Stonegate Capital Partners"; "Bitcoin" joins neither of
    "Bitcoin Vault" and "Bitcoin Miner SATO Technologies").
    """
    blocks: dict[str, list[str]] = defaultdict(list)
    by_first: dict[str, list[str]] = defaultdict(list)
    for key in by_key:
        blocks[key[:2]].append(key)
        if " " in key:
            by_first[key.split()[0]].append(key)
    for key in by_key:  # "Stonegate" and the one longer name it begins, "Stonegate Capital..."
        longer = by_first.get(key, []) if " " not in key and len(key) >= 4 else []
        if len(longer) == 1:
            sets.union(by_key[key][0], by_key[longer[0]][0])
    for keys in blocks.values():
        keys.sort(key=len)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:  # (a is the shorter: a prefix, or a near-equal length)
                near = len(b) - len(a) <= 0.09 * (len(a) + len(b))
                if (near or b.startswith(a + " ")) and same_company(a, b):
                    sets.union(by_key[a][0], by_key[b][0])


_Row = tuple[int, str | None, tuple[str, ...], str | None]  # doc_id, company, tickers, date
_TICKER_SHARE = 0.5  # a ticker joins two names when each writes it this often
_TICKER_FLOOR = 0.1  # a company's tickers: those of at least this share of its releases


def _link_tickers(sets: _Sets, rows: tuple[_Row, ...], by_ticker: dict[str, list[int]]) -> None:
    """Join the names that share an exchange:ticker pair, when the pair is theirs.

    A name joins by a ticker when at least half of its releases give that ticker
    (SolarBank and PowerBank, the same company renamed, both write NASDAQ:SUUN); one
    release that wrongly gives a name another company's ticker joins nothing. A release
    with a ticker and no name joins the name that gives the ticker most.
    """
    size: Counter[int] = Counter()
    named = {doc_id for doc_id, company, _, _ in rows if company and name_key(company)}
    for doc_id in named:
        size[sets.find(doc_id)] += 1
    for ids in by_ticker.values():
        holders = Counter(sets.find(i) for i in ids if i in named)
        owners = [g for g, n in holders.items() if n >= _TICKER_SHARE * size[g]]
        for other in owners[1:]:
            sets.union(owners[0], other)
        home = max(holders, key=lambda g: holders[g]) if holders else None
        for i in ids:
            if i not in named:
                sets.union(home if home is not None else ids[0], i)


def _build(rows: tuple[_Row, ...]) -> Directory:
    sets = _Sets()
    by_key: dict[str, list[int]] = defaultdict(list)
    by_ticker: dict[str, list[int]] = defaultdict(list)
    for doc_id, company, tickers, _ in rows:
        key = name_key(company) if company else ""
        if not key and not tickers:
            continue
        sets.find(doc_id)
        if key:
            by_key[key].append(doc_id)
        for t in tickers:
            by_ticker[t.upper()].append(doc_id)
    for ids in by_key.values():
        for other in ids[1:]:
            sets.union(ids[0], other)
    _link_names(sets, by_key)
    _link_tickers(sets, rows, by_ticker)
    members: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        if row[0] in sets.parent:
            members[sets.find(row[0])].append(row)
    companies = []
    by_doc: dict[int, Company] = {}
    for group in members.values():
        spellings = Counter(c for _, c, _, _ in group if c)
        tickers = Counter(t for _, _, ts, _ in group for t in ts)
        if spellings:
            name = _canonical(group, spellings)
        else:
            name = tickers.most_common(1)[0][0]
        floor = _TICKER_FLOOR * len(group)  # not one stray ticker of a company's 36 releases
        ordered_tickers = tuple(t for t, n in tickers.most_common() if n >= floor)
        aliases = _aliases(name, spellings, ordered_tickers)
        company = Company(name, ordered_tickers, aliases, tuple(sorted(r[0] for r in group)))
        companies.append(company)
        for r in group:
            by_doc[r[0]] = company
    companies.sort(key=lambda c: c.name.lower())
    return Directory(tuple(companies), by_doc)


def _canonical(group: list[_Row], spellings: Counter[str]) -> str:
    """The name a company goes by: the name most releases support (its own spellings, the
    shorter names it extends, the misspellings it mends), then the one with more releases
    of its own, then that of the newest release (a renamed company's new name), the
    longer; of its spellings the one used most, a full one (with its legal form) first."""
    keys = Counter(name_key(c) for _, c, _, _ in group if c)
    newest = {name_key(c): d or "" for _, c, _, d in sorted(group, key=lambda r: r[3] or "") if c}

    def support(k: str) -> int:  # its releases, and those of the names it extends or mends
        return sum(
            n for o, n in keys.items() if o == k or k.startswith(o + " ") or same_company(o, k)
        )

    key = max(keys, key=lambda k: (support(k), keys[k], newest.get(k, ""), len(k)))
    return max(
        (s for s in spellings if name_key(s) == key),
        key=lambda s: (spellings[s], s != short_name(s), -len(s)),
    )


def _aliases(name: str, spellings: Iterable[str], tickers: Sequence[str]) -> tuple[str, ...]:
    """The names a company goes by besides ``name``: spellings, short names, symbols."""
    out: list[str] = []
    for alias in (short_name(name), *spellings, *(short_name(s) for s in spellings)):
        if alias and alias != name and alias not in out:
            out.append(alias)
    for t in tickers:
        symbol = t.split(":")[-1]
        if symbol not in out:
            out.append(symbol)
    return tuple(out)


@lru_cache(maxsize=8)
def _cached(rows: tuple[_Row, ...]) -> Directory:
    return _build(rows)


def company_directory(rows: Iterable[Sequence]) -> Directory:
    """Merge the issuers of a corpus into companies.

    Args:
        rows: ``(doc_id, company, tickers)`` or ``(doc_id, company, tickers, date)`` per
            release, e.g. from ``reader.documents()``; a release with neither a company nor
            a ticker is left out. The date (ISO) picks a renamed company's newest name.

    Returns:
        The companies, sorted by name, and the company of each release. The last few
        corpora merged are remembered, so asking again for an unchanged one is cheap.
    """
    return _cached(
        tuple((int(r[0]), r[1], tuple(r[2]), r[3] if len(r) > 3 else None) for r in rows)
    )


@dataclass
class _Names:
    """What :func:`ingest.companies.company_matches` reads of each release (its name, the
    company or else the headline, as words; its tickers), indexed so that one typed name
    is matched against a corpus without a call per release: the same releases it accepts."""

    by_ticker: dict[str, set[int]] = field(default_factory=dict)
    by_word: dict[str, set[int]] = field(default_factory=dict)
    words_by_len: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, documents: Sequence[DocumentRow]) -> _Names:
        out = cls()
        for d in documents:
            for ticker in d.tickers:
                for form in {ticker.upper(), ticker.split(":")[-1].upper()}:
                    out.by_ticker.setdefault(form, set()).add(d.doc_id)
            for word in set(name_words(d.company or d.title or "")):
                out.by_word.setdefault(word, set()).add(d.doc_id)
        for word in out.by_word:
            out.words_by_len.setdefault(len(word), []).append(word)
        return out

    def _near(self, word: str) -> set[int]:
        """Releases whose name has a word within the typo limit of ``word``."""
        limit = 1 if len(word) >= 5 else 0
        if not limit:
            return set(self.by_word.get(word, ()))
        out: set[int] = set()
        for n in range(len(word) - limit, len(word) + limit + 1):
            for have in self.words_by_len.get(n, ()):
                if edit_distance(word, have, limit) <= limit:
                    out |= self.by_word[have]
        return out

    def matching(self, wanted: str) -> set[int]:
        """The releases ``company_matches(wanted, company or headline, tickers)`` accepts."""
        wanted = wanted.strip()
        if not wanted:
            return set()
        out = set(self.by_ticker.get(wanted.upper(), ()))
        wanted_words = name_words(wanted)
        if wanted_words:
            found = self._near(wanted_words[0])
            for word in wanted_words[1:]:
                if not found:
                    break
                found &= self._near(word)
            out |= found
        return out


@dataclass
class _Corpus:
    """A documents list's company directory and name index, built once."""

    documents: Sequence[DocumentRow]  # held so that its id is not reused while cached
    directory: Directory
    names: _Names
    matched: Recent[frozenset[int]] = field(default_factory=lambda: Recent(32))


_corpora: Recent[_Corpus] = Recent(4)


def _corpus(documents: Sequence[DocumentRow]) -> _Corpus:
    """The cached :class:`_Corpus` of this very list (a reader's ``documents()`` is one
    list per generation, never changed), built on first use."""
    found = _corpora.get(id(documents))
    if found is not None and found.documents is documents:
        return found
    rows = ((d.doc_id, d.company, d.tickers, d.date) for d in documents)
    built = _Corpus(documents, company_directory(rows), _Names.of(documents))
    _corpora.put(id(documents), built)
    return built


def directory_of(documents: Sequence[DocumentRow]) -> Directory:
    """:func:`company_directory` of a reader's ``documents()``, merged once per list."""
    return _corpus(documents).directory


def releases_of(documents: Sequence[DocumentRow], wanted: Sequence[str]) -> set[int]:
    """The releases of ``documents`` whose company any of ``wanted`` names.

    A name matches the merged company (its canonical name, an alias or a ticker: "CLRB"
    and "Cellectar" find every spelling of Cellectar Biosciences); a release also matches
    by its own company or, without one, its headline, word by word with one typo allowed
    (:func:`ingest.companies.company_matches`). The answer for a list of names is
    remembered per documents list (the 32 newest).
    """
    corpus = _corpus(documents)
    found = corpus.matched.get(tuple(wanted))
    if found is None:
        out: set[int] = set()
        for w in wanted:
            out |= corpus.directory.matching(w)
            out |= corpus.names.matching(w)
        found = frozenset(out)
        corpus.matched.put(tuple(wanted), found)
    return set(found)
