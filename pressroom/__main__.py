"""``python -m pressroom``: the ``pressroom`` command."""

import sys

from .cli import main

sys.exit(main())
