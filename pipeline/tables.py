"""The output folder: the one writer of the tables, and what a run may touch in `--out`.

Guarantees (README, "What the pipeline guarantees"):
- Tables are written completely into a staging folder inside `--out`, then moved into place
  (os.replace / rename: atomic on one file system). A run that dies before the move leaves
  the previous tables as they were.
- `.pipeline-tables.json`, written last (atomically), lists the tables of the last complete
  run with their files' sizes. While tables are being moved it says `"complete": false`, so a
  run that died between two moves leaves a folder whose tables the next run does not reuse.
- The pipeline replaces only what it wrote: a path it is about to replace must be listed in
  that file (or be a Parquet file or dataset with this pipeline's schema metadata, for
  folders written before the file existed). Anything else stops the run before any work
  (OutputError, exit 2). Staging folders of dead runs are removed only when they carry the
  pipeline's mark.
- `.pipeline.lock` keeps a second run out of the folder (OutputError naming the running one);
  the lock of a process that is gone is taken over.

Two layouts: "file" writes each table as one Parquet file (`out/money.parquet`), its parts
concatenated and sorted by key; "dataset" writes each table as a folder with one part per
chunk of documents (`out/money/part-00000.parquet`), which pandas and Dask read alike.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schemas import SCHEMA_VERSION, TABLES, concat_tables

MANIFEST = ".pipeline-tables.json"
LOCK = ".pipeline.lock"
STAGING_PREFIX = ".pipeline-staging-"
STAGING_MARK = ".pipeline-staging"      # a file in every staging folder: this pipeline made it
LAYOUTS = ("file", "dataset")


class OutputError(Exception):
    """--out cannot be used (not a folder, not writable, another run in it, a path that is not
    ours): found before any work."""


class WriteError(OutputError):
    """The tables could not be written after the work (disk full, permissions changed); the
    previous tables were not lost."""


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd")
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _ours(path: Path) -> bool:
    """A Parquet file, or a folder of Parquet parts, that carries this pipeline's table metadata."""
    files = [path] if path.is_file() else sorted(path.glob("*")) if path.is_dir() else []
    if not files:
        return path.is_dir()   # an empty folder holds nothing to lose
    for f in files:
        try:
            meta = pq.read_schema(f).metadata or {}
        except Exception:
            return False
        if b"table" not in meta or b"schema_version" not in meta:
            return False
    return True


