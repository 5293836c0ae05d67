"""Embedders: text to vectors, behind one Protocol."""

from sophia.core.embedders.base import Embedder

__all__ = ["Embedder"]
