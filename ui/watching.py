"""The Library tab's panel about the watched releases folder (pure: a status in, HTML out)."""

from __future__ import annotations

from watch.status import WatchStatus, short_path

from .panels import render_report

__all__ = ["render_watch"]

# file errors listed in the panel (the status keeps more; the log has them all)
SHOWN_ERRORS = 5


def render_watch(status: WatchStatus | None, corpus_dir: str = "") -> str:
    """What the watcher of the releases folder is doing, its last sync, its latest errors.

    >>> from watch import WatchStatus
    >>> "Not watching" in render_watch(None, "/r")
    True
    >>> html = render_watch(WatchStatus("/r", state="watching", settling=("/r/a.md",)))
    >>> "Watching" in html and "a.md" in html
    True
    """
    if status is None:
        return render_report(
            [
                (
                    "info",
                    f"Not watching the releases folder {corpus_dir} (the app was started "
                    "with --no-watch): files added to it are indexed by an upload here or by "
                    "`pressroom ingest`.",
                )
            ]
        )
    folder = status.folder
    if status.state == "failed":
        lines = [("error", f"Watching {folder} stopped: {status.problem}")]
    elif status.state == "stopped":
        lines = [("info", f"Stopped watching {folder}.")]
    elif status.state == "watching":
        lines = [
            (
                "info",
                f"Watching {folder}: files saved, changed or removed there are "
                "indexed within seconds of their last change.",
            )
        ]
    else:
        doing = f" ({status.progress})" if status.progress else ""
        lines = [("info", f"Watching {folder}: {status.state}{doing} ...")]
    if status.settling:
        names = ", ".join(short_path(p, folder) for p in status.settling[:5])
        more = f" and {len(status.settling) - 5} more" if len(status.settling) > 5 else ""
        lines.append(("info", f"Waiting for files to stop changing: {names}{more}."))
    last = status.last
    if last is None:
        lines.append(("info", "No sync yet: the first one catches up with the whole folder."))
    else:
        lines.append(
            (
                "ok" if not last.failed else "error",
                f"Last sync {last.finished}: added {last.added}, updated {last.updated}, "
                f"removed {last.removed}, failed {last.failed} in {last.seconds:.1f} s "
                f"({status.syncs} sync{'s' if status.syncs != 1 else ''} since the start).",
            )
        )
    for error in status.errors[:SHOWN_ERRORS]:
        where = f"{short_path(error.path, folder)}: " if error.path else ""
        lines.append(("error", f"{error.when}: {where}{error.reason}"))
    if len(status.errors) > SHOWN_ERRORS:
        lines.append(("info", f"{len(status.errors) - SHOWN_ERRORS} older errors: see the log."))
    return render_report(lines)
