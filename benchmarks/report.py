"""Markdown tables for the quality benchmark (formatting only, no logic)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["fmt", "md_table", "no_answer_tables", "short"]


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
