"""Cited question answering over the index: ``retrieve(question) -> list[Passage]``."""

from .passage import Filters, Passage
from .retrieve import RankSettings, retrieve

__all__ = ["Filters", "Passage", "RankSettings", "retrieve"]
