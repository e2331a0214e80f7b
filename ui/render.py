"""HTML for the browser UI: the cited answer, the ranked sources, a whole release, status.

Pure functions: passages and plain values in, HTML strings out. Every piece of text
from a release is escaped; markup is only ever added around escaped text. The CSS
classes (all prefixed ``pr-``) are styled by ``style.css`` beside this module (``CSS``),
which the app passes to Gradio.

Example:
    >>> from qa import Passage
    >>> hit = Passage(text="It enrolls 36 patients.", score=1.0, doc_id=1, chunk_id=1,
    ...               title="Trial", date="2014-03-04", source="a.txt", start=0, end=23,
    ...               answer="It enrolls 36 patients.", answer_start=0, answer_end=23,
    ...               answerable=True)
    >>> "<mark" in render_results("How many?", [hit])
    True
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from ingest.dates import display_date
from ingest.types import BOILERPLATE_KINDS
from qa import Filters, Passage, Settings
from qa.export import FORMATS, MEDIA_TYPES, SUFFIXES, citation, export, long_date
from qa.filters import describe

__all__ = [
    "CSS",
    "describe_filters",
    "download_links",
    "format_date",
    "render_message",
    "render_release",
    "render_results",
]

KIND_LABELS = {
    "header": "headline",
    "body": "body",
    "quote": "quote",
    "about": "About section",
    "safe_harbor": "safe harbor",
    "contacts": "contacts",
    "links": "links",
}
BOILERPLATE = BOILERPLATE_KINDS
# the first hit's confidence from which a passage that is not ``answerable`` is still shown
# as a possible answer (below it: "No answer found")
POSSIBLE_AT = Settings().answer.possible_at


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def format_date(iso: str | None) -> str:
    """``2014-03-04`` -> ``Mar 4, 2014``; anything unparsable is returned as it is.

    >>> format_date("2016-11-28"), format_date(None)
    ('Nov 28, 2016', 'undated')
    """
    return display_date(iso, "%b")


def _issuer(company: str | None, tickers: Sequence[str]) -> str:
    parts = [company or ""]
    if tickers:
        parts.append(f"({', '.join(tickers)})" if company else ", ".join(tickers))
    return " ".join(p for p in parts if p)


def _marked(text: str, offset: int, spans: Sequence[tuple[int, int, str, str]]) -> str:
    """Escape ``text`` (which starts at ``offset`` of its release) wrapping nested spans.

    ``spans`` are ``(start, end, open_tag, close_tag)`` in release offsets, outermost
    first, each inside the previous one; spans outside ``text`` are clipped.
    """
    cuts: list[tuple[int, int, str]] = []  # (position, order, markup)
    lo, hi = 0, len(text)
    for depth, (start, end, open_tag, close_tag) in enumerate(spans):
        lo, hi = max(start - offset, lo), min(end - offset, hi)  # nested in the previous one
        if hi <= lo:
            break
        cuts.append((lo, 1 + depth, open_tag))
        cuts.append((hi, -1 - depth, close_tag))
    # at one position: closing tags first (innermost first), then opening (outermost first)
    cuts.sort(key=lambda c: (c[0], c[1] > 0, c[1]))
    out, at = [], 0
    for pos, _, markup in cuts:
        out.append(_text(text[at:pos]))
        out.append(markup)
        at = pos
    out.append(_text(text[at:]))
    return "".join(out)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def _text(text: str) -> str:
    """Escaped text for a ``pre-wrap`` box, paragraph breaks drawn as a half-line gap."""
    return _PARAGRAPH_BREAK.sub("\n<span class='pr-gap'></span>", _e(text))


def _passage_html(hit: Passage, strong: bool) -> str:
    mark = "<mark class='pr-hl'>" if strong else "<mark class='pr-hl pr-hl-weak'>"
    return _marked(hit.text, hit.start, [(hit.answer_start, hit.answer_end, mark, "</mark>")])


def render_release(text: str, hit: Passage) -> str:
    """The whole stored release with the passage marked and its answer highlighted.

    ``text`` is the release's stored text, which ``hit``'s offsets index into. If the
    offsets do not fit (the release changed since the query), it is shown unmarked.
    """
    if text[hit.start : hit.end] != hit.text:
        return f"<div class='pr-release-text'>{_e(text)}</div>"
    body = _marked(
        text,
        0,
        [
            (hit.start, hit.end, "<span class='pr-in-passage'>", "</span>"),
            (hit.answer_start, hit.answer_end, "<mark class='pr-hl pr-anchor'>", "</mark>"),
        ],
    )
    return f"<div class='pr-release-text'>{body}</div>"


def render_message(text: str, kind: str = "error") -> str:
    """A short boxed message; ``kind`` is ``error``, ``info`` or ``ok``."""
    return f"<div class='pr-msg pr-msg-{_e(kind)}' role='status'>{_e(text)}</div>"


def _meta_line(hit: Passage) -> str:
    date = f"<span class='pr-date' title='{_e(hit.date or '')}'>{_e(format_date(hit.date))}</span>"
    items = [date]
    issuer = _issuer(hit.company, hit.tickers)
    if issuer:
        items.append(f"<span class='pr-company'>{_e(issuer)}</span>")
    kind = KIND_LABELS.get(hit.kind, hit.kind)
    if hit.section and hit.kind not in ("body", "header"):
        kind = hit.section
    if hit.kind in BOILERPLATE:
        items.append(
            f"<span class='pr-kind pr-kind-boiler' title='section kind: {_e(hit.kind)}'>"
            f"{_e(kind)} · boilerplate</span>"
        )
    else:
        items.append(f"<span class='pr-kind' title='section kind'>{_e(kind)}</span>")
    items.append(
        f"<span class='pr-score' title='fused ranking score; confidence that it answers'>"
        f"score {hit.score:.3f} · confidence {hit.confidence:.0%}</span>"
    )
    return "<div class='pr-meta'>" + "".join(items) + "</div>"


def _copies_line(hit: Passage) -> str:
    """The release's other copies (its release group): each copy's wire and file, the
    copies whose figures differ from this one's marked."""
    if not hit.copies:
        return ""
    wires = hit.copy_wires if len(hit.copy_wires) == len(hit.copies) else (None,) * len(hit.copies)
    items = []
    for path, wire in zip(hit.copies, wires, strict=True):
        differ = path in hit.differing_copies
        cls = "pr-copy-item pr-copy-differs" if differ else "pr-copy-item"
        note = " <em>figures differ</em>" if differ else ""
        items.append(
            f"<li class='{cls}' title='{_e(path)}'>{_e(wire or 'wire not named')} · "
            f"{_e(Path(path).name)}{note}</li>"
        )
    n = len(hit.copies)
    label = f"Also ran as {n} cop{'ies' if n > 1 else 'y'}"
    differs = len(hit.differing_copies)
    if differs:
        label += f" ({differs} with other figures)"
    return (
        f"<details class='pr-copyset'><summary>{label}</summary>"
        f"<ul class='pr-copy-list'>{''.join(items)}</ul></details>"
    )


