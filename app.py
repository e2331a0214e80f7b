"""Pressroom in the browser: ``python app.py`` serves a Gradio UI on http://127.0.0.1:7860.

The UI only calls the public functions: ``qa.retrieve`` to ask, ``ingest.sync`` to
build the index when there is none. ``ask`` is also a named API (``/ask``) that
returns structured hits, for ``gradio_client``.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from dataclasses import asdict
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from index import IndexFormatError, default_index_dir, open_reader  # noqa: E402
from ingest.__main__ import DEFAULT_CORPUS  # noqa: E402
from qa import Filters, Passage, retrieve  # noqa: E402

EXAMPLE_QUESTIONS = [
    "How many patients will the glioblastoma imaging trial enroll?",
    "Who manufactures CLR 131?",
    "Which radioisotope is the payload of CLR 131?",
    "What doses does the imaging trial test?",
]

CSS = """
.hit {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 12px 16px;
      margin: 10px 0; background: var(--background-fill-secondary);}
.hit h4 {margin: 0 0 4px 0;}
.meta {color: var(--body-text-color-subdued); font-size: 0.9em; margin-bottom: 8px;}
.passage {white-space: pre-wrap; line-height: 1.5;}
.passage mark {background: #ffe58a; color: #111; padding: 0 2px; border-radius: 3px;}
.answer {font-size: 1.15em; padding: 12px 16px; border-left: 4px solid #f0b400;
         background: var(--background-fill-secondary); border-radius: 4px;}
.noanswer {padding: 12px 16px; border-left: 4px solid #999; border-radius: 4px;}
.tag {display: inline-block; font-size: 0.8em; padding: 0 6px; border-radius: 8px;
      border: 1px solid var(--border-color-primary); margin-left: 6px;}
"""


def _highlighted(hit: Passage) -> str:
    a, b = hit.answer_start - hit.start, hit.answer_end - hit.start
    t = hit.text
    return f"{html.escape(t[:a])}<mark>{html.escape(t[a:b])}</mark>{html.escape(t[b:])}"


def _citation(hit: Passage) -> str:
    parts = [html.escape(hit.date or "undated")]
    if hit.company:
        parts.append(html.escape(hit.company))
    if hit.tickers:
        parts.append(html.escape(", ".join(hit.tickers)))
    parts.append(f"{html.escape(Path(hit.source).name)} [{hit.start}:{hit.end}]")
    return " · ".join(parts)


def render_hits(question: str, hits: list[Passage]) -> str:
    """The answer first, then the ranked cited passages, as HTML."""
    if not question.strip():
        return "<p>Type a question about the releases.</p>"
    if not hits:
        return "<div class='noanswer'>No passage in the index matches this question.</div>"
    best = hits[0]
    if best.answerable:
        head = (
            f"<div class='answer'>{html.escape(best.answer)} <sup>[1]</sup><div class='meta'>"
            f"[1] {html.escape(best.title)} · {_citation(best)}</div></div>"
        )
    else:
        head = (
            "<div class='noanswer'><b>No passage answers this question with confidence.</b> "
            "The nearest passages are shown below; check them before relying on them.</div>"
        )
    cards = []
    for n, hit in enumerate(hits, 1):
        section = f"<span class='tag'>{html.escape(hit.kind)}</span>"
        cards.append(
            f"<div class='hit'><h4>[{n}] {html.escape(hit.title)}{section}</h4>"
            f"<div class='meta'>{_citation(hit)} · score {hit.score:.3f} · "
            f"confidence {hit.confidence:.2f}</div>"
            f"<div class='passage'>{_highlighted(hit)}</div></div>"
        )
    return head + "".join(cards)


def build_app(index_dir: Path | None = None) -> gr.Blocks:
    """The Gradio UI over the index at ``index_dir`` (default ``data/index``)."""
    index_dir = index_dir or default_index_dir()

    def ask(
        question: str,
        k: int = 5,
        date_from: str = "",
        date_to: str = "",
        company: str = "",
        include_boilerplate: bool = True,
    ) -> list[dict]:
        """Cited passages for a question, best first, as dictionaries (see qa.Passage)."""
        filters = Filters(
            date_from=date_from.strip() or None,
            date_to=date_to.strip() or None,
            companies=tuple(c.strip() for c in company.split(",") if c.strip()),
            exclude_boilerplate=not include_boilerplate,
        )
        hits = retrieve(question, k=int(k), index_dir=index_dir, filters=filters)
        return [asdict(h) for h in hits]

    def ask_ui(question: str, k: float) -> str:
        try:
            hits = [Passage(**{**h, "tickers": tuple(h["tickers"])}) for h in ask(question, int(k))]
        except IndexFormatError as exc:
            return f"<div class='noanswer'>{html.escape(str(exc))}</div>"
        return render_hits(question, hits)

    with gr.Blocks(title="Pressroom") as demo:
        gr.Markdown("# Pressroom\nAsk the press releases; every answer cites its release.")
        with gr.Row():
            question = gr.Textbox(
                label="Question",
                placeholder="e.g. Who manufactures CLR 131?",
                scale=5,
                autofocus=True,
            )
            k = gr.Slider(1, 20, value=5, step=1, label="Results", scale=1)
        button = gr.Button("Ask", variant="primary")
        gr.Examples(EXAMPLE_QUESTIONS, inputs=question)
        results = gr.HTML(elem_id="results")
        for trigger in (button.click, question.submit):
            trigger(ask_ui, [question, k], results, api_visibility="private")
        gr.api(ask, api_name="ask")
    return demo


def ensure_index(index_dir: Path, corpus: Path) -> None:
    """Build the index over ``corpus`` when ``index_dir`` has none yet."""
    try:
        open_reader(index_dir)
        return
    except IndexFormatError:
        pass
    from ingest import sync

    print(f"building the index over {corpus} into {index_dir} ...", file=sys.stderr)
    report = sync([corpus], index_dir)
    for failure in report.failed:
        print(f"error: {failure}", file=sys.stderr)
    print(f"indexed {report.documents} releases, {report.chunks} chunks", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python app.py",
        description="Serve the Pressroom browser UI (builds the index first if there is none).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--index", type=Path, default=None, help="index (default data/index)")
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="releases (default data/releases)"
    )
    args = parser.parse_args(argv)
    index_dir = args.index or default_index_dir()
    ensure_index(index_dir, args.corpus)
    demo = build_app(index_dir)
    demo.launch(server_name=args.host, server_port=args.port, share=False, css=CSS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
