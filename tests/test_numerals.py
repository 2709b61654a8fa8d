from __future__ import annotations

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from pipeline.numerals import NUMBER, NumeralError, parse_number


@pytest.mark.parametrize("text, value", [
    ("113", 113), ("32,580", 32580), ("3.5", 3.5), ("0.54", 0.54),
    ("3.2万", 32000), ("1.2万亿", 1_200_000_000_000), ("8亿", 800_000_000), ("50万", 500_000),
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("一百", 100), ("一百零五", 105),
    ("一百二十万", 1_200_000), ("三亿五千万", 350_000_000), ("两千", 2000), ("两万", 20000),
    ("二〇二三", 2023), ("一九六九", 1969), ("一万零五百", 10500),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "万x"])
def test_not_a_number(text):
    with pytest.raises(NumeralError):
        parse_number(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_round_trip(n):
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n


def test_number_regex_matches_whole_forms():
    pat = regex.compile(rf"^{NUMBER}$")
    for s in ("3.2万", "32,580", "一百二十万", "二〇二三", "113"):
        assert pat.match(s), s
