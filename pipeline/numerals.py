"""Numerals shared by every extractor: Arabic, Chinese and mixed forms to numbers.

    parse_number("32,580")      -> 32580
    parse_number("3.2万")       -> 32000
    parse_number("一百二十万")   -> 1200000
    parse_number("三亿五千万")   -> 350000000
    parse_number("二〇二三")     -> 2023        (digit by digit, as years are written)
    parse_number("113")         -> 113

`NUMBER` is a regex fragment matching any of these forms, for use inside rules.
"""
from __future__ import annotations

import regex

from .fragments import ARABIC, CHINESE, CN_DIGIT, CN_UNIT, NUMBER  # noqa: F401  (the numerals' regexes)

DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2,
          "兩": 2, "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6,
          "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}


_ARABIC_RE = regex.compile(rf"^{ARABIC}$")
_MIXED_RE = regex.compile(rf"^({ARABIC})([{CN_UNIT}]+)$")


class NumeralError(ValueError):
    pass


def _chinese_below_10k(s: str, implied: int = 1) -> int:
    """Positional numeral below 10,000. A last digit straight after a unit counts in the next
    unit down, as spoken: 四百五 = 450, 两千四百五 = 2450 (but 四百零五 = 405); `implied`
    is the unit of a lone digit (一万五: the 五 counts in thousands)."""
    total, digit = 0, None
    for ch in s:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch.isdigit():
            digit = int(ch)
        elif ch in SMALL_UNITS:
            total += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit = None
        else:
            raise NumeralError(f"not a Chinese numeral: {s!r}")
    if digit:
        prev = s[-2] if len(s) >= 2 else None
        if prev is None:
            unit = implied
        elif prev in SMALL_UNITS:
            unit = max(SMALL_UNITS[prev] // 10, 1)
        else:
            unit = 1
        total += digit * unit
    return total


def parse_chinese(s: str) -> int:
    """Chinese numeral to int: positional ("一百二十万") or digit by digit ("二〇二三")."""
    if not s:
        raise NumeralError("empty numeral")
    if all(ch in DIGITS for ch in s):
        if len(s) == 1:
            return DIGITS[s]
        return int("".join(str(DIGITS[ch]) for ch in s))  # 二〇二三 -> 2023
    total = 0
    rest = s
    last_big = None
    # split at 亿 then 万: 三亿五千万 -> 3 * 1e8 + 5000 * 1e4
    for unit_chars, unit in (("亿億", 100_000_000), ("万萬", 10_000)):
        for unit_char in unit_chars:
            if unit_char in rest:
                head, rest = rest.split(unit_char, 1)
                total += (parse_chinese(head) if head else 1) * unit
                last_big = unit
    if rest:
        # 一万五 = 15000: a lone digit after 万 counts in thousands
        total += _chinese_below_10k(rest, implied=last_big // 10 if last_big and len(rest) == 1 else 1)
    return total


def parse_number(s: str) -> float | int:
    """Parse Arabic, Chinese or mixed numerals. Raises NumeralError when it cannot."""
    s = regex.sub(r"\s+", "", s).replace("，", ",")
    if not s:
        raise NumeralError("empty numeral")
    if s[0] in "负-−" and len(s) > 1:
        return -parse_number(s[1:])
    s = regex.sub(r"(?<=[\d十百千万亿萬億])[余多]", "", s)   # 十余万 -> 十万 (the qualifier is kept elsewhere)
    if "点" in s and not s.startswith("点"):
        whole, _, frac = s.partition("点")
        if frac and all(ch in DIGITS or ch.isdigit() for ch in frac):
            base = parse_number(whole) if whole else 0
            digits = "".join(str(DIGITS[ch]) if ch in DIGITS else ch for ch in frac)
            return base + int(digits) / 10 ** len(digits)
    if _ARABIC_RE.match(s):
        v = float(s.replace(",", ""))
        return int(v) if v.is_integer() and "." not in s else v
    m = _MIXED_RE.match(s)
    if m:
        base = float(m.group(1).replace(",", ""))
        mult = 1
        for ch in m.group(2):
            if ch in BIG_UNITS:
                mult *= BIG_UNITS[ch]
            elif ch in SMALL_UNITS:
                mult *= SMALL_UNITS[ch]
        v = base * mult
        return int(round(v)) if abs(v - round(v)) < 1e-6 else v
    return parse_chinese(s)


def parse_int(s: str | None) -> int | None:
    """parse_number(s) as an int, or None when s is None or no number ("十二" -> 12)."""
    if s is None:
        return None
    try:
        return int(parse_number(s.strip()))
    except (NumeralError, ValueError):
        return None
