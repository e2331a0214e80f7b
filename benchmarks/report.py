"""Markdown tables for the quality benchmark (formatting only, no logic)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from benchmarks.evaluate import metric_names

__all__ = [
    "RULES",
    "TIMING_HEADERS",
    "fmt",
    "md_table",
    "no_answer_tables",
    "render_dataset",
    "short",
]


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
    """Quantiles as ``a / b / c`` with two decimals (a dash when there are none)."""
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


RULES = {
    "pr": "hit = a returned passage/chunk holds an accepted answer string",
    "wide": "hit = a returned passage/chunk holds an accepted answer string",
    "dev": "hit = a returned passage/chunk holds an accepted answer string",
    "scifact": "documents ranked by their best passage/chunk, graded by the test qrels",
    "squad": "documents ranked by their best passage/chunk; relevant = the gold paragraph",
}
TIMING_HEADERS = [
    "system",
    "index build/update s (this run)",
    "index",
    "eval s (all questions)",
    "latency mean ms",
    "p50 ms",
    "p95 ms",
]


def render_dataset(res: dict, show_failures: int = 10) -> str:
    """All tables of one set's results (as ``benchmarks/quality.py`` stores them) as markdown.

    Args:
        res: the results of ``benchmarks.experiment.evaluate_dataset`` (or their JSON).
        show_failures: how many of Pressroom's ``pr`` misses to list one by one.
    """
    name, k = res["dataset"], res["k"]
    cols = metric_names(k)
    parts = [_heading(res), f"### Retrieval ({RULES[name]})\n", _retrieval_table(res, cols)]
    if name in ("pr", "wide", "dev"):
        parts += _answer_rule_tables(res, cols)
    if "answers" in res:
        parts += ["\n### Answer sentence (Pressroom: the first hit's `answer` holds an answer)\n"]
        parts.append(_answers_table(res["answers"]))
    parts += ["\n### Timing\n", _timing_table(res), _latency_note(res)]
    if "no_answer" in res:
        parts.append("\n### No-answer detection (Pressroom, first hit)\n")
        parts.append(no_answer_tables(res["no_answer"], res.get("answerable_at", 0.5)))
    if "failures" in res:
        parts += _failure_parts(res["failures"], show_failures)
    return "\n".join(parts)


def _answers_table(answers: dict) -> str:
    """hit@1 and answer@1 overall and per question kind."""
    head = "| kind | n | hit@1 | answer sentence@1 |\n| --- | --- | --- | --- |"
    rows = [
        f"| {kind} | {a['n']} | {a['hit@1']:.3f} | {a['answer@1']:.3f} |"
        for kind, a in sorted(answers.items(), key=lambda kv: (kv[0] != "all", kv[0]))
    ]
    return "\n".join([head, *rows])


def _heading(res: dict) -> str:
    """The set's title line and the settings that differ from the defaults."""
    nq, k = res["questions"], res["k"]
    return (
        f"\n## {res['dataset']}: {res['documents']} documents, {nq['answerable']} answerable + "
        f"{nq['unanswerable']} unanswerable questions (k={k}, limit={res['limit']}, "
        f"seed={res['seed']}, encoder={res.get('encoder', 'torch')})\n"
        f"\nRankSettings overrides: {res['settings_changed'] or 'none (defaults)'}\n"
    )


def _retrieval_table(res: dict, cols: Sequence[str]) -> str:
    """Every system's metrics, then the published figures and the target."""
    rows = [
        [s["label"], s["metrics"]["n"], *(s["metrics"].get(c) for c in cols)]
        for s in res["systems"].values()
    ]
    for label, value in res.get("published", []):
        rows.append([label, "", None, None, None, value])
    if res.get("target") is not None:
        rows.append([f"target for Pressroom ({cols[3]})", "", None, None, None, res["target"]])
    return md_table(["system", "n", *cols], rows)