class OutputFolder:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock_token: str | None = None
        self._manifest: dict | None = None   # read once; every write replaces it

    # ---- the manifest of the last run ------------------------------------------------------
    def manifest(self) -> dict:
        if self._manifest is None:
            try:
                data = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
                self._manifest = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._manifest = {}
        return self._manifest

    def _write_manifest(self, data: dict) -> None:
        tmp = self.path / f"{MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
        _fsync_write(tmp, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
        os.replace(tmp, self.path / MANIFEST)
        self._manifest = data

    def owned(self) -> set[str]:
        """Paths (relative to the folder) this pipeline wrote."""
        return set(self.manifest().get("owned", []))

    # ---- before any work -----------------------------------------------------------------
    def check(self, names: list[str], layout: str) -> None:
        """Raise OutputError unless the tables can be written here without touching what is
        not ours."""
        if layout not in LAYOUTS:
            raise OutputError(f"unknown layout {layout!r} (choose from {', '.join(LAYOUTS)})")
        if self.path.exists() and not self.path.is_dir():
            raise OutputError(f"--out {self.path} is a file, not a folder")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"--out {self.path} cannot be created: {exc.strerror or exc}") from None
        if not os.access(self.path, os.W_OK | os.X_OK):
            raise OutputError(f"--out {self.path} is not writable")
        owned = self.owned()
        for name in names:
            for rel in (f"{name}.parquet", name):
                target = self.path / rel
                if (target.exists() or target.is_symlink()) and rel not in owned and not _ours(target):
                    raise OutputError(f"{target} exists and was not written by this pipeline: it would be "
                                      f"replaced; move it, or choose another --out")

    @contextlib.contextmanager
    def locked(self):
        """Hold the folder's lock for the duration (a second run stops with OutputError)."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock = self.path / LOCK
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": dt.datetime.now().isoformat(timespec="seconds"),
              "token": uuid.uuid4().hex}
        for _ in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder(lock)
                if holder is not None:
                    raise OutputError(f"another run (pid {holder.get('pid')} on {holder.get('host')}, started "
                                      f"{holder.get('started')}) is writing to {self.path}; wait for it to end, or "
                                      f"remove {lock} if that process is gone") from None
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()   # the lock of a process that is gone: take it over
                continue
            except OSError as exc:
                raise OutputError(f"--out {self.path}: cannot create {LOCK}: {exc.strerror or exc}") from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(me, fh)
            break
        else:
            raise OutputError(f"--out {self.path}: could not take the lock {lock}")
        self._lock_token = me["token"]
        self._manifest = None   # read again now that no other run can write it
        try:
            self._remove_dead_staging()
            yield self
        finally:
            with contextlib.suppress(OSError, ValueError):
                if json.loads(lock.read_text(encoding="utf-8")).get("token") == me["token"]:
                    lock.unlink()
            self._lock_token = None

    @staticmethod
    def _holder(lock: Path) -> dict | None:
        """Who holds the lock, if that process is alive (None: a stale lock)."""
        try:
            holder = json.loads(lock.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None     # unreadable or half-written by a killed run
        if holder.get("host") != socket.gethostname():
            return holder   # another machine: cannot tell whether it is alive
        try:
            os.kill(int(holder.get("pid", 0)), 0)
        except ProcessLookupError:
            return None
        except (PermissionError, ValueError, TypeError, OverflowError):
            return holder
        return holder

    def _remove_dead_staging(self) -> None:
        for folder in self.path.glob(STAGING_PREFIX + "*"):
            if folder.is_dir() and (folder / STAGING_MARK).is_file():
                shutil.rmtree(folder, ignore_errors=True)

    # ---- reuse in an incremental run -----------------------------------------------------
    def table_path(self, name: str) -> Path | None:
        entry = self.manifest().get("tables", {}).get(name)
        if not entry:
            return None
        return self.path / (f"{name}.parquet" if entry.get("layout") == "file" else name)

    def unusable(self, names: list[str]) -> str | None:
        """Why the tables of the last run cannot be reused (None: every one of them checks)."""
        m = self.manifest()
        if not m:
            return f"no {MANIFEST} in {self.path}" if any(self.path.glob("*.parquet")) else "no earlier tables"
        if not m.get("complete"):
            return "the last run stopped while moving its tables into place"
        if m.get("schema_version") != SCHEMA_VERSION:
            return f"the tables were written with schema version {m.get('schema_version')}"
        tables = m.get("tables", {})
        for name in names:
            entry = tables.get(name)
            if entry is None:
                return f"the last run wrote no {name} table"
            for part in entry.get("parts", []):
                f = self.path / part["path"]
                try:
                    if f.stat().st_size != part["bytes"]:
                        return f"{f} is not the file the last run wrote (size differs)"
                    schema = pq.read_schema(f)
                except (OSError, pa.ArrowInvalid) as exc:
                    return f"{f} cannot be read ({exc.__class__.__name__})"
                if not schema.equals(TABLES[name].schema, check_metadata=False):
                    return f"{f} does not have the {name} table's columns"
        return None

    def read_columns(self, name: str, columns: list[str]) -> pa.Table:
        return pq.read_table(self.table_path(name), columns=columns)

    def old_rows(self, name: str, doc_ids: set[str]) -> pa.Table | None:
        """The rows of these documents in the table of the last run."""
        path = self.table_path(name)
        if not doc_ids or path is None:
            return None
        t = pq.read_table(path, schema=TABLES[name].schema)
        return t.filter(pc.is_in(t["doc_id"], value_set=pa.array(sorted(doc_ids))))

    # ---- writing -------------------------------------------------------------------------
    def write(self, tables: dict[str, list[pa.Table] | pa.Table], layout: str = "file",
              options: dict | None = None) -> tuple[list[Path], dict[str, int]]:
        """Write every table (given whole or as parts); (paths written, rows per table).
        Call check() first and hold the lock."""
        if layout not in LAYOUTS:
            raise OutputError(f"unknown layout {layout!r} (choose from {', '.join(LAYOUTS)})")
        staging = self.path / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
        written: list[Path] = []
        counts: dict[str, int] = {}
        entries: dict[str, dict] = {}
        try:
            staging.mkdir()
            (staging / STAGING_MARK).touch()
            staged: dict[str, Path] = {}
            for name, parts in tables.items():
                parts = [parts] if isinstance(parts, pa.Table) else list(parts)
                for p in parts:
                    if p.schema != TABLES[name].schema:
                        raise ValueError(f"table {name} does not have its declared schema")
                counts[name] = sum(p.num_rows for p in parts)
                if layout == "file":
                    staged[name] = staging / f"{name}.parquet"
                    _write_parquet(concat_tables(name, parts), staged[name])
                    files = [(staged[name], f"{name}.parquet")]
                else:
                    staged[name] = staging / name
                    staged[name].mkdir()
                    files = []
                    for i, part in enumerate(parts or [TABLES[name].schema.empty_table()]):
                        f = staged[name] / f"part-{i:05d}.parquet"
                        _write_parquet(part, f)
                        files.append((f, f"{name}/{f.name}"))
                entries[name] = {"layout": layout, "rows": counts[name],
                                 "parts": [{"path": rel, "bytes": f.stat().st_size} for f, rel in files]}
            # everything is on disk: now move it into place, saying so first
            owned = self.owned() | {f"{n}.parquet" if layout == "file" else n for n in staged}
            previous = self.manifest()
            self._write_manifest({**previous, "complete": False, "owned": sorted(owned)})
            for name, path in staged.items():
                final = self.path / (f"{name}.parquet" if layout == "file" else name)
                if layout == "file":
                    os.replace(path, final)
                else:
                    single = self.path / f"{name}.parquet"
                    if single.exists():
                        single.unlink()   # ours (checked): a single file would shadow the dataset
                    if final.exists():
                        old = staging / f"old-{name}"
                        final.rename(old)
                    path.rename(final)
                written.append(final)
            self._write_manifest({
                "tool": "cnnews-pipeline", "schema_version": SCHEMA_VERSION, "complete": True,
                "written_at": dt.datetime.now().isoformat(timespec="seconds"), "owned": sorted(owned),
                "options": options or {}, "tables": entries})
        except OSError as exc:
            raise WriteError(f"the tables could not be written to {self.path}: {exc.strerror or exc}"
                              f"{f' ({exc.filename})' if getattr(exc, 'filename', None) else ''}; the previous "
                              f"tables are as they were" + (" except those already moved" if written else "")) \
                from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return written, counts


def write_tables(out_dir: Path, tables: dict[str, list[pa.Table] | pa.Table],
                 layout: str = "file") -> tuple[list[Path], dict[str, int]]:
    """Write tables to out_dir (checked and locked): for callers outside a run."""
    folder = OutputFolder(out_dir)
    folder.check(list(tables), layout)
    with folder.locked():
        return folder.write(tables, layout)


def read_table(out_dir: Path, name: str) -> pd.DataFrame:
    """A table of the last complete run as a pandas DataFrame, with the declared Arrow types.
    The manifest is read first: a table that is not the one the last complete run wrote (a
    run stopped while moving its tables, a file replaced by hand) raises OutputError."""
    folder = OutputFolder(out_dir)
    why = folder.unusable([name])
    if why is not None:
        raise OutputError(f"{name}: {why}")
    return pq.read_table(folder.table_path(name), schema=TABLES[name].schema).to_pandas()