def _count_sources(hits: Sequence[Passage]) -> str:
    """ "3 releases", or "5 passages from 3 releases" when a release gave several."""
    n_releases = len({h.doc_id for h in hits})
    releases = f"{n_releases} release{'s' if n_releases != 1 else ''}"
    if n_releases == len(hits):
        return releases
    return f"{len(hits)} passages from {releases}"


def _source_card(
    n: int, hit: Passage, release_text: str | None, answer: bool, same_as: int | None = None
) -> str:
    cls = "pr-hit" if answer else "pr-hit pr-hit-weak"
    label = "" if answer else "<span class='pr-not-answer'>not an answer</span>"
    if same_as is not None:
        label += (
            f"<span class='pr-same' title='another passage of the release of source {same_as}'>"
            f"same release as [{same_as}]</span>"
        )
    release = ""
    if release_text is not None:
        release = (
            "<details class='pr-release'><summary><span class='pr-open'>Open release</span>"
            "<span class='pr-close'>Hide release</span></summary>"
            "<div class='pr-legend'>The whole release: <span class='pr-in-passage'>this "
            "passage</span> and <mark class='pr-hl'>its best sentence</mark> are marked.</div>"
            f"{render_release(release_text, hit)}</details>"
        )
    return (
        f"<article class='{cls}' id='pr-src-{n}' data-doc='{hit.doc_id}' tabindex='0' "
        f"aria-label='Source {n}: {_e(hit.title)}'>"
        f"<div class='pr-hit-head'><span class='pr-num'>{n}</span>"
        f"<h4 class='pr-title'>{_e(hit.title)}</h4>{label}</div>"
        f"{_meta_line(hit)}"
        f"<div class='pr-passage'>{_passage_html(hit, answer and hit.answerable)}</div>"
        f"{_copies_line(hit)}"
        f"<div class='pr-foot'>{release}"
        f"<button type='button' class='pr-copy' data-cite='{_e(citation(hit))}' "
        "title='Copy a citation: headline, company, date, file and source link'>"
        f"Copy citation</button>{_source_link(hit)}"
        f"<span class='pr-file' title='{_e(hit.source)}'>{_e(Path(hit.source).name)} "
        f"· characters {hit.start}–{hit.end}</span></div>"
        "</article>"
    )


