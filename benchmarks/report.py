"""Markdown tables for the quality benchmark (formatting only, no logic)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from benchmarks.evaluate import metric_names

__all__ = ["fmt", "md_table", "no_answer_tables", "render_dataset", "short"]


def fmt(value: object, digits: int = 3) -> str:
    """A table cell: floats rounded, None as a dash."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def short(text: str, n: int = 150) -> str:
    """The first ``n`` characters on one line, safe inside a markdown table."""
    flat = " ".join(text.split())
    flat = flat[:n] + ("…" if len(flat) > n else "")
    return flat.replace("|", "\\|")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table.

    Example:
        >>> print(md_table(["a", "b"], [[1, 0.5]]))
        | a | b |
        | --- | --- |
        | 1 | 0.500 |
    """
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _qs(values: Sequence[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values) if values else "-"


def no_answer_tables(report: dict, threshold: float) -> str:
    """The no-answer groups and the threshold search as two tables."""
    groups = md_table(
        [
            "first hit on",
            "n",
            "flagged answerable=False",
            "confidence p10/p25/p50/p75/p90",
            "mean conf",
            "score p10/p25/p50/p75/p90",
        ],
        [
            [
                g["group"],
                g["n"],
                g["flagged_no_answer"],
                _qs(g["confidence_quantiles"]),
                g["confidence_mean"],
                _qs(g["score_quantiles"]),
            ]
            for g in report["groups"]
        ],
    )
    signals = md_table(
        ["signal (positive = kept as answerable)", "n+ / n-", "AUC", "best t", "TPR", "FPR"],
        [
            [
                s["signal"],
                f"{s['n_pos']} / {s['n_neg']}",
                s["auc"],
                s["best_threshold"],
                s["tpr"],
                s["fpr"],
            ]
            for s in report["signals"]
        ],
    )
    return (
        f"{groups}\n\nBest cut = highest balanced accuracy of 'answerable iff value >= t' "
        f"(current rule: confidence >= {threshold}).\n\n{signals}"
    )


def render_dataset(res: dict, show_failures: int = 10) -> str:
    """All tables of one set's results (as ``benchmarks/quality.py`` stores them) as markdown."""
    parts: list[str] = []

    def emit(text: str = "") -> None:
        parts.append(text)

    name, k = res["dataset"], res["k"]
    cols = metric_names(k)
    nq = res["questions"]
    emit(
        f"\n## {name}: {res['documents']} documents, {nq['answerable']} answerable + "
        f"{nq['unanswerable']} unanswerable questions (k={k}, limit={res['limit']}, "
        f"seed={res['seed']}, encoder={res.get('encoder', 'torch')})\n"
    )
    emit(f"RankSettings overrides: {res['settings_changed'] or 'none (defaults)'}\n")
    rule = {
        "pr": "hit = a returned passage/chunk holds an accepted answer string",
        "scifact": "documents ranked by their best passage/chunk, graded by the test qrels",
        "squad": "documents ranked by their best passage/chunk; relevant = the gold paragraph",
    }[name]
    emit(f"### Retrieval ({rule})\n")
    rows = [
        [s["label"], s["metrics"]["n"], *(s["metrics"].get(c) for c in cols)]
        for s in res["systems"].values()
    ]
    for label, value in res.get("published", []):
        rows.append([label, "", None, None, None, value])
    if res.get("target") is not None:
        rows.append([f"target for Pressroom ({cols[3]})", "", None, None, None, res["target"]])
    emit(md_table(["system", "n", *cols], rows))
    if name == "pr":
        emit("\n### Strict: the passage holds an answer AND comes from the labelled release\n")
        emit(
            md_table(
                ["system", "n", *cols],
                [
                    [s["label"], s["strict_metrics"]["n"], *(s["strict_metrics"][c] for c in cols)]
                    for s in res["systems"].values()
                ],
            )
        )
        emit("\n### By whether the question names the company\n")
        split_rows = []
        for key in ("names_company=true", "names_company=false"):
            for s in res["systems"].values():
                m = s["splits"].get(key)
                if m:
                    split_rows.append([key, s["label"], m["n"], *(m[c] for c in cols)])
        emit(md_table(["split", "system", "n", *cols], split_rows))
        kinds = sorted(
            {key for s in res["systems"].values() for key in s["splits"] if key.startswith("kind=")}
        )
        systems = list(res["systems"])
        emit("\n### hit@1 / hit@5 by question kind\n")
        emit(
            md_table(
                ["kind", "n", *systems],
                [
                    [
                        kd.removeprefix("kind="),
                        res["systems"][systems[0]]["splits"][kd]["n"],
                        *(
                            f"{res['systems'][s]['splits'][kd]['hit@1']:.2f} / "
                            f"{res['systems'][s]['splits'][kd]['hit@5']:.2f}"
                            for s in systems
                        ),
                    ]
                    for kd in kinds
                ],
            )
        )
    emit("\n### Timing\n")
    trows = []
    for system, s in res["systems"].items():
        t = s["timing"]
        b, lat = t["build"], t["latency"]
        note = f"{b.get('chunks', '-')} chunks, {b.get('model_calls', 0)} embedded now"
        if system == "pressroom" and b.get("last_full_build"):
            lb = b["last_full_build"]
            note += f"; last build with changes: {lb['seconds']:.1f} s ({lb['when']})"
        trows.append(
            [
                s["label"],
                f"{b['seconds']:.1f}",
                note,
                f"{t['eval_seconds']:.1f}",
                lat.get("mean_ms"),
                lat.get("p50_ms"),
                lat.get("p95_ms"),
            ]
        )
    emit(
        md_table(
            [
                "system",
                "index build/update s (this run)",
                "index",
                "eval s (all questions)",
                "latency mean ms",
                "p50 ms",
                "p95 ms",
            ],
            trows,
        )
    )
    lat_n = next(iter(res["systems"].values()))["timing"]["latency"].get("n", 0)
    loads = ", ".join(f"{s['timing']['load_average']:.1f}" for s in res["systems"].values())
    emit(
        f"\nLatency: {lat_n} answerable questions, uncached encoder, k={k}, after a warm-up "
        f"query; 1-minute load average after each system: {loads} on {os.cpu_count()} CPUs "
        "(other jobs share them, so compare latencies within one run). "
        "Pressroom's is the whole retrieve() call (query encoding, search, answer pick). "
        "'eval s' runs every question through the on-disk embedding cache (fast on re-runs)."
    )
    if "no_answer" in res:
        emit("\n### No-answer detection (Pressroom, first hit)\n")
        emit(no_answer_tables(res["no_answer"], res.get("answerable_at", 0.5)))
    if "failures" in res:
        f = res["failures"]
        cov = f["answer_in_some_chunk"]
        emit("\n### Where Pressroom's first passage misses (answer rule)\n")
        emit(
            f"Answer string inside at least one chunk of the labelled release: Pressroom chunks "
            f"{cov['pressroom']:.3f}, 1000-char windows {cov['baseline_1000']:.3f}.\n"
        )
        emit(md_table(["cause of the miss at rank 1", "questions"], list(f["causes"].items())))
        emit()
        emit(md_table(["among those misses", "questions"], list(f["traits"].items())))
        cases = sorted(f["cases"], key=lambda c: (c["answer_rank"] is not None, c["id"]))
        if cases and show_failures:
            emit(f"\nFirst {min(show_failures, len(cases))} of {len(cases)} misses at hit@1:\n")
        for i, c in enumerate(cases[:show_failures], 1):
            base = ", ".join(
                f"{s}@1 {'yes' if ok else 'no'}" for s, ok in c["baselines_at1"].items()
            )
            emit(
                f"{i}. **{c['id']}** ({c['kind']}, names company: {c['names_company']}) "
                f"{c['question']}\n"
                f'   - expected: "{c["answer"]}" in `{c["doc"]}`; {c["why"]}; {base}\n'
                f"   - answer in passages of kind {', '.join(c['answer_chunk_kinds']) or '-'}\n"
                f"   - first hit (`{c['first_doc']}`, {c['first_kind']}"
                f"{', opening passage' if c['first_is_opening'] else ''}, "
                f"confidence {c['first_confidence']}): "
                f'"{short(c["first_text"])}"'
            )
    return "\n".join(parts)
