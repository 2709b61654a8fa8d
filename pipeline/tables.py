"""Write and read the output tables.

All tables of a run are first written completely into a staging folder inside the output
folder, then moved into place with os.replace (atomic on one file system). A run that dies
before the move leaves the previous tables untouched; the staging folder of a dead run is
removed by the next run.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .schemas import TABLES

STAGING_PREFIX = ".staging-"


def write_tables(out_dir: Path, tables: dict[str, pa.Table]) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(old, ignore_errors=True)
    staging = out_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    written = []
    try:
        for name, table in tables.items():
            if table.schema != TABLES[name].schema:
                raise ValueError(f"table {name} does not have its declared schema")
            path = staging / f"{name}.parquet"
            pq.write_table(table, path, compression="zstd")
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        for name in tables:
            final = out_dir / f"{name}.parquet"
            os.replace(staging / f"{name}.parquet", final)
            written.append(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def read_table(out_dir: Path, name: str) -> pd.DataFrame:
    """A table as a pandas DataFrame, with the declared Arrow types."""
    return pq.read_table(Path(out_dir) / f"{name}.parquet", schema=TABLES[name].schema).to_pandas()
