"""Puts the repository root on ``sys.path`` for a benchmark run as a script.

Run as ``python benchmarks/quality.py``, a script has this folder as ``sys.path[0]``. Its
helpers are imported as ``benchmarks.*`` instead, so this folder is replaced by the
repository root: no helper module can then shadow an installed package. A script imports
this module by its bare name, before any ``benchmarks.*`` import, when it is not itself
imported as part of the ``benchmarks`` package::

    if not __package__:  # run as a script
        import _repo_path  # noqa: F401
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["HERE", "REPO"]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path[0] = str(REPO)
elif str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
