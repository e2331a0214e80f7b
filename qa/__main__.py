"""``python -m qa``: the same as ``pressroom ask`` (see ``pressroom ask --help``)."""

import sys

from pressroom.cli import main

sys.exit(main(["ask", *sys.argv[1:]], prog="python -m qa"))
