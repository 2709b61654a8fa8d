"""Measures: areas, lengths, capacities and outputs, counts of households, people and jobs
(rules/measures.yml), normalised to an SI unit or a count.

    占地12万平方米      -> quantity 120000, unit 平方米, si_value 120000 m2
    22公顷             -> 220000 m2
    1.8万亩            -> 12000000 m2 (1 亩 = 2000/3 m2)
    3500余平方米        -> 3500 m2, qualifier 余
    年产50万吨/年       -> 500000 t/year
    带动500个就业岗位    -> 500 count
Money amounts, dates and percentages are not measures: their units are not in the file.
"""
from __future__ import annotations

import math

import pyarrow as pa

from ..numerals import NumeralError, parse_number
from ..rules import PATTERNS, RULE_IDS, WORDS, compile_patterns, dict_of, mapping, number
from ..rules import string as _string
from ..schemas import ARTICLE_ID, DOC_ID, END, MENTION_ID, SENTENCE_ID, START, f, table_spec
from .base import ArticleContext, Extractor, Mention, Sentence
from .matching import find_all

MEASURES_TABLE = table_spec("measures", "quantities with a unit: areas, lengths, capacities, outputs, counts "
                            "(MEASURE rows of mentions)", [
    MENTION_ID, DOC_ID, ARTICLE_ID, SENTENCE_ID, START, END,
    f("text", pa.string(), "norm_text[start:end]", False),
    f("quantity", pa.float64(), "the number in the unit as written, scale applied (12万平方米 -> 120000)", False),
    f("unit", pa.string(), "the unit as written: 平方米, 亩, 公里, 吨/年, 户", False),
    f("si_value", pa.float64(), "the quantity in si_unit (1.8万亩 -> 12000000)", False),
    f("si_unit", pa.string(), "m2 | m | kW | t | t/year | count", False),
    f("qualifier", pa.string(), "约, 余, 近, 以上 … as written"),
    f("rule", pa.string(), "id of the pattern in rules/measures.yml", False),
], ("mention_id",))

UNIT = mapping({"si_unit": _string(), "factor": number, "divisor": number}, required=("si_unit", "factor"))


class Measures(Extractor):
    """Quantities with a unit (areas, lengths, capacities, outputs, counts) in SI units."""
    name = "measures"
    rules_file = "measures.yml"
    rules_spec = mapping({
        "lexicons": mapping({
            "unit": dict_of(UNIT), "count_unit": dict_of(UNIT), "scale": dict_of(number),
            "qualifier_before": WORDS, "qualifier_after": WORDS, "approx": WORDS, "unit_not_before": WORDS,
        }, required=("unit", "count_unit", "scale", "qualifier_before", "qualifier_after", "approx",
                     "unit_not_before")),
        "patterns": PATTERNS,
        "limits": mapping({"max_quantity": number}),
        "rule_ids": RULE_IDS,
    }, required=("lexicons", "patterns"))
    pattern_values = ("quantity",)
    pattern_groups = {"quantity": ("num", "unit")}
    table = MEASURES_TABLE
    labels = ("MEASURE",)

    def __init__(self, rules, options=None):
        super().__init__(rules, options)
        self.lex = rules["measures"]["lexicons"]
        self.units = {**self.lex["unit"], **self.lex["count_unit"]}
        self.patterns = compile_patterns(rules["measures"])
        self.max_quantity = float(rules["measures"].get("limits", {}).get("max_quantity", 1e15))

    def find(self, sentence: Sentence, ctx: ArticleContext) -> list[Mention]:
        out = []
        for mt in find_all(self.patterns, sentence.text):
            g = {k: v for k, v in mt.m.groupdict().items() if v is not None}
            try:
                quantity = float(parse_number(g["num"]))
                if g.get("scale"):
                    quantity *= float(self.lex["scale"][g["scale"]])
            except (NumeralError, ValueError, KeyError, OverflowError):
                continue
            if not math.isfinite(quantity) or quantity > self.max_quantity:
                ctx.doc.warnings.append(f"{mt.text[:40]!r} is beyond {self.max_quantity:g} and is not stored "
                                        f"as a measure")
                continue
            spec = self.units[g["unit"]]
            si_value = quantity * spec["factor"] / spec.get("divisor", 1)
            out.append(sentence.mention(
                mt.start, mt.end, "MEASURE", mt.pattern.id, self.name, quantity=round(quantity, 6),
                unit=g["unit"], si_value=round(si_value, 6), si_unit=spec["si_unit"],
                qualifier=g.get("qb") or g.get("approx") or g.get("qa")))
        return out


EXTRACTOR = Measures