def _source_link(hit: Passage) -> str:
    """A link to where the wire published the release, when it names the place."""
    if not hit.url or not re.match(r"https?://", hit.url):
        return ""
    return (
        f"<a class='pr-link' href='{_e(hit.url)}' target='_blank' rel='noopener noreferrer' "
        f"title='{_e(hit.url)}'>Source link ↗</a>"
    )


_LABELS = {"csv": "CSV", "json": "JSON", "md": "Markdown"}
# the keys of the results (``page.js``)
KEYS = (
    "<div class='pr-keys'>Keys: <kbd>/</kbd> question · <kbd>j</kbd> <kbd>k</kbd> next and "
    "previous source · <kbd>o</kbd> open the release · <kbd>c</kbd> copy its citation</div>"
)


def _slug(question: str) -> str:
    words = re.findall(r"[a-z0-9]+", question.lower())
    return "-".join(words)[:60].strip("-") or "results"


def download_links(question: str, hits: Sequence[Passage], filters: Filters | None = None) -> str:
    """Links that download these results as CSV, JSON Lines and Markdown (``qa.export``).

    Each file travels inside its link (a ``data:`` URL), so the download is exactly
    what is on the screen and the server keeps no file.
    """
    note = describe(filters, long_date) if filters is not None else ""
    links = []
    for fmt in FORMATS:
        data = base64.b64encode(export(fmt, question, hits, filters=note).encode()).decode()
        name = f"pressroom-{_slug(question)}{SUFFIXES[fmt]}"
        links.append(
            f"<a class='pr-download' download='{_e(name)}' data-format='{fmt}' "
            f"href='data:{MEDIA_TYPES[fmt]};charset=utf-8;base64,{data}'>{_LABELS[fmt]}</a>"
        )
    return f"<div class='pr-export'><span>Download these results:</span> {' '.join(links)}</div>"


