"""The browser UI: ``ui.app.build_app`` (Gradio layout), ``ui.desk.Desk`` (each action,
without Gradio), ``ui.render`` with ``style.css`` (the HTML), ``ui.uploads`` (saving
uploaded files safely) and ``ui.serve`` (index first, then serve on loopback).

Importing ``ui`` loads nothing heavy; ``ui.app`` and ``ui.serve`` import Gradio.
"""

__all__: list[str] = []
