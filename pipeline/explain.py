"""`python -m pipeline explain TEXT`: every mention the extractors find in a snippet, with
the rule that found it, so that users can debug the rules they add."""
from __future__ import annotations

import datetime as dt

from .mentions import Sentence, extract_document
from .normalize import normalize
from .run import Context
from .segment import split_sentences


def explain(ctx: Context, raw: str, pub_date: dt.date | None) -> list[str]:
    norm = normalize(raw)
    text = norm.text
    spans = [s for p in norm.paragraphs for s in split_sentences(text, p.start, p.end)]
    docs = list(ctx.segmenter.docs([text[s:e] for s, e in spans]))
    sentences = [Sentence(f"x-s{i:04d}", "x-a000", s, e, text[s:e],
                          sorted({t.idx for t in d} | {t.idx + len(t.text) for t in d}))
                 for i, ((s, e), d) in enumerate(zip(spans, docs))]
    rows = extract_document("x", text, sentences, pub_date, pub_date.year if pub_date else None, ctx.extractors)
    values: dict[str, str] = {}
    for r in rows.dates:
        values[r["entity_id"]] = f"{r['start_date']}..{r['end_date']} grain={r['grain']} anchor={r['anchor']}"
    for r in rows.money:
        parts = [f"amount={r['amount']}", r["currency"]]
        parts += [f"{k}={r[k]}" for k in ("low", "high", "qualifier", "per") if r[k] is not None]
        values[r["entity_id"]] = " ".join(parts)
    for r in rows.projects:
        parts = [f"{k}={r[k]}" for k in ("investment", "area_text", "status", "location") if r[k] is not None]
        values[r["project_id"]] = " ".join(parts)
    lines = [f"normalised: {text}"]
    lines += [f"words: {' | '.join(t.text for d in docs for t in d)}"]
    for e in rows.entities:
        v = values.get(e["entity_id"], "")
        lines.append(f"{e['label']:8s} [{e['start']:>4},{e['end']:>4}) {e['text']:<16} "
                     f"rule={e['rule']} source={e['source']} {v}".rstrip())
    for o in rows.officials:
        lines.append(f"OFFICIAL person={o['person']} title={o['title']} org={o['org']} "
                     f"title_span={o['title_span']} rule={o['rule']}")
    return lines
