"""Parallel workers and incremental runs give the same tables as a plain run."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd

from .conftest import ROOT, SEEDS

NAMES = ("documents", "articles", "sentences", "entities", "dates", "money", "officials", "projects", "errors")


def run_cli(*args):
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", *map(str, args), "--quiet"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def same_tables(a, b):
    return all((a / f"{n}.parquet").read_bytes() == (b / f"{n}.parquet").read_bytes() for n in NAMES)


def test_two_workers_write_the_same_tables_as_one(tmp_path):
    run_cli(SEEDS, "--out", tmp_path / "one", "--workers", "1")
    run_cli(SEEDS, "--out", tmp_path / "two", "--workers", "2")
    assert same_tables(tmp_path / "one", tmp_path / "two")


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
    ents = pd.read_parquet(out / "entities.parquet")
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
