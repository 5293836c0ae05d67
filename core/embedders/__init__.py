"""Embedders: text to vectors, behind one Protocol."""

from core.embedders.base import Embedder

__all__ = ["Embedder"]
