"""Tests as data: every case in tests/cases/*.yml is one test, named after its file and line."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.extract.dates import DateExtractor, extract_dates
from pipeline.extract.money import MoneyExtractor
from pipeline.rules import load_file

CASES = Path(__file__).parent / "cases"


def _cases(name: str):
    data, lines = load_file(CASES / name)
    default_pub = data.get("pub_date")
    for i, case in enumerate(data["cases"]):
        line = lines.at(f"cases[{i}]")
        yield pytest.param(case, default_pub, id=f"{name}:{line}")


def _as_date(v):
    return v if isinstance(v, dt.date) or v is None else dt.date.fromisoformat(str(v))


@pytest.fixture(scope="module")
def dates(rules):
    return DateExtractor(rules["dates"])


@pytest.fixture(scope="module")
def money(rules):
    return MoneyExtractor(rules["money"])


@pytest.mark.parametrize("case, default_pub", list(_cases("dates.yml")))
def test_date_case(dates, case, default_pub):
    pub = _as_date(case.get("pub_date", default_pub))
    got = extract_dates(dates, case["text"], pub)
    assert [m.text for m in got] == [e["text"] for e in case["expect"]]
    for m, want in zip(got, case["expect"]):
        assert m.text == case["text"][m.start:m.end]
        assert (m.start_date, m.end_date) == (_as_date(want["start"]), _as_date(want["end"])), m
        for key in ("grain", "anchor"):
            if key in want:
                assert getattr(m, key) == want[key], (key, m)


@pytest.mark.parametrize("case, _", list(_cases("money.yml")))
def test_money_case(money, case, _):
    got = money.find(case["text"])
    assert [m.text for m in got] == [e["text"] for e in case["expect"]]
    for m, want in zip(got, case["expect"]):
        assert m.text == case["text"][m.start:m.end]
        assert m.amount == want["amount"], m
        for key in ("currency", "low", "high", "qualifier", "per"):
            if key in want:
                assert getattr(m, key) == want[key], (key, m)
        if "qualifier" not in want:
            assert m.qualifier is None, m
        if "per" not in want:
            assert m.per is None, m


@pytest.fixture(scope="module")
def officials(rules):
    from pipeline.extract.officials import OfficialExtractor
    return OfficialExtractor(rules["titles"])


@pytest.fixture(scope="module")
def projects(rules):
    from pipeline.extract.projects import ProjectExtractor
    return ProjectExtractor(rules["projects"])


def _bounds(segmenter, text):
    doc = next(segmenter.docs([text]))
    return sorted({t.idx for t in doc} | {t.idx + len(t.text) for t in doc})


@pytest.mark.parametrize("case, _", list(_cases("titles.yml")))
def test_titles_case(officials, segmenter, case, _):
    text = case["text"]
    got = officials.find(text, set(_bounds(segmenter, text)))
    assert [(o.person, o.title) for o in got] == [(e["person"], e["title"]) for e in case["expect"]]
    for o, want in zip(got, case["expect"]):
        assert text[o.person_start:o.person_end] == o.person
        if "org" in want:
            assert o.org == want["org"], o


@pytest.mark.parametrize("case, _", list(_cases("projects.yml")))
def test_projects_case(projects, money, segmenter, case, _):
    from pipeline.extract.projects import Amount
    text = case["text"]
    amounts = [Amount(m.start, m.end, m.amount, m.currency) for m in money.find(text)]
    got = projects.find(text, _bounds(segmenter, text), amounts)
    assert [p.name for p in got] == [e["name"] for e in case["expect"]]
    for p, want in zip(got, case["expect"]):
        assert text[p.start:p.end] == p.name
        for key in ("investment", "status", "area_text"):
            if key in want:
                assert getattr(p, key) == want[key], (key, p)


@pytest.fixture(scope="module")
def extractors(rules):
    from pipeline.extract.dates import DateExtractor
    from pipeline.extract.ner import RuleCorrector, StatisticalNER
    from pipeline.extract.officials import OfficialExtractor
    from pipeline.extract.projects import ProjectExtractor
    from pipeline.mentions import Extractors
    lex = rules["titles"]["lexicons"]
    return Extractors(DateExtractor(rules["dates"]), MoneyExtractor(rules["money"]),
                      OfficialExtractor(rules["titles"]), ProjectExtractor(rules["projects"]),
                      StatisticalNER(), RuleCorrector(rules["ner"], set(lex["surname"]), set(lex["compound_surname"])))


@pytest.mark.parametrize("case, _", list(_cases("ner.yml")))
def test_ner_case(extractors, segmenter, case, _):
    from pipeline.mentions import Sentence, extract_document
    text = case["text"]
    rows = extract_document("d", text, [Sentence("d-s0", "d-a0", 0, len(text), text, _bounds(segmenter, text))],
                            dt.date(2023, 3, 5), 2023, extractors)
    got = [(e["text"], e["label"]) for e in rows.entities if e["label"] in ("PERSON", "ORG", "LOC")]
    assert got == [(e["text"], e["label"]) for e in case["expect"]]
