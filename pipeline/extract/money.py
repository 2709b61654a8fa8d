"""Money: find amounts with rules/money.yml and normalise them to numbers.

    总投资约8亿元      -> amount 800000000.0, currency CNY, qualifier 约
    3000余万元        -> 30000000.0, qualifier 余
    每人每月950元      -> 950.0, per 每人每月
    3万至5万元        -> low 30000.0, high 50000.0 (amount left empty)
    6万、8万和10万元   -> three amounts: the unit is shared along the list
    上亿元            -> 100000000.0, qualifier 上
Amounts are in the stated currency's main unit (yuan for 元, dollars for 美元).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pyarrow as pa
import regex

from ..fragments import CN_BIG_UNIT
from ..numerals import NumeralError, parse_number
from ..rules import PATTERNS, RULE_IDS, WORDS, compile_patterns, dict_of, lexicon_alternation, mapping, number
from ..rules import string as _string
from ..schemas import ARTICLE_ID, DOC_ID, END, MENTION_ID, SENTENCE_ID, START, f, table_spec
from .base import ArticleContext, Extractor, Mention, Sentence

# the big units a number ends with (5亿, 三千万)
BIG_UNIT_END = regex.compile(rf"[{CN_BIG_UNIT}]+$")
from .matching import find_all


@dataclass
class MoneyMention:
    start: int
    end: int
    text: str
    rule: str
    amount: float | None
    currency: str
    low: float | None = None
    high: float | None = None
    qualifier: str | None = None
    per: str | None = None


# an amount beyond this (in the currency's main unit) is an OCR slip or a run of digits
DEFAULT_MAX_AMOUNT = 1e16


def _round(v: float | None) -> float | None:
    return None if v is None else round(float(v), 4)


class MoneyExtractor:
    def __init__(self, rules: dict):
        self.lex = rules["lexicons"]
        self.patterns = compile_patterns(rules)
        verbs = lexicon_alternation(self.lex["per_verb"])
        self.per_verb_tail = regex.compile(rf"(?:{verbs})$")
        self.per_word = self.lex["per_word"][0]   # "8元/人" is written as the rate 每人
        self.max_amount = float(rules.get("limits", {}).get("max_amount", DEFAULT_MAX_AMOUNT))

    def _value(self, num: str | None, scale: str | None) -> float | None:
        """The number, scaled; None if it is no number, NaN if it is beyond any amount."""
        if num is None:
            return None
        try:
            v = float(parse_number(num))
            if scale:
                v *= float(self.lex["scale"][scale])
        except (NumeralError, ValueError):
            return None
        except OverflowError:
            return float("nan")
        return v if math.isfinite(v) and abs(v) <= self.max_amount else float("nan")

    def find(self, text: str, warnings: list[str] | None = None) -> list[MoneyMention]:
        """Amounts of text; an amount beyond limits.max_amount (a run of digits, an OCR slip)
        is left out, with a line in warnings when a list is given."""
        out: list[MoneyMention] = []
        for mt in find_all(self.patterns, text):
            g = {k: v for k, v in mt.m.groupdict().items() if v is not None}
            currency = self.lex["currency"].get(g.get("cur", ""), "CNY")
            kind = mt.pattern.value
            qualifier = g.get("qb") or g.get("approx") or g.get("qa")
            per = None
            if g.get("per"):
                per = self.per_verb_tail.sub("", g["per"]) or None
            elif g.get("per_after"):
                per = "".join(self.per_word + u for u in g["per_after"].split("/") if u)
            amount = low = high = None
            if kind == "amount":
                amount = self._value(g.get("num"), g.get("scale"))
            elif kind == "list_item":
                amount = self._value(g.get("num"), g.get("scale") or g.get("lscale"))
            elif kind == "bare_amount":   # 投资85亿: money without 元
                amount = self._value(g.get("num"), g.get("scale"))
            elif kind == "scale_only":
                amount = float(self.lex["scale"][g["scale"]])
            elif kind == "range":
                # 3至5亿元: the first number takes the second's scale when it has none of its own
                num = g.get("num")
                inherited = BIG_UNIT_END.search(g.get("num2") or "")
                if num and inherited and not g.get("scale") and not BIG_UNIT_END.search(num):
                    num += inherited.group(0)
                low = self._value(num, g.get("scale") or g.get("scale2"))
                high = self._value(g.get("num2"), g.get("scale2"))
                if low is None or high is None or low >= high:
                    continue  # "3-2元" is not a range of money
            if amount is None and kind != "range":
                continue
            if any(v is not None and math.isnan(v) for v in (amount, low, high)):
                if warnings is not None:
                    shown = mt.text if len(mt.text) <= 40 else mt.text[:20] + "…" + mt.text[-10:]
                    warnings.append(f"{shown!r} is beyond {self.max_amount:g} and is not stored as an amount")
                continue
            out.append(MoneyMention(mt.start, mt.end, mt.text, mt.pattern.id, _round(amount), currency,
                                    _round(low), _round(high), qualifier, per))
        return out


MONEY_TABLE = table_spec("money", "money mentions normalised to numbers (MONEY rows of mentions)", [
    MENTION_ID, DOC_ID, ARTICLE_ID, SENTENCE_ID, START, END,
    f("text", pa.string(), "norm_text[start:end]", False),
    f("amount", pa.float64(), "the amount in the currency's main unit (8亿元 -> 800000000.0); null for ranges"),
    f("currency", pa.string(), "ISO 4217 code", False),
    f("low", pa.float64(), "lower end of a range"),
    f("high", pa.float64(), "upper end of a range"),
    f("qualifier", pa.string(), "约, 余, 近, 超, 突破, 以上, 不超过, 最高 … as written"),
    f("per", pa.string(), "rate phrase: 每人每月"),
    f("rule", pa.string(), "id of the pattern in rules/money.yml", False),
], ("mention_id",))


class Money(Extractor):
    """Money amounts normalised to a number in the currency's main unit, with qualifiers,
    ranges and per-unit rates."""
    name = "money"
    rules_file = "money.yml"
    rules_spec = mapping({
        "lexicons": mapping({
            "currency": dict_of(_string()), "scale": dict_of(number),
            "qualifier_before": WORDS, "qualifier_after": WORDS, "approx": WORDS,
            "per_unit": WORDS, "per_verb": WORDS, "range_sep": WORDS, "list_sep": WORDS, "per_word": WORDS,
            "investment_verb": WORDS, "not_money_after": WORDS, "bare_scale": WORDS,
        }, required=("currency", "scale", "qualifier_before", "qualifier_after", "approx",
                     "per_unit", "per_verb", "range_sep", "list_sep", "per_word")),
        "patterns": PATTERNS,
        "limits": mapping({"max_amount": number}),
        "rule_ids": RULE_IDS,
    }, required=("lexicons", "patterns"))
    pattern_values = ("amount", "range", "list_item", "scale_only", "bare_amount")
    pattern_groups = {"amount": ("num", "cur"), "range": ("num", "num2", "cur"), "list_item": ("num", "cur"),
                      "scale_only": ("scale", "cur"), "bare_amount": ("num", "scale")}
    table = MONEY_TABLE
    labels = ("MONEY",)

    def __init__(self, rules, options=None):
        super().__init__(rules, options)
        self.money = MoneyExtractor(rules["money"])

    def find(self, sentence: Sentence, ctx: ArticleContext) -> list[Mention]:
        return [sentence.mention(mo.start, mo.end, "MONEY", mo.rule, self.name, amount=mo.amount,
                                 currency=mo.currency, low=mo.low, high=mo.high, qualifier=mo.qualifier, per=mo.per)
                for mo in self.money.find(sentence.text, ctx.doc.warnings)]


EXTRACTOR = Money
