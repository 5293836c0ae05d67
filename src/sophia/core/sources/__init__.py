"""Where calls come from: the Gong API or a folder of its JSON."""

from sophia.core.sources.base import CallSource, SourceBatch

__all__ = ["CallSource", "SourceBatch"]
