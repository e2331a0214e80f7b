"""Queries in a loop from another process while the tests update the index.
``python -m tests.reader_worker INDEX SECONDS`` prints "answered N errors M"; uses the
fake encoder (the point is consistency across processes, not ranking)."""

import sys
import time

from qa import retrieve

from .conftest import FakeEncoder

if __name__ == "__main__":
    index_dir, seconds = sys.argv[1], float(sys.argv[2])
    encoder, answered, errors, generations = FakeEncoder(), 0, [], set()
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            hits = retrieve("imaging trial patients", k=3, index_dir=index_dir, encoder=encoder)
            assert hits and all(len(h.text) == h.end - h.start for h in hits)
            answered += 1
            from index import open_reader

            generations.add(open_reader(index_dir).generation)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(repr(exc))
    print(f"answered {answered} errors {len(errors)} generations {len(generations)}")
    for e in errors[:5]:
        print(e)
