"""What ``retrieve`` returns: a cited passage and filters on what it may return."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Filters", "Passage"]


@dataclass(frozen=True)
class Passage:
    """One ranked passage with its citation.

    ``text`` equals the stored text of the release sliced ``[start:end]``; ``answer``
    is the sentence of the passage that best answers the question and equals the
    stored text sliced ``[answer_start:answer_end]``.

    Attributes:
        text: the passage.
        score: the fused ranking score (higher is better; comparable within one query).
        doc_id: the release's id in the index.
        chunk_id: the passage's id in the index (stable, never reused).
        title: the release headline.
        date: the release date, ISO ``YYYY-MM-DD``, or None.
        source: the file the release came from.
        start: offset of the passage in the release's stored text.
        end: offset one past the passage's end.
        answer: the best-answering sentence.
        answer_start: its offset in the release's stored text.
        answer_end: offset one past its end.
        company: the issuing company, when the release names it.
        tickers: exchange:ticker pairs of the release, e.g. ``("NASDAQ:CLRB",)``.
        kind: section kind: body, quote, about, safe_harbor, contacts, links.
        section: the section heading, e.g. "About CLR 131", when there is one.
        url: the release's own source link (where the wire published it), when its
            file names one.
        confidence: estimated chance, from 0 to 1, that the passage answers the question.
        answerable: ``confidence`` is at least the calibrated threshold; when False for
            the first hit, nothing in the index answers the question.
        copies: the files of the release's other copies (the same release on another
            wire, or the same file twice), oldest first; empty when it has none. A copy
            never takes a result of its own.
        differing_copies: those of ``copies`` whose figures (the numbers of the news text,
            its date left out) differ from this release's.
        copy_wires: the wire of each of ``copies``, in the same order, as its text names
            it (its dateline or an "About" wire section); None where it names none.
    """

    text: str
    score: float
    doc_id: int
    chunk_id: int
    title: str
    date: str | None
    source: str
    start: int
    end: int
    answer: str
    answer_start: int
    answer_end: int
    company: str | None = None
    tickers: tuple[str, ...] = ()
    kind: str = "body"
    section: str | None = None
    url: str | None = None
    confidence: float = 0.0
    answerable: bool = False
    copies: tuple[str, ...] = ()
    differing_copies: tuple[str, ...] = ()
    copy_wires: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class Filters:
    """Restrictions applied before ranking, so ``k`` matching passages still come back.

    Attributes:
        date_from: earliest release date, ISO ``YYYY-MM-DD`` (inclusive).
        date_to: latest release date, ISO (inclusive).
        companies: company names or tickers; a release matches any of them
            (case-insensitive; a name matches as a substring of the company).
        kinds: only passages of these section kinds.
        exclude_boilerplate: drop About, safe-harbor, contacts and links passages.
        sources: only the releases of these files (``Passage.source``); empty: any.
            Saved searches run against the releases a sync added or changed with it.
    """

    date_from: str | None = None
    date_to: str | None = None
    companies: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    exclude_boilerplate: bool = False
    sources: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == Filters()
