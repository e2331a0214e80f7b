"""A sync run in its own process, for the kill tests (uses the fake encoder: the tests are
about atomicity, not ranking). ``python -m tests.fault_worker INDEX PATH...`` prints
"ready", then a line per progress report, then "done ..."."""

import sys
import time

from index import sync

from .conftest import FakeEncoder


class SlowFakeEncoder(FakeEncoder):
    """Spreads the embedding work over time so kills land inside the update, too."""

    def encode(self, texts, batch_size=32):
        time.sleep(0.002 * len(texts))
        return super().encode(texts, batch_size)


def _event(p) -> None:
    """One line per progress report: the test kills the process right after the n-th."""
    print(f"progress {p.files_done} {p.chunks_embedded}", flush=True)


if __name__ == "__main__":
    index_dir, *paths = sys.argv[1:]
    print("ready", flush=True)
    report = sync(paths, index_dir, encoder=SlowFakeEncoder(), progress=_event)
    print(f"done {len(report.added)} {len(report.updated)} {len(report.removed)}", flush=True)
