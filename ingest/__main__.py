"""``python -m ingest``: the same as ``pressroom ingest`` (see ``pressroom ingest --help``)."""

import sys

from pressroom.cli import main

sys.exit(main(["ingest", *sys.argv[1:]], prog="python -m ingest"))
