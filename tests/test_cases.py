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
