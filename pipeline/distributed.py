"""Run the pipeline on a Dask cluster: `run --scheduler ADDRESS`, or `run --engine dask` for a
LocalCluster on this machine.

The client reads the inputs and cuts them, in input order, into chunks of documents; each
Dask task processes one chunk with a Context that its worker process builds once (models
loaded once per worker) and returns the chunk's rows. The client writes every table as a
Parquet dataset, a folder with one part per chunk (`out/documents/part-00000.parquet` …),
which pandas (`pd.read_parquet("out/documents")`) and Dask (`dd.read_parquet`) both read.
Rows are the same as a local run's; only their split into files differs. Incremental runs
work as locally: unchanged documents keep their rows (in one more part).
"""
from __future__ import annotations

import shutil
import sys
import threading
import time
import uuid
from pathlib import Path

import pyarrow.parquet as pq

from .ingest import IngestError, read_inputs
from .rules import load_rules
from .run import (CHUNK_DOCS, Config, Context, DocumentRows, RunSummary, old_rows, process_documents,
                  reusable_documents)
from .schemas import TABLES, build_table
from .tables import STAGING_PREFIX

# A Context serves one thread (its models keep per-call buffers and a cache): a `dask
# worker` started with several threads builds one per thread.
_CONTEXTS = threading.local()


def _context(config: Config) -> Context:
    """This worker thread's Context for this configuration, built on first use."""
    contexts = getattr(_CONTEXTS, "by_config", None)
    if contexts is None:
        contexts = _CONTEXTS.by_config = {}
    if config not in contexts:
        contexts[config] = Context.from_config(config)
    return contexts[config]


def process_chunk(docs: list, config: Config) -> tuple[DocumentRows, list[dict]]:
    ctx = _context(config)
    rows, errors = DocumentRows(), []
    for doc, got, exc in process_documents(docs, ctx):
        if exc is not None:
            errors.append({"source": doc.source, "source_id": doc.source_id, "stage": exc.stage,
                           "severity": "error", "message": str(exc)})
            continue
        for name in DocumentRows.TABLES:
            getattr(rows, name).extend(getattr(got, name))
    return rows, errors


def _write_datasets(out_dir: Path, parts: list[dict[str, list]], with_tokens: bool) -> list[Path]:
    """One folder per table, one part file per chunk; moved into place when all are written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
    names = [n for n in (*DocumentRows.TABLES, "errors") if n != "tokens" or with_tokens]
    try:
        for name in names:
            folder = staging / name
            folder.mkdir(parents=True)
            for i, part in enumerate(parts):
                pq.write_table(build_table(name, part.get(name, [])), folder / f"part-{i:05d}.parquet",
                               compression="zstd")
        written = []
        for name in names:
            final = out_dir / name
            single = out_dir / f"{name}.parquet"
            if single.exists():
                single.unlink()  # a local run's single file would shadow the dataset
            if final.exists():
                old = out_dir / f"{STAGING_PREFIX}old-{name}-{uuid.uuid4().hex[:6]}"
                final.rename(old)
                (staging / name).rename(final)
                shutil.rmtree(old, ignore_errors=True)
            else:
                (staging / name).rename(final)
            written.append(final)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def run_dask(input_path: Path, out_dir: Path, config: Config, *, scheduler: str | None = None,
             n_workers: int = 2, progress: bool = True, incremental: bool = False) -> RunSummary:
    from dask.distributed import Client, LocalCluster

    t0 = time.perf_counter()
    summary = RunSummary(workers=n_workers)
    errors: list[dict] = []
    reusable = (reusable_documents(out_dir, load_rules(config.rules_dir).version, config.with_tokens)
                if incremental else {})
    docs, seen, reused = [], set(), set()
    for item in read_inputs(input_path):
        if isinstance(item, IngestError):
            errors.append({"source": item.source, "source_id": item.source_id, "stage": "ingest",
                           "severity": "error", "message": item.message})
            print(f"error: {item.source}: {item.message}", file=sys.stderr)
            continue
        if item.doc_id in seen:
            continue
        seen.add(item.doc_id)
        for w in item.warnings:
            errors.append({"source": item.source, "source_id": item.source_id, "stage": "ingest",
                           "severity": "warning", "message": w})
        if reusable.get(item.doc_id) == item.sha256:
            reused.add(item.doc_id)
            continue
        docs.append(item)
    chunks = [docs[i:i + CHUNK_DOCS] for i in range(0, len(docs), CHUNK_DOCS)]

    results = []
    if chunks:   # nothing new to process: no cluster to start
        cluster = None
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        try:
            futures = client.map(process_chunk, chunks, config=config, pure=False)
            results = client.gather(futures)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    parts: list[dict[str, list]] = []
    for rows, chunk_errors in results:
        errors += chunk_errors
        parts.append({name: getattr(rows, name) for name in DocumentRows.TABLES})
        summary.documents += len(rows.documents)
        summary.articles += len(rows.articles)
        summary.sentences += len(rows.sentences)
        summary.tokens += len(rows.tokens)
    for e in errors:
        if e["severity"] == "error" and e["stage"] != "ingest":
            print(f"error: {e['source']}: {e['stage']}: {e['message']}", file=sys.stderr)
    if reused:   # unchanged documents keep their rows, as one more part
        part = {}
        for name in DocumentRows.TABLES:
            old = old_rows(Path(out_dir), name, reused) if name != "tokens" or config.with_tokens else None
            part[name] = old.to_pylist() if old is not None else []
        parts.append(part)
        for name, attr in (("documents", "documents"), ("articles", "articles"), ("sentences", "sentences")):
            setattr(summary, attr, getattr(summary, attr) + len(part[name]))
    if not parts:
        parts = [{}]
    parts[0]["errors"] = errors
    summary.written = _write_datasets(Path(out_dir), parts, config.with_tokens)
    summary.processed = len(docs)
    summary.reused = len(reused)
    summary.chars = sum(len(d.text) for d in docs)
    summary.failed = sum(1 for e in errors if e["severity"] == "error")
    summary.warnings = len(errors) - summary.failed
    summary.seconds = time.perf_counter() - t0
    return summary


__all__ = ["run_dask", "process_chunk", "TABLES"]
