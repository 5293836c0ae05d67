"""What a data dir keeps, searched for given values: the raw bytes of every file and every
row of every LanceDB table version (for the leak and secrets tests)."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

import lancedb
import pyarrow as pa

__all__ = ["found_on_disk", "lance_text"]


def found_on_disk(data_dir: Path, values: Iterable[str]) -> dict[str, list[str]]:
    """Each value (compared case-insensitively) with the places under `data_dir` it is in:
    the raw bytes of any file (a .gz also decompressed), or any row of any version of any
    LanceDB table (LanceDB compresses long strings, so bytes alone cannot see them)."""
    wanted = {value: value.casefold() for value in values}
    found: dict[str, list[str]] = {value: [] for value in wanted}
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        texts = [raw.decode("utf-8", "replace").casefold()]
        if path.suffix == ".gz":
            texts.append(gzip.decompress(raw).decode("utf-8", "replace").casefold())
        for value, folded in wanted.items():
            if any(folded in text for text in texts):
                found[value].append(str(path.relative_to(data_dir)))
    index = data_dir / "index"
    if index.is_dir():
        for where, text in lance_text(index):
            folded_text = text.casefold()
            for value, folded in wanted.items():
                if folded in folded_text:
                    found[value].append(where)
    return {value: places for value, places in found.items() if places}


def lance_text(index: Path) -> list[tuple[str, str]]:
    """(table@version, every string cell of that version joined) for each table version of
    every index generation (core/stores/generations.py)."""
    texts: list[tuple[str, str]] = []
    for database in [index, *sorted(p for p in index.glob("gen-*") if p.is_dir())]:
        texts.extend(_database_text(database))
    return texts


def _database_text(database: Path) -> list[tuple[str, str]]:
    db = lancedb.connect(database)
    texts: list[tuple[str, str]] = []
    for name in db.list_tables().tables:
        table = db.open_table(name)
        for version in table.list_versions():
            table.checkout(version["version"])
            data = table.to_arrow()
            cells = [
                str(cell)
                for column in data.schema
                if pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
                for cell in data.column(column.name).to_pylist()
                if cell is not None
            ]
            texts.append((f"{name}@v{version['version']}", "\n".join(cells)))
        table.checkout_latest()
    return texts
