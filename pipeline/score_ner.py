"""Score the NER stage on any sentence-level NER set (JSONL: text + entities with start,
end, label). Each text runs through the same extraction stage as a page's sentence (dates,
money, officials, projects own their spans; the NER rules correct the model), on the text
as given so that the gold offsets stay valid."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .run import Context, extract_text

GOLD_LABELS = {"PER": "PERSON", "PERSON": "PERSON", "ORG": "ORG", "ORGANIZATION": "ORG",
               "LOC": "LOC", "GPE": "LOC", "LOCATION": "LOC", "FAC": "LOC"}


def read_gold(path: Path) -> list[dict]:
    rows = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            text = rec["text"]
            ents = [(int(e["start"]), int(e["end"]), GOLD_LABELS.get(str(e["label"]).upper()))
                    for e in rec.get("entities", [])]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{lineno}: {exc}") from None
        rows.append({"text": text, "entities": [e for e in ents if e[2]]})
    return rows


def predict(ctx: Context, text: str) -> list[tuple[int, int, str]]:
    rows = extract_text(ctx, text)
    return [(m["start"], m["end"], m["label"]) for m in rows["mentions"] if m["label"] in ("PERSON", "ORG", "LOC")]


def score(ctx: Context, gold: list[dict]) -> dict[str, tuple[float, float, float, int, int, int]]:
    tp, npred, ngold = Counter(), Counter(), Counter()
    for rec in gold:
        pred = set(predict(ctx, rec["text"]))
        want = set(rec["entities"])
        for lab in ("PERSON", "ORG", "LOC"):
            p = {x for x in pred if x[2] == lab}
            g = {x for x in want if x[2] == lab}
            tp[lab] += len(p & g)
            npred[lab] += len(p)
            ngold[lab] += len(g)
    out = {}
    for lab in ("PERSON", "ORG", "LOC", "ALL"):
        t = sum(tp.values()) if lab == "ALL" else tp[lab]
        n_p = sum(npred.values()) if lab == "ALL" else npred[lab]
        n_g = sum(ngold.values()) if lab == "ALL" else ngold[lab]
        p = t / n_p if n_p else 0.0
        r = t / n_g if n_g else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[lab] = (p, r, f, t, n_p, n_g)
    return out


def main(gold_path: Path, mode: str, rules_dir: Path | None, model_dir: Path | None) -> int:
    gold = read_gold(gold_path)
    modes = ("model", "combined") if mode == "both" else (mode,)
    for m in modes:
        ctx = Context.create(rules_dir, model_dir, ner_mode=m)
        res = score(ctx, gold)
        print(f"{m} ({len(gold)} texts)")
        for lab, (p, r, f, t, n_p, n_g) in res.items():
            print(f"  {lab:7s} P={p:.3f} R={r:.3f} F1={f:.3f}  (tp={t}, pred={n_p}, gold={n_g})")
    return 0
