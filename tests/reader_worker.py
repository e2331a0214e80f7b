"""Queries in a loop from another process while the tests update the index.

``python -m tests.reader_worker INDEX GENERATIONS TIMEOUT`` prints "ready" after its first
answer and "generation NAME" whenever a query ran on a generation it had not seen, and
stops once it has seen GENERATIONS of them (or after TIMEOUT seconds), printing
"answered N errors M generations G". Uses the fake encoder (the point is consistency
across processes, not ranking)."""

import sys
import time

from index import open_reader
from qa import retrieve

from .conftest import FakeEncoder

if __name__ == "__main__":
    index_dir, wanted, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    encoder, answered, errors, generations = FakeEncoder(), 0, [], []
    deadline = time.monotonic() + timeout
    while len(generations) < wanted and time.monotonic() < deadline:
        try:
            generation = open_reader(index_dir).generation
            hits = retrieve("imaging trial patients", k=3, index_dir=index_dir, encoder=encoder)
            assert hits and all(len(h.text) == h.end - h.start for h in hits)
            answered += 1
            if answered == 1:
                print("ready", flush=True)
            if generation not in generations:
                generations.append(generation)
                print(f"generation {generation}", flush=True)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(repr(exc))
    print(f"answered {answered} errors {len(errors)} generations {len(generations)}", flush=True)
    for e in errors[:5]:
        print(e, flush=True)