def _answer_rule_tables(res: dict, cols: Sequence[str]) -> list[str]:
    """The ``pr`` tables: strict metrics, by naming the company, and by question kind."""
    systems = res["systems"]
    strict = md_table(
        ["system", "n", *cols],
        [
            [s["label"], s["strict_metrics"]["n"], *(s["strict_metrics"][c] for c in cols)]
            for s in systems.values()
        ],
    )
    split_rows = []
    for key in ("names_company=true", "names_company=false"):
        for s in systems.values():
            m = s["splits"].get(key)
            if m:
                split_rows.append([key, s["label"], m["n"], *(m[c] for c in cols)])
    return [
        "\n### Strict: the passage holds an answer AND comes from the labelled release\n",
        strict,
        "\n### By whether the question names the company\n",
        md_table(["split", "system", "n", *cols], split_rows),
        "\n### hit@1 / hit@5 by question kind\n",
        _kind_table(systems),
    ]


def _kind_table(systems: dict) -> str:
    """hit@1 / hit@5 of every system for each question kind."""
    kinds = sorted(
        {key for s in systems.values() for key in s["splits"] if key.startswith("kind=")}
    )
    names = list(systems)
    return md_table(
        ["kind", "n", *names],
        [
            [
                kd.removeprefix("kind="),
                systems[names[0]]["splits"][kd]["n"],
                *(
                    f"{systems[s]['splits'][kd]['hit@1']:.2f} / "
                    f"{systems[s]['splits'][kd]['hit@5']:.2f}"
                    for s in names
                ),
            ]
            for kd in kinds
        ],
    )


def _timing_table(res: dict) -> str:
    """Build and evaluation time and query latency of every system."""
    rows = []
    for system, s in res["systems"].items():
        t = s["timing"]
        b, lat = t["build"], t["latency"]
        note = f"{b.get('chunks', '-')} chunks, {b.get('model_calls', 0)} embedded now"
        if system == "pressroom" and b.get("last_full_build"):
            lb = b["last_full_build"]
            note += f"; last build with changes: {lb['seconds']:.1f} s ({lb['when']})"
        rows.append(
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
    return md_table(TIMING_HEADERS, rows)


def _latency_note(res: dict) -> str:
    """How the latencies were measured, with the machine's load during the run."""
    lat_n = next(iter(res["systems"].values()))["timing"]["latency"].get("n", 0)
    loads = ", ".join(f"{s['timing']['load_average']:.1f}" for s in res["systems"].values())
    return (
        f"\nLatency: {lat_n} answerable questions, uncached encoder, k={res['k']}, after a "
        f"warm-up query; 1-minute load average after each system: {loads} on {os.cpu_count()} "
        "CPUs (other jobs share them, so compare latencies within one run). "
        "Pressroom's is the whole retrieve() call (query encoding, search, answer pick). "
        "'eval s' runs every question through the on-disk embedding cache (fast on re-runs)."
    )


def _failure_parts(f: dict, show_failures: int) -> list[str]:
    """The diagnosis of Pressroom's ``pr`` misses: coverage, causes, traits, first cases."""
    cov = f["answer_in_some_chunk"]
    parts = [
        "\n### Where Pressroom's first passage misses (answer rule)\n",
        f"Answer string inside at least one chunk of the labelled release: Pressroom chunks "
        f"{cov['pressroom']:.3f}, 1000-char windows {cov['baseline_1000']:.3f}.\n",
        md_table(["cause of the miss at rank 1", "questions"], list(f["causes"].items())),
        "",
        md_table(["among those misses", "questions"], list(f["traits"].items())),
    ]
    cases = sorted(f["cases"], key=lambda c: (c["answer_rank"] is not None, c["id"]))
    if cases and show_failures:
        parts.append(f"\nFirst {min(show_failures, len(cases))} of {len(cases)} misses at hit@1:\n")
    parts += [_failure_case(i, c) for i, c in enumerate(cases[:show_failures], 1)]
    return parts


def _failure_case(i: int, c: dict) -> str:
    """One miss as a numbered markdown list item."""
    base = ", ".join(f"{s}@1 {'yes' if ok else 'no'}" for s, ok in c["baselines_at1"].items())
    return (
        f"{i}. **{c['id']}** ({c['kind']}, names company: {c['names_company']}) "
        f"{c['question']}\n"
        f'   - expected: "{c["answer"]}" in `{c["doc"]}`; {c["why"]}; {base}\n'
        f"   - answer in passages of kind {', '.join(c['answer_chunk_kinds']) or '-'}\n"
        f"   - first hit (`{c['first_doc']}`, {c['first_kind']}"
        f"{', opening passage' if c['first_is_opening'] else ''}, "
        f"confidence {c['first_confidence']}): "
        f'"{short(c["first_text"])}"'
    )
