"""Aliases: the shorter forms a page gives a name that it also writes in full.

A page names a place, a body or a person in full and shortens the name elsewhere: 常州 for
常州市, 宁杭高速 for 宁杭高速公路, 齐市 for 齐齐哈尔市, 远航电器 for 远航电器集团, 恒信集团 for
常州恒信集团, 区委 for 东城区委, 区妇联 for 区妇女联合会, 华宇康泰公司 for 华宇康泰(河南)养老
服务有限公司, 安南 for 科菲·安南. Within one
document and one label, a name that is such a short form of exactly one longer name there is
an alias of it, and the document's named entity is the longer name (`entities` table). A
short form that fits two longer names (区委 beside 东城区委 and 西城区委) stays a name of its
own: the page does not say which it means.

The word lists are `alias_*` lexicons of rules/ner.yml (the organs' short forms are those of
rules/orgs.yml, which the records spell out the same way); a name counts as a place for the
organisation rule when the gazetteers know it or the page names it as a place.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import regex

from ..fragments import NAME_DOT

# a company's own name before its legal form, at least this long (安阳公司 names no one company)
MIN_BRAND_CHARS = 3


@dataclass(frozen=True)
class AliasRules:
    place_unit: tuple[str, ...]      # 南京 + 市: the unit a place's name drops
    road_form: tuple[str, ...]       # endings one road is written with, the full one first (高速公路, 高速路, 高速)
    initial_unit: tuple[str, ...]    # 齐 + 市 for 齐齐哈尔市: a city by its first character
    org_form: tuple[str, ...]        # 远航电器 + 集团: a company's legal form
    is_place: Callable[[str], bool]  # a name of the gazetteers (places of the world included)
    abbreviations: tuple[tuple[str, str], ...] = ()   # 妇联 -> 妇女联合会 (rules/orgs.yml), longest first

    @classmethod
    def from_lexicons(cls, lex: dict, is_place: Callable[[str], bool],
                      abbreviations: dict[str, str] | None = None) -> "AliasRules":
        return cls(tuple(lex["alias_place_unit"]), tuple(lex["alias_road_form"]), tuple(lex["alias_initial_unit"]),
                   tuple(lex["alias_org_form"]), is_place,
                   tuple(sorted((abbreviations or {}).items(), key=lambda kv: (-len(kv[0]), kv[0]))))

    def full_names(self, label: str, names: Iterable[str], places: set[str]) -> dict[str, tuple[str, str]]:
        """alias -> (the full name it shortens, the rule id) for `names`, the distinct names of
        one label in one document; `places`: the document's place names."""
        finder = {"LOC": self._place_full, "ORG": self._org_full, "PERSON": self._person_full}.get(label)
        if finder is None:
            return {}
        page = _Page(self, list(dict.fromkeys(names)), places)
        direct: dict[str, tuple[str, str]] = {}
        for short in page.names:
            picked = pick({(full, rule) for full in page.candidates(short) if full != short
                           for rule in [finder(short, full, page)] if rule})
            if picked is not None:
                direct[short] = picked
        # an alias of an alias is an alias of the full name (市住建委 -> 北京市住建委); every
        # step goes to a longer or better name, so the chain ends
        out = {}
        for short, (full, rule) in direct.items():
            seen = {short}
            while full in direct and full not in seen:
                seen.add(full)
                full = direct[full][0]
            out[short] = (full, rule)
        return out

    # ---- one rule per kind of name: the rule id, or None ----------------------------------
    def _place_full(self, short: str, full: str, page: "_Page") -> str | None:
        if full.startswith(short) and full[len(short):] in self.place_unit:
            return "ner.alias_place_unit"
        road = self._road_key(short)
        if road is not None and road == self._road_key(full) and self._road_rank(full) < self._road_rank(short) \
                and self._road_rank(full) == page.best_road_rank[road]:
            return "ner.alias_road_form"   # to the fullest form the page writes
        if len(short) == 2 and short[1:] in self.initial_unit and len(full) >= 3 and full[0] == short[0] \
                and full.endswith(short[1:]):
            return "ner.alias_initial"
        return None

    def _org_full(self, short: str, full: str, page: "_Page") -> str | None:
        if full.startswith(short) and full[len(short):] in self.org_form:
            return "ner.alias_org_form"
        brand = page.brand[short]
        # (a name that holds the short one whole is a part of that body: X公司 and X公司河南分公司)
        if brand and full.startswith(brand) and not full.startswith(short) \
                and len(full) > len(short) and full.endswith(self.org_form) and not self._place(brand, page.places):
            return "ner.alias_brand"   # 华宇康泰公司 for 华宇康泰(河南)养老服务有限公司
        # organs compared spelled out (市政府 = 市人民政府, 妇联 = 妇女联合会)
        short_s, full_s = page.spelled[short], page.spelled[full]
        if short_s == full_s and len(short) < len(full):
            return "ner.alias_abbreviation"   # 东城区妇联 for 东城区妇女联合会
        if full_s.endswith(short_s) and len(full_s) > len(short_s):
            head = full_s[:len(full_s) - len(short_s)]
            # 常州|恒信集团; 北京|市住建委 and 东城|区委, whose place is 北京市, 东城区
            if any(self._place(p, page.places) for p in (head, head + short_s[0])):
                return "ner.alias_place_prefix"
        return None

    def _brand(self, name: str) -> str:
        """A company's own name before its legal form (华宇康泰|公司), or ""."""
        form = next((f for f in self._org_forms_longest_first if name.endswith(f)), None)
        brand = name[:len(name) - len(form)] if form else ""
        return brand if len(brand) >= MIN_BRAND_CHARS else ""

    def _spelled(self, name: str) -> str:
        """The name with an organ's short form at its end spelled out (rules/orgs.yml)."""
        for abbr, spelled in self.abbreviations:
            if name.endswith(abbr) and not name.endswith(spelled):
                return name[:len(name) - len(abbr)] + spelled
        return name

    def _person_full(self, short: str, full: str, page: "_Page") -> str | None:
        if full.endswith(short) and regex.search(f"{NAME_DOT}$", full[:len(full) - len(short)]):
            return "ner.alias_dotted"   # 安南 for 科菲·安南
        return None

    # ---- helpers --------------------------------------------------------------------------
    def _place(self, name: str, places: set[str]) -> bool:
        return len(name) >= 2 and (name in places or self.is_place(name)
                                   or (name.endswith(self.place_unit) and len(name) >= 3))

    def _road_form(self, name: str) -> str | None:
        return next((f for f in self._road_forms_longest_first if name.endswith(f) and len(name) > len(f)), None)

    @property
    def _org_forms_longest_first(self) -> tuple[str, ...]:
        return tuple(sorted(self.org_form, key=len, reverse=True))

    @property
    def _road_forms_longest_first(self) -> tuple[str, ...]:
        return tuple(sorted(self.road_form, key=len, reverse=True))

    def _road_key(self, name: str) -> str | None:
        form = self._road_form(name)
        return None if form is None else name[:-len(form)]

    def _road_rank(self, name: str) -> int:
        return self.road_form.index(self._road_form(name))


