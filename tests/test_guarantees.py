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
