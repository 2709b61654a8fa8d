"""What the pipeline guarantees on hostile and careless input (README, "What the pipeline
guarantees"): nothing executed, nothing lost, nothing hangs, no silent damage."""
from __future__ import annotations

import math
import subprocess
import sys

import pandas as pd

from .conftest import ROOT


def run_cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, **kw)


def test_an_amount_beyond_any_budget_is_a_warning_row_never_inf(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "digits.txt").write_text("项目投资" + "1" * 400 + "元。另有一笔资金8亿元。\n", encoding="utf-8")
    (pages / "numerals.txt").write_text("投资" + "一" * 400 + "元。\n", encoding="utf-8")
    proc = run_cli("run", pages, "--out", tmp_path / "out", "--quiet", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    money = pd.read_parquet(tmp_path / "out" / "money.parquet")
    assert money["amount"].tolist() == [800000000.0]
    assert all(math.isfinite(v) for v in money["amount"])
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert sorted(errors["severity"]) == ["warning", "warning"]
    assert set(errors["stage"]) == {"extract"} and errors["message"].str.contains("not stored as an amount").all()
    assert "warning: " in proc.stderr and "2 warnings" in proc.stderr


def test_a_page_over_the_time_budget_is_an_error_row_and_the_run_goes_on(tmp_path):
    """A user's pattern that backtracks catastrophically (check-rules would refuse it; a run
    does not probe) stalls one page only: the page budget ends it."""
    import shutil

    from pipeline.paths import DEFAULT_RULES_DIR
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    with open(rules / "dates.yml", "a", encoding="utf-8") as fh:
        fh.write("  - id: date.slow\n    regex: (?P<relday>(?:今|今)+天)\n    value: relative_day\n"
                 "    examples: [今天]\n")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a_stall.txt").write_text("会议" + "今" * 60 + "日召开。\n", encoding="utf-8")
    (pages / "b_fine.txt").write_text("区委书记李富生出席会议，总投资8亿元。\n", encoding="utf-8")
    proc = run_cli("run", pages, "--out", tmp_path / "out", "--rules", rules, "--quiet", "--workers", "1",
                   "--page-budget", "2", timeout=120)
    assert proc.returncode == 1, proc.stderr
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    [row] = errors[errors["severity"] == "error"].to_dict("records")
    assert row["source"].endswith("a_stall.txt") and "page budget" in row["message"]
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert [s.rsplit("/", 1)[-1] for s in docs["source"]] == ["b_fine.txt"]


def test_a_page_on_one_line_is_processed_and_long_sentences_are_cut_with_a_warning(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    sentence = "区委书记李富生出席会议并讲话，总投资8亿元。"
    (pages / "one_line.txt").write_text(sentence * 20_000, encoding="utf-8")      # 440,000 characters
    (pages / "unpunctuated.txt").write_text("新建道路" + "和绿化" * 2_000 + "。\n", encoding="utf-8")
    proc = run_cli("run", pages, "--out", tmp_path / "out", "--quiet", "--workers", "1", timeout=600)
    assert proc.returncode == 0, proc.stderr
    sents = pd.read_parquet(tmp_path / "out" / "sentences.parquet")
    assert sents["text"].str.len().max() <= 500
    assert len(sents) >= 20_000
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    [warning] = errors.to_dict("records")
    assert warning["source"].endswith("unpunctuated.txt") and warning["stage"] == "segment"
    assert "longer than 500 characters cut" in warning["message"]


def test_work_per_page_grows_linearly_on_adversarial_pages(ctx):
    """Time ratios between sizes in one run (4x the page may take at most 6x the time):
    runs of digits and numerals, repeated titles, one long unpunctuated sentence."""
    import time

    from pipeline.ingest import document_from_text
    from pipeline.run import process_document

    def seconds(text):
        t0 = time.perf_counter()
        process_document(document_from_text(text), ctx)
        return time.perf_counter() - t0

    for unit in ("1", "一", "1、", "区委书记李富生、", "和绿化", "12月3日至"):
        small = min(seconds("投资" + unit * (4_000 // len(unit)) + "元") for _ in range(2))
        big = min(seconds("投资" + unit * (16_000 // len(unit)) + "元") for _ in range(2))
        assert big < 6 * small + 0.05, (unit, small, big)
