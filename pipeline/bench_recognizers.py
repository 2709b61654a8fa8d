"""Benchmark the date, money and numeral code on Microsoft Recognizers-Text's Chinese cases
(MIT licence; converted to JSONL in shared/bench/). Prints figures; asserts nothing.

Those cases were written for a general assistant, not for news. Dates are scored on the
categories that fit newspaper text (absolute, range, relative, holiday_lunar, negative);
cases tagged with any other category (time_of_day, duration, recurring, fuzzy, open_range)
are left out and counted. A span counts when it matches exactly, or, in the "overlap"
figures, when it overlaps an expected span. Values are compared where the case gives a full
ISO date and we resolve the mention to one day.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path

from .extract.dates import DateExtractor, extract_dates
from .extract.money import MoneyExtractor
from .normalize import normalize
from .numerals import NumeralError, parse_number
from .rules import load_rules

NEWS_DATE_CATEGORIES = {"absolute", "range", "relative", "holiday_lunar", "negative"}


def _prf(tp: int, n_pred: int, n_gold: int) -> str:
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P={p:.3f} R={r:.3f} F1={f:.3f} (tp={tp}, pred={n_pred}, gold={n_gold})"


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _spans_score(pred: list[tuple[int, int]], gold: list[tuple[int, int]]) -> tuple[int, int]:
    exact = len(set(pred) & set(gold))
    overlap = sum(1 for g in gold if any(p[0] < g[1] and g[0] < p[1] for p in pred))
    return exact, overlap


def bench_dates(path: Path, extractor: DateExtractor) -> list[str]:
    rows = _read(path)
    kept = [r for r in rows if set(r["categories"]) <= NEWS_DATE_CATEGORIES]
    left_out = Counter(c for r in rows if r not in kept for c in r["categories"] if c not in NEWS_DATE_CATEGORIES)
    per_cat: dict[str, Counter] = defaultdict(Counter)
    total = Counter()
    value_ok = value_n = 0
    for r in kept:
        text = normalize(r["text"]).text
        if text != r["text"]:  # offsets must stay comparable: use the raw text as given
            text = r["text"]
        ref = dt.date.fromisoformat(r["reference_date"]) if r.get("reference_date") else dt.date(2017, 3, 22)
        mentions = extract_dates(extractor, text, ref)
        pred = [(m.start, m.end) for m in mentions]
        gold = [(e["start"], e["end"]) for e in r["expected"]]
        exact, overlap = _spans_score(pred, gold)
        c = Counter(tp=exact, overlap=overlap, pred=len(pred), gold=len(gold), cases=1)
        for cat in r["categories"]:
            per_cat[cat] += c
        total += c
        for e in r["expected"]:
            v = e.get("value")
            if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[:4].isdigit():
                value_n += 1
                got = [m for m in mentions if (m.start, m.end) == (e["start"], e["end"]) and m.grain == "day"]
                if got and got[0].start_date and got[0].start_date.isoformat() == v:
                    value_ok += 1
    out = [f"dates: {len(kept)} of {len(rows)} cases fit news text",
           f"  exact spans    {_prf(total['tp'], total['pred'], total['gold'])}",
           f"  overlap spans  {_prf(total['overlap'], total['pred'], total['gold'])}",
           f"  values (full ISO dates given, resolved to that day): {value_ok}/{value_n}"]
    for cat in sorted(per_cat):
        c = per_cat[cat]
        out.append(f"  {cat:14s} cases={c['cases']:4d} exact {_prf(c['tp'], c['pred'], c['gold'])}")
    out.append("  left out (categories that do not fit news text): "
               + ", ".join(f"{k} {v}" for k, v in left_out.most_common()))
    return out


def bench_money(path: Path, extractor: MoneyExtractor) -> list[str]:
    rows = _read(path)
    tp = n_pred = n_gold = value_ok = value_n = 0
    for r in rows:
        text = normalize(r["text"]).text if "\n" not in r["text"] else r["text"]
        text = r["text"] if len(text) != len(r["text"]) else text  # keep offsets comparable
        found = extractor.find(text)
        pred = {(m.start, m.end): m for m in found}
        gold = [e for e in r["expected"]]
        n_pred += len(pred)
        n_gold += len(gold)
        for e in gold:
            m = pred.get((e["start"], e["end"]))
            if m is None:
                continue
            tp += 1
            num = (e.get("value") or {}).get("number")
            if num is not None:
                value_n += 1
                iso = (e.get("value") or {}).get("iso")
                if m.amount is not None and abs(m.amount - float(num)) < 1e-6 * max(1.0, abs(float(num))) \
                        and (iso is None or iso == m.currency):
                    value_ok += 1
    return [f"money: {len(rows)} cases",
            f"  exact spans  {_prf(tp, n_pred, n_gold)}",
            f"  values (number and currency) right on {value_ok}/{value_n} matched spans that give one"]


def bench_numbers(path: Path) -> list[str]:
    rows = _read(path)
    ok = n = 0
    fails = []
    for r in rows:
        for e in r["expected"]:
            num = (e.get("value") or {}).get("number")
            if num is None:
                continue
            n += 1
            try:
                got = parse_number(e["text"])
                if abs(float(got) - float(num)) < 1e-9 * max(1.0, abs(float(num))):
                    ok += 1
                    continue
            except (NumeralError, ValueError):
                got = None
            fails.append(f"{e['text']}={num} (got {got})")
    return [f"numerals: parse_number right on {ok}/{n} expected numeral strings",
            "  e.g. not parsed: " + "; ".join(fails[:8])]


def main(bench_dir: Path, rules_dir: Path | None = None) -> int:
    rules = load_rules(rules_dir)
    lines = []
    lines += bench_dates(bench_dir / "dates_recognizers.jsonl", DateExtractor(rules["dates"]))
    lines += bench_money(bench_dir / "money_recognizers.jsonl", MoneyExtractor(rules["money"]))
    lines += bench_numbers(bench_dir / "numbers_recognizers.jsonl")
    print("\n".join(lines))
    return 0
