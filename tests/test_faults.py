"""Bad input, killed runs and rules errors: the run goes on, says what went wrong, and never
leaves half-written tables."""
from __future__ import annotations

import itertools
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from pipeline.bench import corpus_pages

from .conftest import ROOT, SEEDS, cli

PAGE = (SEEDS / "000_cd8988bdca57b975.txt").read_text(encoding="utf-8")


run_cli = cli   # a finished process: the tests look at its return code and output


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.split(")")[-1].split()[0] != "Z"


def test_each_kind_of_bad_page_is_an_error_row_and_the_rest_is_processed(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a_good.txt").write_text(PAGE, encoding="utf-8")
    (pages / "b_binary.txt").write_bytes(bytes(range(256)) * 20)
    (pages / "c_empty.txt").write_bytes(b"")
    (pages / "d_undecodable.txt").write_bytes(PAGE.encode("utf-8")[:3000] + b"\xff\xfe\xc3\x28" + PAGE.encode("utf-8")[:600])
    (pages / "e_long_line.txt").write_text("北关区" * 1_700_000, encoding="utf-8")   # 5.1 MB, one line
    (pages / "f_truncated.txt").write_bytes(PAGE.rstrip().encode("utf-8")[:-1])     # cut inside a character
    (pages / "g_control.txt").write_text(PAGE.replace("。", "。\x07\x1b", 5), encoding="utf-8")
    (pages / "h_only_control.txt").write_text("\x07\x1b\x07 \x1b\n" * 50, encoding="utf-8")   # fails in a worker
    for name, text in itertools.islice(corpus_pages(SEEDS, 1), 8):   # pages enough for a pool of workers
        (pages / f"z_{name}").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("run", pages, "--out", out, "--quiet", "--workers", "2")
    assert "2 workers" in proc.stderr
    assert proc.returncode == 1, proc.stderr
    errors = pd.read_parquet(out / "errors.parquet")
    by_file = {Path(s).name: (sev, msg) for s, sev, msg in zip(errors["source"], errors["severity"], errors["message"])}
    for name in ("b_binary.txt", "c_empty.txt", "d_undecodable.txt", "e_long_line.txt", "f_truncated.txt"):
        assert by_file[name][0] == "error", name
        assert f"error: {pages / name}" in proc.stderr, name
    assert "truncated multi-byte" in by_file["f_truncated.txt"][1]
    assert "not a page" in by_file["e_long_line.txt"][1]
    assert by_file["g_control.txt"][0] == "warning" and "control" in by_file["g_control.txt"][1]
    # a stage's error in a worker reaches the parent whole (StageError pickles)
    assert by_file["h_only_control.txt"][0] == "error" and "no text left" in by_file["h_only_control.txt"][1]
    docs = pd.read_parquet(out / "documents.parquet")
    assert sorted(Path(s).name for s in docs["source"] if not Path(s).name.startswith("z_")) == [
        "a_good.txt", "g_control.txt"]
    assert "\x07" not in docs["norm_text"].str.cat()


def test_a_killed_run_leaves_the_previous_tables_and_the_next_run_completes(tmp_path):
    out = tmp_path / "out"
    first = run_cli("run", SEEDS, "--out", out, "--quiet")
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.glob("*.parquet")}
    big = tmp_path / "big"
    big.mkdir()
    for i in range(60):   # enough pages (1.5 M characters) that the run is still working when killed
        for page in SEEDS.glob("*.txt"):
            shutil.copy(page, big / f"{i:02d}_{page.name}")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(big), "--out", str(out), "--quiet",
                             "--workers", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None and not _children(proc.pid):
        time.sleep(0.2)
    time.sleep(4)         # the workers load their models and start on the pages
    assert proc.poll() is None, "the run ended before it could be killed"
    workers = _children(proc.pid)
    assert workers, "the run started no worker processes"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # its worker processes notice and end too
    deadline = time.time() + 15
    while time.time() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.5)
    assert not [p for p in workers if _alive(p)], "workers outlived the killed run"
    assert {p.name: p.read_bytes() for p in out.glob("*.parquet")} == before
    again = run_cli("run", SEEDS, "--out", out, "--quiet")
    assert again.returncode == 0, again.stderr
    assert not list(out.glob(".pipeline-staging-*")) and not (out / ".pipeline.lock").exists()
    assert {p.name: p.read_bytes() for p in out.glob("*.parquet")} == before