def pick(found: set[tuple[str, str]]) -> tuple[str, str] | None:
    """The one full name (and rule) among the longer names a short form fits, or None when it
    fits two. A name that goes on from another found one is a part of that body, no second
    candidate (华宇康泰养老服务有限公司 and …有限公司河南分公司)."""
    fulls = {full for full, _ in found}
    found = {(full, rule) for full, rule in found if not any(full != f and full.startswith(f) for f in fulls)}
    return min(found) if len({full for full, _ in found}) == 1 else None


class _Page:
    """The names of one label on one page, indexed so that each name meets only the names it
    could shorten (a page may name thousands): those starting with it or with its road's
    stem, those ending with it spelled out, and the cities sharing its first character."""

    def __init__(self, rules: AliasRules, names: list[str], places: set[str]):
        self.names = names
        self.places = places
        self.spelled = {n: rules._spelled(n) for n in names}
        self.by_prefix: dict[str, list[str]] = defaultdict(list)
        self.by_suffix: dict[str, list[str]] = defaultdict(list)
        self.by_initial: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.best_road_rank: dict[str, int] = {}
        self.road_key = {n: rules._road_key(n) for n in names}
        self.brand = {n: rules._brand(n) for n in names}
        for n in names:
            for k in range(1, len(n) + 1):
                self.by_prefix[n[:k]].append(n)
            for text in {n, self.spelled[n]}:
                for k in range(len(text)):
                    self.by_suffix[text[k:]].append(n)
            for unit in rules.initial_unit:
                if n.endswith(unit):
                    self.by_initial[(n[0], unit)].append(n)
            key = self.road_key[n]
            if key is not None:
                rank = rules._road_rank(n)
                self.best_road_rank[key] = min(rank, self.best_road_rank.get(key, rank))

    def candidates(self, short: str) -> set[str]:
        found = set(self.by_prefix.get(short, ())) | set(self.by_suffix.get(short, ()))
        found.update(self.by_suffix.get(self.spelled[short], ()))
        if self.road_key[short]:
            found.update(self.by_prefix.get(self.road_key[short], ()))
        if len(short) == 2:
            found.update(self.by_initial.get((short[0], short[1:]), ()))
        brand = self.brand[short]
        if brand:
            found.update(self.by_prefix.get(brand, ()))
        return found