def _answer_head(best: Passage, hits: Sequence[Passage], shown: str, possible: bool = False) -> str:
    """The answer card with its citation [1] (or, ``possible``, the low-confidence card),
    and the sources' heading."""
    issuer = _issuer(best.company, best.tickers) if best.company or best.tickers else ""
    kind, kicker = (
        ("pr-possible-card", "Possible answer") if possible else ("pr-answer-card", "Answer")
    )
    caution = (
        "<p class='pr-sub'>Low confidence: the model is not sure this sentence answers the "
        "question. Read the source before relying on it.</p>"
        if possible
        else ""
    )
    return (
        f"<section class='{kind}'>"
        f"<div class='pr-kicker'>{kicker}</div>"
        f"<p class='pr-answer'><mark class='pr-hl'>{_e(best.answer)}</mark>"
        "<sup class='pr-ref'>[1]</sup></p>"
        f"<div class='pr-cite'><span class='pr-ref'>[1]</span> "
        f"<b>{_e(best.title)}</b> · {_e(format_date(best.date))}"
        + (f" · {_e(issuer)}" if issuer else "")
        + f" · confidence {best.confidence:.0%}</div>{caution}</section>"
        f"<h3 class='pr-sources-h'>Sources <span>{_count_sources(hits)}, "
        f"best first{shown}</span></h3>"
    )


def _no_answer_head(shown: str) -> str:
    """The honest "no answer found" card, and the nearest passages' heading."""
    return (
        "<section class='pr-noanswer-card'>"
        "<div class='pr-kicker'>No answer found</div>"
        "<p>No passage in the index answers this question with confidence.</p>"
        "<p class='pr-sub'>The nearest passages are listed below. They are "
        "<b>not answers</b>: read them before relying on them.</p></section>"
        f"<h3 class='pr-sources-h'>Nearest passages <span>not answers{shown}</span></h3>"
    )


def render_results(
    question: str,
    hits: Sequence[Passage],
    releases: Mapping[int, str] | None = None,
    *,
    filters: Filters | None = None,
    no_match: str = "",
    phrase: str = "",
) -> str:
    """The answer card first, then the ranked sources (or the nearest non-answers).

    Args:
        question: what was asked (nothing is rendered but a hint when it is blank).
        hits: ``retrieve``'s passages, best first.
        releases: stored text per ``doc_id``, for the "Open release" view of each hit.
        filters: the filters that were applied, named above the sources.
        no_match: why the filters leave no release (``qa.filters.no_match_reason``),
            said when there are no hits.
        phrase: why the question's quoted phrases leave no passage
            (``qa.phrase_reason``), said when there are no hits.
    """
    if not question.strip():
        return render_message("Type a question about the releases and press Enter.", "info")
    note = describe_filters(filters) if filters is not None else ""
    if not hits and phrase and not no_match:
        return render_message(
            f"No passage holds the quoted phrase: {phrase}. A phrase in quotes must occur "
            "exactly; check its spelling, or leave the quotes out to search by meaning.",
            "info",
        )
    if not hits:
        if note:
            why = f": {no_match}" if no_match else ""
            return render_message(
                f"No passage matches this question with these filters ({note}){why}. "
                "Try widening them.",
                "info",
            )
        return render_message("No passage matches this question.", "info")
    shown = f" · filtered: {_e(note)}" if note else ""
    releases = releases or {}
    best = hits[0]
    if best.answerable:
        head = _answer_head(best, hits, shown)
    elif best.confidence >= POSSIBLE_AT:
        head = _answer_head(best, hits, shown, possible=True)
    else:
        head = _no_answer_head(shown)
    first_of: dict[int, int] = {}
    cards = []
    for n, hit in enumerate(hits, 1):
        same = first_of.setdefault(hit.doc_id, n)
        cards.append(
            _source_card(
                n, hit, releases.get(hit.doc_id), best.answerable, same if same != n else None
            )
        )
    links = download_links(question, hits, filters)
    return f"<div class='pr-results'>{head}{links}{KEYS}{''.join(cards)}</div>"


def describe_filters(filters: Filters) -> str:
    """The active filters in a few words, or "" when there are none.

    >>> describe_filters(Filters(date_from="2015-01-01", exclude_boilerplate=True))
    'from Jan 1, 2015 · no boilerplate'
    """
    return describe(filters, format_date)


CSS = (Path(__file__).with_name("style.css")).read_text(encoding="utf-8")
