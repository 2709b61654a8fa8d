"""Parallel workers and incremental runs give the same tables as a plain run."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd

from pipeline.bench import corpus_pages
from pipeline.run import SMALL_INPUT_DOCS
from pipeline.schemas import TABLES

from .conftest import ROOT, SEEDS, cli

NAMES = tuple(n for n in TABLES if n != "tokens")


def run_cli(*args):
    """`python -m pipeline run ARGS --quiet`: its stderr (the summary line), after checking it succeeded."""
    proc = cli("run", *args, "--quiet")
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def same_tables(a, b):
    return all((a / f"{n}.parquet").read_bytes() == (b / f"{n}.parquet").read_bytes() for n in NAMES)


def test_two_workers_write_the_same_tables_as_one(tmp_path):
    pages = tmp_path / "pages"      # more pages than a run keeps in one process
    pages.mkdir()
    for name, text in corpus_pages(SEEDS, 0.2):
        (pages / name).write_text(text, encoding="utf-8")
    assert len(list(pages.iterdir())) > SMALL_INPUT_DOCS
    assert "one process" in run_cli(pages, "--out", tmp_path / "one", "--workers", "1")
    assert "2 workers" in run_cli(pages, "--out", tmp_path / "two", "--workers", "2")
    assert same_tables(tmp_path / "one", tmp_path / "two")


def test_a_small_input_runs_in_one_process_whatever_the_workers(tmp_path):
    assert "one process" in run_cli(SEEDS, "--out", tmp_path / "out", "--workers", "2")


def test_incremental_runs(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(SEEDS, pages)
    out = tmp_path / "out"
    assert "(5 processed, 0 unchanged" in run_cli(pages, "--out", out, "--workers", "1")
    fresh = tmp_path / "fresh"
    shutil.copytree(out, fresh)
    # nothing changed: nothing is processed, the tables stay byte-identical
    assert "(0 processed, 5 unchanged" in run_cli(pages, "--out", out, "--workers", "1")
    assert same_tables(out, fresh)
    # one page edited, one removed: only the edited one is processed, the removed one is gone
    edited = sorted(pages.glob("*.txt"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n本报讯（记者 张伟）3月5日，区委召开会议。\n", encoding="utf-8")
    removed = sorted(pages.glob("*.txt"))[1]
    removed.unlink()
    assert "4 documents (1 processed, 3 unchanged" in run_cli(pages, "--out", out, "--workers", "1")
    docs = pd.read_parquet(out / "documents.parquet")
    assert removed.name not in " ".join(docs["source"])
    ents = pd.read_parquet(out / "mentions.parquet")
    assert set(ents["doc_id"]) <= set(docs["doc_id"])
    # the same as a full run on the same pages
    full = tmp_path / "full"
    run_cli(pages, "--out", full, "--workers", "1", "--force")
    assert same_tables(out, full)
    # --force processes everything again
    assert "(4 processed, 0 unchanged" in run_cli(pages, "--out", out, "--workers", "1", "--force")


def test_changed_rules_process_everything_again(tmp_path):
    out = tmp_path / "out"
    run_cli(SEEDS, "--out", out, "--workers", "1")
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with open(rules / "segment.yml", "a", encoding="utf-8") as fh:
        fh.write("  - 新增词语\n")
    assert "(5 processed, 0 unchanged" in run_cli(SEEDS, "--out", out, "--rules", rules, "--workers", "1")


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dask_cluster_writes_the_same_tables_as_a_local_run(tmp_path):
    """A real `dask scheduler` and two `dask worker` processes on 127.0.0.1."""
    import os
    import signal
    import time

    from pathlib import Path
    dask = str(Path(sys.executable).parent / "dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0",
                               "--no-show"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(3)
        for _ in range(2):
            procs.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1",
                 "--nworkers", "1", "--host", "127.0.0.1", "--dashboard-address", ":0", "--no-nanny"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(3)
        assert "(5 processed, 0 unchanged" in run_cli(SEEDS, "--out", tmp_path / "dask", "--scheduler", address)
        # incremental on the cluster too: nothing changed, nothing processed, same rows
        assert "(0 processed, 5 unchanged" in run_cli(SEEDS, "--out", tmp_path / "dask", "--scheduler", address)
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    run_cli(SEEDS, "--out", tmp_path / "local", "--workers", "1")
    for name in NAMES:
        pk = list(TABLES[name].primary_key)
        local = pd.read_parquet(tmp_path / "local" / f"{name}.parquet").sort_values(pk).reset_index(drop=True)
        dist = pd.read_parquet(tmp_path / "dask" / name).sort_values(pk).reset_index(drop=True)
        pd.testing.assert_frame_equal(local, dist, check_dtype=False)
    assert len(list((tmp_path / "dask" / "documents").glob("part-*.parquet"))) >= 1


def test_chunks_cover_the_input_in_order_and_shrink_at_the_end():
    from pipeline.run import chunks

    for n in (0, 1, 7, 8, 9, 33, 100):
        for size, workers in ((8, 1), (8, 2), (3, 4), (1, 2)):
            got = list(chunks(range(n), size, workers))
            assert [x for c in got for x in c] == list(range(n))
            assert all(1 <= len(c) <= size for c in got)
    tail = [len(c) for c in chunks(range(100), 8, 2)][-4:]
    assert tail == sorted(tail, reverse=True) and tail[-1] < 8


def test_where_the_platform_cannot_fork_workers_are_spawned_with_the_same_tables(tmp_path, monkeypatch):
    from pipeline import run as run_module

    pages = tmp_path / "pages"
    pages.mkdir()
    for name, text in corpus_pages(SEEDS, 0.15):
        (pages / name).write_text(text, encoding="utf-8")
    ctx = run_module.Context.from_config(run_module.Config())
    one = run_module.run(pages, tmp_path / "one", ctx, progress=False, workers=1)
    asked = []
    get_context = run_module.multiprocessing.get_context
    monkeypatch.setattr(run_module.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(run_module.multiprocessing, "get_context", lambda m=None: asked.append(m) or get_context(m))
    two = run_module.run(pages, tmp_path / "two", ctx, progress=False, workers=2)
    assert one.workers == 1 and two.workers == 2 and "spawn" in asked
    assert same_tables(tmp_path / "one", tmp_path / "two")
