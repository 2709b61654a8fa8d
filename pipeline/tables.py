"""Write and read the output tables: the one writer every executor's run goes through.

All tables of a run are first written completely into a staging folder inside the output
folder, then moved into place (os.replace / rename: atomic on one file system). A run that
dies before the move leaves the previous tables untouched; the staging folder of a dead run
is removed by the next run.

Two layouts: "file" writes each table as one Parquet file (`out/money.parquet`), its parts
concatenated and sorted by key; "dataset" writes each table as a folder with one part per
chunk of documents (`out/money/part-00000.parquet`), which pandas and Dask read alike.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .schemas import TABLES, concat_tables

STAGING_PREFIX = ".staging-"
LAYOUTS = ("file", "dataset")


def _write(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd")
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def write_tables(out_dir: Path, tables: dict[str, list[pa.Table] | pa.Table],
                 layout: str = "file") -> tuple[list[Path], dict[str, int]]:
    """Write every table (given whole or as parts) to out_dir; (paths written, rows per table)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r} (choose from {', '.join(LAYOUTS)})")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(old, ignore_errors=True)
    staging = out_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    written, counts, staged = [], {}, {}
    try:
        for name, parts in tables.items():
            parts = [parts] if isinstance(parts, pa.Table) else list(parts)
            for p in parts:
                if p.schema != TABLES[name].schema:
                    raise ValueError(f"table {name} does not have its declared schema")
            counts[name] = sum(p.num_rows for p in parts)
            if layout == "file":
                staged[name] = staging / f"{name}.parquet"
                _write(concat_tables(name, parts), staged[name])
            else:
                staged[name] = staging / name
                staged[name].mkdir()
                for i, part in enumerate(parts or [TABLES[name].schema.empty_table()]):
                    _write(part, staged[name] / f"part-{i:05d}.parquet")
        for name, path in staged.items():
            if layout == "file":
                final = out_dir / f"{name}.parquet"
                os.replace(path, final)
            else:
                final = out_dir / name
                single = out_dir / f"{name}.parquet"
                if single.exists():
                    single.unlink()  # a single file would shadow the dataset
                if final.exists():
                    old = out_dir / f"{STAGING_PREFIX}old-{name}-{uuid.uuid4().hex[:6]}"
                    final.rename(old)
                    path.rename(final)
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    path.rename(final)
            written.append(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written, counts


def read_table(out_dir: Path, name: str) -> pd.DataFrame:
    """A table as a pandas DataFrame, with the declared Arrow types."""
    return pq.read_table(Path(out_dir) / f"{name}.parquet", schema=TABLES[name].schema).to_pandas()
