"""`python -m pipeline evaluate` (`make eval`): the quality figures of every issue note, in one
table, from one run: the pipeline on the seeds and on gold-dev (fifteen pages from other
provinces), each scored by the shared scorer against its gold, and the NER on People's
Daily dev, the statistical model alone and corrected by the rules.

gold-dev's pages are clean (a paragraph a line); the pages users have are often copied from
PDF columns. "dev-wrapped" is gold-dev with every body paragraph cut into lines of a narrow
column (13 to 22 characters, by page), scored against the same gold: the layout repair should
give it the figures of gold-dev.

A change that lowers a gold-dev or People's Daily figure needs a reason in its commit.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .paths import PROJECT_ROOT

DEFAULT_SHARED = PROJECT_ROOT.parent / "shared"


def _score_tables(scorer: Path, tables: Path, gold: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, str(scorer), "--tables", str(tables), "--gold", str(gold), "--json"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{scorer} failed on {tables}: {proc.stderr.strip()}")
    return {field: v["f1"] for field, v in json.loads(proc.stdout).items()}


COLUMN_WIDTHS = range(13, 23)


def rewrap(text: str, width: int) -> str:
    """The page as a PDF column gives it: each paragraph after the first line (the headline)
    cut into lines of `width` characters, paragraphs still apart."""
    out = []
    for k, paragraph in enumerate(text.split("\n")):
        if k == 0 or not paragraph.strip():
            out.append(paragraph)
        else:
            out.append("\n".join(paragraph[i:i + width] for i in range(0, len(paragraph), width)))
    return "\n".join(out)


def _rewrapped(texts: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for page in sorted(texts.glob("*.txt")):
        digest = hashlib.sha256(page.name.encode()).digest()
        width = COLUMN_WIDTHS[digest[0] % len(COLUMN_WIDTHS)]
        (folder / page.name).write_text(rewrap(page.read_text(encoding="utf-8"), width), encoding="utf-8")
    return folder


def main(shared: Path = DEFAULT_SHARED, workers: int = 1) -> int:
    from .run import Config, Context, run
    from .score_ner import read_gold, score

    shared = Path(shared)
    scorer = shared / "eval" / "score.py"
    sets = [("seeds", PROJECT_ROOT / "seeds", shared / "gold"),
            ("gold-dev", shared / "gold-dev" / "texts", shared / "gold-dev" / "gold")]
    missing = [str(p) for _, t, g in sets for p in (t, g) if not p.exists()] + \
        ([str(scorer)] if not scorer.exists() else [])
    if missing:
        print("error: not found: " + ", ".join(missing), file=sys.stderr)
        return 2
    ctx = Context.from_config(Config())
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="pipeline-eval-") as tmp:
        dev_texts, dev_gold = sets[1][1], sets[1][2]
        sets.append(("dev-wrapped", _rewrapped(dev_texts, Path(tmp) / "dev-wrapped-texts"), dev_gold))
        for name, texts, gold in sets:
            out = Path(tmp) / name
            if workers > 1:
                run(texts, out, Config(), progress=False, workers=workers)
            else:
                run(texts, out, ctx, progress=False)
            figures[name] = _score_tables(scorer, out, gold)
    fields = list(dict.fromkeys(f for v in figures.values() for f in v))
    width = max(map(len, fields)) + 2
    print(f"{'field (F1)':<{width}}" + "".join(f"{n:>12}" for n, _, _ in sets))
    for f in fields:
        print(f"{f:<{width}}" + "".join(f"{figures[n].get(f, float('nan')):>12.3f}" for n, _, _ in sets))

    pd_dev = shared / "bench" / "ner_peoplesdaily_dev.jsonl"
    if pd_dev.exists():
        gold = read_gold(pd_dev)
        results = {"model": score(Context.from_config(Config(ner_mode="model")), gold), "combined": score(ctx, gold)}
        print(f"\nPeople's Daily dev ({len(gold)} sentences), F1")
        print(f"{'label':<{width}}{'model':>12}{'combined':>12}")
        for label in ("PERSON", "ORG", "LOC", "ALL"):
            print(f"{label:<{width}}" + "".join(f"{results[m][label][2]:>12.3f}" for m in ("model", "combined")))
    return 0
