"""Run the pipeline on a Dask cluster: `run --scheduler ADDRESS`, or `run --engine dask` for a
LocalCluster on this machine.

`DaskExecutor` is one more executor of run.py: the client reads the inputs and cuts them,
in input order, into chunks; each Dask task runs the same `process_chunk` as a local run,
with a Context that its worker thread builds once (models loaded once per worker), and
returns the chunk's Arrow tables. The run writes every table as a Parquet dataset, a folder
with one part per chunk (`out/documents/part-00000.parquet` …), which pandas
(`pd.read_parquet("out/documents")`) and Dask (`dd.read_parquet`) both read. Rows are the
same as a local run's; only their split into files differs.
"""
from __future__ import annotations

import threading
import time

from .run import ChunkResult, Config, Context, Executor, in_order, process_chunk

# A Context serves one thread (its models keep per-call buffers and a cache): a `dask
# worker` started with several threads builds one per thread.
_CONTEXTS = threading.local()


def _context(config: Config) -> tuple[Context, float]:
    """This worker thread's Context for this configuration, built on first use, and when it
    was ready."""
    contexts = getattr(_CONTEXTS, "by_config", None)
    if contexts is None:
        contexts = _CONTEXTS.by_config = {}
    if config not in contexts:
        contexts[config] = (Context.from_config(config), time.time())
    return contexts[config]


def dask_chunk(docs: list, config: Config) -> ChunkResult:
    ctx, ready_at = _context(config)
    return process_chunk(docs, ctx, ready_at)


class DaskExecutor(Executor):
    """Chunks as Dask tasks, on the cluster at `scheduler` or on a LocalCluster of
    `workers` single-threaded processes; a few chunks in flight per worker."""
    layout = "dataset"

    def __init__(self, config: Config, scheduler: str | None = None, workers: int = 2):
        self.config = config
        self.scheduler = scheduler
        self.workers = workers
        self.client = self.cluster = None

    def _connect(self):
        from dask.distributed import Client, LocalCluster
        if self.scheduler:
            self.client = Client(self.scheduler)
        else:
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)

    def map(self, chunk_lists):
        from dask.distributed import wait
        it = iter(chunk_lists)
        first = next(it, None)
        if first is None:   # nothing new to process: no cluster to start
            return
        self._connect()
        if self.scheduler:
            self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

        def submit(chunk):
            return self.client.submit(dask_chunk, chunk, self.config, pure=False)

        def chained():
            yield first
            yield from it
        yield from in_order(chained(), submit, lambda fs: wait(fs, return_when="FIRST_COMPLETED").done,
                            2 * self.workers)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None


__all__ = ["DaskExecutor", "dask_chunk"]
