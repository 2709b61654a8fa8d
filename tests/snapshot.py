"""Content digests of a run's tables, to show that a refactor leaves the tables as they were.

    python -m tests.snapshot OUT_DIR              # print each table's digest
    python -m tests.snapshot OUT_DIR --diff OTHER  # rows that differ between two runs
    python -m tests.snapshot --update              # run the seeds and the bench corpus, store

A digest covers every row and column (rows sorted) except `rules_version` and `reuse_key`,
hashes of the rules files' bytes and of the pipeline's version (they change with any comment), `source`, the input path as given, and the
ids (`mention_id`, `entity_id`, `first_mention_id`, `project_id`: numbers in text order over
every label, which a new extractor's mentions shift). Mentions of labels the snapshot does not know, and tables it
does not hold, are left out: a new extractor adds them and changes nothing else. tests/data/snapshots.json
holds the digests of the seeds and the bench corpus; tests/test_snapshot.py compares them.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq

IGNORED = {"rules_version", "reuse_key", "source", "mention_id", "entity_id", "first_mention_id", "project_id"}
SNAPSHOTS = Path(__file__).parent / "data" / "snapshots.json"
CORPUS_MB = 0.3


def run_all(work: Path, known: dict | None = None) -> dict[str, dict]:
    """Digests of the seeds' tables (with tokens) and of a bench corpus built from them."""
    import subprocess

    from pipeline.bench import build_corpus
    from pipeline.paths import PROJECT_ROOT

    seeds = PROJECT_ROOT / "seeds"
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    build_corpus(corpus, CORPUS_MB, seeds)
    got = {}
    for key, src, extra in (("seeds --tokens", seeds, ["--tokens"]), (f"bench corpus {CORPUS_MB} MB", corpus, [])):
        out = work / key.split()[0]
        proc = subprocess.run([sys.executable, "-m", "pipeline", "run", str(src), "--out", str(out), "--quiet",
                               "--force", "--workers", "2", *extra], cwd=PROJECT_ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr)
        got[key] = digests(out, (known or {}).get(key, {}).get("labels"))
    return got


def _rows(path: Path, labels: set[str] | None = None) -> list[str]:
    t = pq.read_table(path)
    cols = [c for c in t.column_names if c not in IGNORED]
    rows = t.select(cols).to_pylist()
    if labels is not None and "label" in cols:
        rows = [r for r in rows if r["label"] in labels]
    return sorted(json.dumps(r, ensure_ascii=False, sort_keys=True, default=str) for r in rows)


def labels_of(out_dir: Path) -> list[str]:
    return sorted(set(pq.read_table(Path(out_dir) / "mentions.parquet", columns=["label"])["label"].to_pylist()))


def digests(out_dir: Path, labels: list[str] | None = None) -> dict:
    """{"labels": mention labels, "tables": {table: digest}}; with labels, only those mentions."""
    labels = labels or labels_of(out_dir)
    tables = {path.stem: hashlib.sha256("\n".join(_rows(path, set(labels))).encode()).hexdigest()[:16]
              for path in sorted(Path(out_dir).glob("*.parquet"))}
    return {"labels": labels, "tables": tables}


def diff(a: Path, b: Path, limit: int = 5) -> list[str]:
    lines = []
    for path in sorted(Path(a).glob("*.parquet")):
        other = Path(b) / path.name
        if not other.exists():
            lines.append(f"{path.stem}: only in {a}")
            continue
        ra, rb = set(_rows(path)), set(_rows(other))
        if ra != rb:
            lines.append(f"{path.stem}: {len(ra - rb)} rows only in {a}, {len(rb - ra)} only in {b}")
            lines += [f"  - {r[:300]}" for r in sorted(ra - rb)[:limit]]
            lines += [f"  + {r[:300]}" for r in sorted(rb - ra)[:limit]]
    return lines


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path, nargs="?")
    ap.add_argument("--diff", type=Path)
    ap.add_argument("--update", action="store_true", help=f"rewrite {SNAPSHOTS.name} from a run of this code")
    args = ap.parse_args()
    if args.update:
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            SNAPSHOTS.write_text(json.dumps(run_all(Path(tmp)), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {SNAPSHOTS}")
        sys.exit(0)
    if args.diff:
        found = diff(args.out, args.diff)
        print("\n".join(found) or "same rows")
        sys.exit(1 if found else 0)
    print(json.dumps(digests(args.out), indent=1))
