from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT.parent / "shared" / "gold"   # visible gold, when the shared folder is beside us


@pytest.fixture(scope="session")
def rules():
    from pipeline.rules import load_rules
    return load_rules()


@pytest.fixture(scope="session")
def segmenter(rules):
    from pipeline.segment import Segmenter
    return Segmenter.load(user_words=rules["segment"]["user_dict"])


def seed_pages() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


def gold_files() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.json"))]


@pytest.fixture(scope="session")
def reference_segmenter(rules):
    """spacy-pkuseg itself, with the same model and user dictionary: what the compiled
    segmenter must reproduce word for word."""
    from pipeline.segment import Segmenter
    return Segmenter.load(user_words=rules["segment"]["user_dict"], engine="spacy-pkuseg")


@pytest.fixture(scope="session")
def ctx():
    """The pipeline's Context with the shipped rules and model, built once."""
    from pipeline.run import Context
    return Context.create()


@pytest.fixture(scope="session")
def out(tmp_path_factory):
    """The seeds run through the command line, as a user runs them (tokens included)."""
    import subprocess
    import sys
    out = tmp_path_factory.mktemp("out")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", str(SEEDS), "--out", str(out), "--tokens",
                           "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "5 documents (5 processed, 0 unchanged, 0 failed, 0 warnings)" in proc.stderr
    return out


def cli(*args, cwd=ROOT, **kw):
    """`python -m pipeline ARGS` (from the project root unless cwd), as a finished process:
    return code, stdout and stderr as text."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, **kw)


def run_cli(*args) -> str:
    """`python -m pipeline ARGS` from the project root; its stdout, after checking it succeeded."""
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
