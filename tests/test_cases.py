"""Tests as data: tests/cases/{extractor}.yml holds cases for each registered extractor, and
this one parametrised test checks them all, each case named after its file and line.

A case is a text (taken as one sentence of one article, as People's Daily sentences are),
optionally its pub_date (or the file's), and `expect`: the exact list of what the extractor
gives, in text order, each item the columns to check of a row of the extractor's table (or
of the mentions table, for an extractor without one: text and label). `[]` is a negative
case. A file may say `null_unless_given: [columns]`: those must be empty unless a case
gives them. A new extractor needs only its own cases file.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.extract.registry import extractor_classes
from pipeline.rules import load_file

CASES = Path(__file__).parent / "cases"


def _cases():
    for cls in extractor_classes():
        path = CASES / f"{cls.name}.yml"
        if not path.exists():
            continue
        data, lines = load_file(path)
        for i, case in enumerate(data["cases"]):
            yield pytest.param(cls.name, case, data, id=f"{path.name}:{lines.at(f'cases[{i}]')}")


def _as_date(v):
    return v if isinstance(v, dt.date) or v is None else dt.date.fromisoformat(str(v))


def test_every_extractor_that_finds_mentions_has_cases():
    missing = [c.name for c in extractor_classes() if c.labels and not (CASES / f"{c.name}.yml").exists()]
    assert not missing, f"no tests/cases/<name>.yml for {missing}"


@pytest.mark.parametrize("name, case, data", list(_cases()))
def test_case(ctx, name, case, data):
    from pipeline.run import extract_text
    extractor = ctx.extraction.by_name[name]
    pub = _as_date(case.get("pub_date", data.get("pub_date")))
    rows = extract_text(ctx, case["text"], pub)
    if extractor.table is not None:
        got = rows[extractor.table.name]
    else:
        got = [r for r in rows["mentions"] if r["label"] in extractor.labels]
    want = case["expect"]
    keys = [k for w in want for k in w] or ["text"]
    shown = [{k: g.get(k) for k in dict.fromkeys(keys)} for g in got]
    assert len(got) == len(want), f"got {shown}"
    for g, w in zip(got, want):
        for key, value in w.items():
            assert g[key] == value, (key, g)
        for key in data.get("null_unless_given", []):
            if key not in w:
                assert g[key] is None, (key, g)
        if "start" in g and "text" in g:
            assert case["text"][g["start"]:g["end"]] == g["text"]
