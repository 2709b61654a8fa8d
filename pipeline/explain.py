"""`python -m pipeline explain TEXT`: every mention found in a snippet or a page, with the
rule that found it and what it means, so that users can debug the rules they add.

The text goes through exactly what `run` does with a page (layout repair, articles, the
publication date given or inferred, sentences, words, every extractor, the overlap
policy): what explain shows is what run writes.
"""
from __future__ import annotations

import datetime as dt

from .ingest import document_from_text
from .run import Context, StageError, process_documents

# columns every extractor's table shares: not part of what a mention means
_COMMON = {"mention_id", "doc_id", "article_id", "sentence_id", "start", "end", "text", "rule"}


def explain_rows(ctx: Context, raw: str, pub_date: dt.date | None = None,
                 source: str = "<text>") -> dict[str, list[dict]]:
    """The rows run writes for raw as one page, table by table."""
    doc = document_from_text(raw, source, pub_date)
    (_, rows, error), = process_documents([doc], ctx)
    if error is not None:
        raise error
    return rows


def _values(row: dict, skip: set[str]) -> str:
    return " ".join(f"{k}={v}" for k, v in row.items() if k not in skip and v is not None and v != [])


def explain(ctx: Context, raw: str, pub_date: dt.date | None = None) -> list[str]:
    rows = explain_rows(ctx, raw, pub_date)
    d = rows["documents"][0]
    lines = [f"normalised: {d['norm_text']}",
             f"publication date: {d['pub_date']} ({d['pub_date_basis']}: {d['pub_date_evidence']})"]
    for a in rows["articles"]:
        lines.append(f"article {a['seq']}: {a['kind']} headline={a['headline']}"
                     + "".join(f" {k}={','.join(a[k])}" for k in ("reporters", "correspondents", "photographers") if a[k]))
    text = d["norm_text"]
    sents = rows["sentences"]
    words = [w for s in sents for w in ctx.segmenter.cut(s["text"])]
    lines.append(f"words: {' | '.join(words)}")
    # what each mention means: the other columns of its row in its extractor's table
    values: dict[str, str] = {}
    extra: list[str] = []
    for e in ctx.extraction.extractors:
        if e.table is None:
            continue
        key = e.table.primary_key[0]
        for r in rows[e.table.name]:
            if key in ("mention_id", "project_id"):
                values[r[key]] = _values(r, _COMMON | {key})
            else:   # a table of its own rows (officials: a person and a title per row)
                extra.append(f"{e.table.name.rstrip('s').upper()} {_values(r, _COMMON | {key, 'person_start', 'person_end'})} "
                             f"rule={r['rule']}")
    # a name shortened on the page: the named entity it is an alias of
    full_name = {e["entity_id"]: e["text"] for e in rows["entities"]}
    for m in rows["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
        entity = full_name.get(m["entity_id"])
        alias = f" alias_of={entity}" if entity is not None and entity != m["text"] else ""
        lines.append(f"{m['label']:8s} [{m['start']:>4},{m['end']:>4}) {m['text']:<16} "
                     f"rule={m['rule']} source={m['source']}{alias} {values.get(m['mention_id'], '')}".rstrip())
    return lines + extra


__all__ = ["explain", "explain_rows", "StageError"]
