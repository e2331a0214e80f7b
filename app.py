"""``python app.py``: serve the browser UI, the same as ``pressroom serve``.

The UI itself is the ``ui`` package: ``ui.app`` (layout), ``ui.desk`` (what each action
does, without Gradio), ``ui.render`` and ``ui/style.css`` (the HTML), ``ui.serve``.
"""

import sys

from pressroom.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]], prog="python app.py"))
