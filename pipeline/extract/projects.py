"""Projects: named investment projects, parks and bases (rules/projects.yml).

A name ends with a suffix word (项目, 产业园, 基地 … and an optional phase: 二期, 3期) and
starts where, going back word by word, a stop word, a number, or clause punctuation is met;
so "深入锦绣新城项目、翠园二期项目" gives 锦绣新城项目 and 翠园二期项目. A name made
only of generic words (重点项目, 企业技术改造项目, 11个项目) is not a project.

Facts are linked within the sentence, as a reader links them:
  investment  an amount after an investment cue (总投资8亿元) in the project's clause,
              in "投资10亿元的X项目", or in a sentence about the project ("该项目总投资…",
              a sentence whose subject is the project or that opens with 项目);
  area        占地/建筑面积 + an area that the measures extractor found (占地近10万平方米:
              area_m2 100000); status: 签约, 开工, 在建, 竣工, 投产 … in the clause.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import regex

from ..fragments import CLAUSE_BREAK, COUNT_WORD_CHARS, DAY_MONTH_OR_YEAR, NUMERIC_WORD_CHARS, OPENING_MONTH_DAY, PHASE, PROJECT_WORD
from ..numerals import parse_int
from ..rules import RULE_IDS, WORDS, dict_of, lexicon_alternation, mapping
from ..rules import string as _string
from ..schemas import ARTICLE_ID, DOC_ID, END, SENTENCE_ID, START, f, table_spec
from .base import ArticleContext, DocumentContext, Extractor, Mention, Sentence

PHASE_AT = regex.compile(rf"^{PHASE}")
PHASE_ONLY = regex.compile(PHASE)
PHASE_END = regex.compile(rf"{PHASE}$")
NUMERIC = regex.compile(rf"^[{NUMERIC_WORD_CHARS}]+$")
PAREN_THEN = regex.compile(r"[（(][^（）()]{1,20}[）)]")
LIST_CLAUSE_BREAK = "，,。；;：:“”!！?？"
NAME_BREAK = set("，,。；;！？!?、：:《》 \n…—")


@dataclass
class Project:
    start: int
    end: int
    name: str
    rule: str
    investment: float | None = None
    investment_text: str | None = None
    currency: str | None = None
    area_text: str | None = None
    area_m2: float | None = None
    status: str | None = None
    location: str | None = None   # filled by the extraction stage from the sentence's places


@dataclass
class Amount:
    """A money mention of the same sentence, as the money extractor found it."""
    start: int
    end: int
    amount: float | None
    currency: str


@dataclass
class Area:
    """An area of the same sentence, as the measures extractor found it."""
    start: int
    end: int
    m2: float


class ProjectExtractor:
    def __init__(self, rules: dict):
        lex = rules["lexicons"]
        self.lex = lex
        self.suffix_re = regex.compile(rf"(?:{lexicon_alternation(lex['suffix'])})")
        self.stop = set(lex["stop"])
        self.tail = set(lex["tail"])
        self.weak = set(lex["weak_suffix"])
        self.cue_re = regex.compile(rf"(?:{lexicon_alternation(lex['project_cue'])})")
        self.generic = set(lex["generic"])
        self.status_re = regex.compile(rf"(?:{lexicon_alternation(lex['status'])})")
        cue = lexicon_alternation(lex["investment_cue"])
        self.invest_cue_re = regex.compile(
            rf"(?:{cue})(?:{lexicon_alternation(lex['investment_cue_tail'])})?(?:{lexicon_alternation(lex['amount_verb'])})?\s*$")
        area_cue = lexicon_alternation(lex["area_cue"])
        # an area is the project's when one of these words comes right before it
        self.area_cue_re = regex.compile(rf"(?:{area_cue})(?:{lexicon_alternation(lex['area_verb'])})?\s*$")
        # after one-character pieces the segmenter split from a word ("泛 在"), a one-character
        # stop word is kept inside the name, except these function words
        self.function_words = set(lex["function_word"])
        self.tail_suffix = tuple(lex["tail_suffix"])
        self.measure_word = set(lex["measure_word"])
        # a number and a measure word right after the head count projects of a kind (…项目17个)
        self.count_after = regex.compile(rf"[{COUNT_WORD_CHARS}]+(?:{lexicon_alternation(lex['measure_word'])})")
        self.anaphor = tuple(lex["anaphor"])
        self.subject_word = tuple(lex["subject_word"])
        self.attributive_re = regex.compile(rf"\s*(?:{lexicon_alternation(lex['attributive'])})")
        self.name_never_starts = set(lex["name_never_starts_pos"])
        self.name_never_ends = set(lex["name_never_ends_pos"])
        self.name_never_holds = set(lex["name_never_holds_pos"])
        self.attributive_words = tuple(lex["attributive"])   # 好的: a word the tagger fused with 的
        self.place_word_end = tuple(lex["place_word_end"])
        self.head_modifies = tuple(lex["head_modifies"])
        self._blocked = bytearray()
        # a count of projects of a kind (6个高速公路项目) and the separators of a list before it
        counted = (rf"(?P<n>[{COUNT_WORD_CHARS}]+)(?:{lexicon_alternation(lex['measure_word'])})"
                   rf"\p{{Han}}{{0,10}}?(?:{lexicon_alternation(lex['tail_suffix'])})")
        self.counted_re = regex.compile(counted)
        self.counted_end_re = regex.compile(counted + "$")   # 三个子项目: a count, not a name
        # 投资10亿元|建设|X: the amount is what building X costs
        self.build_verb_re = regex.compile(rf"\s*(?:{lexicon_alternation(lex['build_verb'])})\s*")
        # 投资5亿元|建设的|X, 投资1.5亿元|、占地80亩的|X: more of X's facts, then 的
        self.facts_then_attributive_re = regex.compile(
            rf"\s*(?:(?:{lexicon_alternation(lex['build_verb'])})|、[^、，,。；;：:]{{1,12}}?)"
            rf"(?:{lexicon_alternation(lex['attributive'])})\s*")
        self.item_separator = set(lex["item_separator"])
        road = rf"[\p{{Han}}\d]{{2,10}}?(?:{lexicon_alternation(lex['road_word'])})"
        sep = lexicon_alternation(lex["item_separator"])
        self.built_roads_re = regex.compile(rf"(?:{lexicon_alternation(lex['building_word'])})"
                                            rf"(?P<roads>{road}(?:(?:{sep}){road})*)")
        self.item_sep_re = regex.compile(sep)
        self.clause_suffix = set(lex["clause_suffix"])
        # 该项目为|集中供热项目: the clause so far is a subject and a copula (and 一个/一项)
        self.classifying_re = regex.compile(rf"(?:{lexicon_alternation(lex['class_subject'])})\s*"
                                            rf"(?:{lexicon_alternation(lex['copula'])})\s*(?:{lexicon_alternation(lex['class_count'])})?\s*$")
        self.said_project_re = regex.compile(rf"(?:{lexicon_alternation(lex['copula'])})[^{CLAUSE_BREAK}]*?"
                                             rf"(?:{lexicon_alternation(lex['tail_suffix'])})")
        self.invest_word_re = regex.compile(rf"(?:{lexicon_alternation(lex['investment_cue'])})")
        self.list_separator_words = set(lex["list_separator"])
        self.built_word = tuple(lex["built_word"])
        self.progress_word = tuple(lex["progress_word"])
        self.demonstrative = set(lex["demonstrative"])
        self.descriptive = tuple(lex["descriptive_word"])
        self.line_re = regex.compile(rf"[{NUMERIC_WORD_CHARS}]+(?:{lexicon_alternation(lex['line_word'])})")
        self.place_conjunction = set(lex["place_conjunction"])
        self.count_class_re = regex.compile(rf"[{COUNT_WORD_CHARS}]+(?:{lexicon_alternation(lex['count_class'])})")
        # "“两路二环”工程": the quoted words are the name, the head says what it is
        self.quoted_name_re = regex.compile(rf"“([^“”]{{2,30}})”(?:{lexicon_alternation(lex['tail_suffix'])})")
        self.list_sep_re = regex.compile(lexicon_alternation(lex["list_separator"]))
        # a numbered road and the section between two places: 国道219线区界至日土段
        self.road_section_re = regex.compile(
            rf"(?:{lexicon_alternation(lex['numbered_road'])})\d+(?:{lexicon_alternation(lex['road_line'])})"
            rf"[\p{{Han}}\d]{{1,12}}?(?:{lexicon_alternation(lex['route_connective'])})[\p{{Han}}\d]{{1,12}}?"
            rf"(?:{lexicon_alternation(lex['section_head'])})")

    def _tokens_back(self, text: str, end: int, bounds: list[int]) -> int:
        """Start of a project name ending at `end`: back over whole tokens until a stop."""
        starts = [b for b in bounds if b < end]
        start = end
        for k in range(len(starts) - 1, -1, -1):
            b = starts[k]
            tok = text[b:start]
            if not tok or any(c in NAME_BREAK for c in tok) or any(self._blocked[b:start]):
                break
            if tok in self.stop and not (start == end and tok in self.tail and text.startswith(self.tail_suffix, end)):
                # a one-character stop between one-character pieces is a word the segmenter
                # split ("泛 在"), not a function word
                prev = text[starts[k - 1]:b] if k > 0 else ""
                if not (len(tok) == 1 and tok not in self.function_words and len(prev) == 1 and prev not in self.stop
                        and not any(c in NAME_BREAK for c in prev) and start != end):
                    break
            if NUMERIC.match(tok) and (text[start:start + 1] in self.measure_word or start == end):
                break
            if OPENING_MONTH_DAY.match(text[b:end]) or DAY_MONTH_OR_YEAR.fullmatch(tok):
                break  # a date is never the start of a name
            start = b
            if end - start > 30:
                break
        return start

    @staticmethod
    def _name_core_end(text: str, suffix_start: int) -> int:
        """Where the words before a suffix end: "宏居商业综合体(服装专业市场)项目" goes back
        from before its bracketed part."""
        head = text[:suffix_start]
        m = regex.search(r"[（(][^（）()]{1,20}[）)]$", head)
        return m.start() if m and m.start() > 0 else suffix_start

    def _is_generic(self, text: str, start: int, name_end: int, bounds: list[int]) -> bool:
        inner = [b for b in bounds if start < b < name_end]
        cuts = [start] + inner + [name_end]
        words = [text[a:b] for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]
        # a phase alone (一期项目, 三期工程) names no project either
        # a place and generic words name no project either (河北省重点项目, 乌鲁木齐市重点工程)
        return PHASE_ONLY.fullmatch(text, start, name_end) is not None or all(
            w in self.generic or NUMERIC.match(w) or regex.fullmatch(r"[“”\"（）()]+", w)
            or len(w) >= 3 and w.endswith(self.place_word_end) for w in words)

    def find(self, text: str, bounds: list[int], amounts: list[Amount] | None = None,
             last_project: "Project | None" = None, areas: list[Area] | None = None,
             words: list[tuple[int, int, str]] | None = None,
             blocked: list[tuple[int, int]] | None = None) -> list[Project]:
        """Projects of one sentence. `bounds`: token start offsets; `amounts`: the sentence's
        money mentions; `areas`: its areas; `last_project`: the article's project named
        before this sentence; `words`: the tagger's words and parts of speech; `blocked`:
        spans no name reaches into (dates, amounts)."""
        bset = sorted(set(bounds) | {len(text)})
        self._blocked = bytearray(len(text) + 1)
        for a, b in blocked or ():
            self._blocked[a:b] = b"\x01" * (b - a)
        tag_ending = {b: (a, tag) for a, b, tag in words or ()}
        tag_starting = {a: (b, tag) for a, b, tag in words or ()}
        out: list[Project] = []
        taken_until = 0
        for m in self.suffix_re.finditer(text):
            end = m.end()
            ph = PHASE_AT.match(text[end:])
            if ph:
                end += ph.end()
            line = self.line_re.match(text, end)
            if line and line.end() in bset:
                end = line.end()     # 轨道交通工程|1号线
            if end not in bset or m.start() < taken_until:
                continue
            if self.counted_end_re.search(text, max(0, m.start() - 16), m.end()):
                continue   # 三个子项目: a count of projects
            # a longer suffix right after (产业园项目, 综合体(服装专业市场)项目): the longer name wins
            paren = PAREN_THEN.match(text, end)
            nxt = self.suffix_re.match(text, paren.end() if paren else end)
            if nxt and nxt.end() in bset:
                continue
            if text[m.start() - 1:m.start()] in ("（", "("):
                continue  # "工业经济（项目）发展推进会": a word in brackets, not a name
            if m.group(0) in self.weak and not self.cue_re.search(text.replace(m.group(0), "", 1)) \
                    and not text.endswith(self.built_word, 0, m.start()):
                continue   # (专用公路|工程 names what is built: no cue needed)
            if m.group(0) in self.clause_suffix:
                cs, ce = self._clause(text, m.start())
                if not self.said_project_re.match(text, m.end(), ce) and not self.invest_word_re.search(text, cs, ce):
                    continue   # 综合服务中心: an office, unless its clause says it is a project
            start = self._tokens_back(text, self._name_core_end(text, m.start()), bset)
            if start < taken_until:
                start = taken_until
            core_end = self._name_core_end(text, m.start())
            # a name is a noun phrase: it starts after the function words and times the walk
            # back took in (向|乌鲁木齐…, 昨天|…), and the words before its head are more than a
            # verb, adverb or preposition of the clause (不知道|项目, 保证|工程质量)
            previous = None
            for a, b, tag in words or ():
                # (after a one-character piece, 在 is the rest of a word the tagger split: 泛|在;
                # 的 is never: 前景好|的)
                attributive = text.endswith(self.attributive_words, a, b)
                if start <= a and b < core_end and (tag in self.name_never_holds or attributive) \
                        and (previous is None or previous[1] - previous[0] >= 2 or attributive):
                    start = b   # 世行向|乌鲁木齐…, 工业企业一律|特色工业园区, 前景好的|壁挂炉
                elif start == a and b < core_end and tag == "v" and previous and previous[2] == "d":
                    start = b   # 一律进入|特色工业园区: the verb after the adverb
                previous = (a, b, tag)
            for a, b, tag in words or ():
                if a < start < b < core_end and tag in self.name_never_holds:
                    start = b   # 从去年|起|开展项目: the name starts after the tagger's time word
            for a, b, tag in words or ():
                verb = tag_starting.get(b)
                if start <= a and tag == "PER" and verb and verb[1] == "v" and text[b:verb[0]] not in self.tail \
                        and verb[0] <= core_end:
                    # 县委书记王志刚|宣布|项目: a person doing something is the clause's subject, no
                    # part of a name (珑琦|新印象项目, where the tagger reads a person, stays)
                    start = verb[0]
            while start in tag_starting and tag_starting[start][1] in self.name_never_starts \
                    and tag_starting[start][0] < core_end:
                start = tag_starting[start][0]
            # 苏州路西延与|乌奎高速公路互通式立交工程: two places joined before the head, one name
            conj = tag_ending.get(start)
            if conj and text[conj[0]:start] in self.place_conjunction and tag_starting.get(start, (0, ""))[1] == "LOC":
                left = tag_ending.get(conj[0])
                if left and left[1] == "LOC" and left[0] >= taken_until:
                    start = left[0]
            if self._names_none(text, start, core_end, words or (), tag_ending):
                continue
            if self.classifying_re.search(text, self._clause(text, start)[0], start):
                continue   # 该项目为|集中供热项目: what kind of project it is, no name
            if text.startswith(self.head_modifies, end):
                continue   # 项目|负责人, 工程|质量: the head word qualifies a noun, it ends no name
            if self.count_after.match(text, end):
                continue   # 新签合同项目17个: a count of projects of a kind
            if core_end - start < 2 or self._is_generic(text, start, core_end, bset):
                continue
            name = text[start:end]
            if any(w in name for w in self.descriptive) or self.count_class_re.match(name):
                continue   # 东北最大…中心项目, 六大“…工程”: a description or a class of projects
            if (name[0] == "“" and name.count("“") != name.count("”")) or (name[0] == '"' and name.count('"') % 2):
                start += 1   # an opening quote whose closing one is not in the name
            quoted = self.quoted_name_re.fullmatch(text, start, end)
            out.append(Project(start, end, quoted.group(1) if quoted else text[start:end], "project.suffix"))
            taken_until = end
        for item_start, item_end in self._counted_list(text, bset):
            if not any(p.start < item_end and item_start < p.end for p in out):
                out.append(Project(item_start, item_end, text[item_start:item_end], "project.list_item"))
        for item_start, item_end in self._built_roads(text, bset):
            if not any(p.start < item_end and item_start < p.end for p in out):
                out.append(Project(item_start, item_end, text[item_start:item_end], "project.road_built"))
        if self.cue_re.search(text):
            for m in self.road_section_re.finditer(text):
                if not any(p.start < m.end() and m.start() < p.end for p in out):
                    out.append(Project(m.start(), m.end(), m.group(0), "project.road_section"))
            out.sort(key=lambda p: p.start)
        self._link(text, out, amounts or [], last_project, areas or [])
        return out

    def _names_none(self, text: str, start: int, core_end: int, words, tag_ending: dict) -> bool:
        """The words before the head describe a project and name none: after a demonstrative
        (此|水环境综合治理工程, 及其|关联配套项目); one function word, or a verb not after a list's
        separator (也不知道|项目, 进行|项目; 、织布|产业园 names a trade); short verbal nouns alone
        (占地|项目, 关联配套|项目)."""
        before = tag_ending.get(start)
        word_before = text[before[0]:start] if before else ""
        if word_before in self.demonstrative:
            return True
        last = tag_ending.get(core_end)
        if last and last[0] <= start and last[1] in self.name_never_ends and text[last[0]:core_end] not in self.tail:
            prior = tag_ending.get(last[0])
            if last[1] != "v" or prior is None or text[prior[0]:last[0]] not in self.list_separator_words:
                return True
        body = [(a, b, tag) for a, b, tag in words if start <= a and b <= core_end]
        return bool(body) and body[0][0] == start and body[-1][1] == core_end and core_end - start <= 4 \
            and all(tag in ("v", "vn") and b - a <= 2 for a, b, tag in body) \
            and word_before not in self.list_separator_words and text[start:core_end] not in self.tail

    def _counted_list(self, text: str, bounds: list[int]) -> list[tuple[int, int]]:
        """A list of names right before a count of projects of a kind, as many names as the
        count says (建设A、B、C以及D 4个高速公路项目): each name is a project. The list starts
        after the last stop word before its first separator (开工建设|A)."""
        found = []
        for m in self.counted_re.finditer(text):
            n = parse_int(m.group("n"))
            clause = max(text.rfind(c, 0, m.start()) for c in LIST_CLAUSE_BREAK) + 1
            seps = list(self.list_sep_re.finditer(text, clause, m.start()))
            if n is not None and len(seps) > n - 1:
                # 、 parts items; a 和 may join words inside one (A、B、机构加强和项目管理 三个子项目)
                primary = [x for x in seps if x.group(0) in self.item_separator]
                if len(primary) == n - 1:
                    seps = primary
            if n is None or n < 2 or len(seps) != n - 1:
                continue
            first_sep = seps[0].start()
            start = clause
            for a, b in zip(bounds, bounds[1:]):
                if clause <= a and b <= first_sep and text[a:b] in self.stop:
                    start = b
            cuts = [start] + [x for s in seps for x in s.span()] + [m.start()]
            items = [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts), 2)]
            if all(2 <= b - a <= 20 and not any(c in NAME_BREAK for c in text[a:b])
                   and not self._is_generic(text, a, b, bounds) for a, b in items):
                found += items
        return found

    def _built_roads(self, text: str, bounds: list[int]) -> list[tuple[int, int]]:
        """Roads named right after a word saying they are being built (新开工的A路、B路、C路):
        each a project, when every one is a whole run of words."""
        found = []
        for m in self.built_roads_re.finditer(text):
            s, e = m.span("roads")
            cuts = [s] + [x for sep in self.item_sep_re.finditer(text, s, e) for x in sep.span()] + [e]
            items = [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts), 2)]
            # (names: not 20个乡镇的油路, a count and a description)
            if all(a in bounds and b in bounds and not self._is_generic(text, a, b, bounds)
                   and not self.count_after.match(text, a) and not any(w in text[a:b] for w in self.attributive_words)
                   for a, b in items):
                found += items
        return found

    def _clause(self, text: str, pos: int) -> tuple[int, int]:
        s = max(text.rfind(c, 0, pos) for c in CLAUSE_BREAK) + 1
        ends = [i for i in (text.find(c, pos) for c in CLAUSE_BREAK) if i != -1]
        return s, min(ends) if ends else len(text)

    def _target(self, text: str, projects: list[Project], start: int, end: int, last: Project | None):
        """The project a fact at [start, end) of the sentence is about."""
        cs, ce = self._clause(text, start)
        in_clause = [p for p in projects if cs <= p.start < start]
        after = [p for p in projects if p.start >= end and (self.attributive_re.match(text[end:p.start])
                                                            or self.build_verb_re.fullmatch(text, end, p.start)
                                                            or self.facts_then_attributive_re.fullmatch(text, end, p.start))]
        if after:
            return after[0]                # 投资10亿元的X项目, 投资10亿元建设X, 投资1.5亿元、占地80亩的X
        if in_clause and self.counted_re.search(text, in_clause[-1].end, start):
            return None                    # X、Y和Z等3个项目总投资…: a total of several projects
        if in_clause:
            return in_clause[-1]
        if projects and projects[0].start <= 2:
            return projects[0]             # the sentence is about the project it opens with
        if last is not None and (any(a in text for a in self.anaphor) or text.startswith(self.subject_word)):
            return last                    # 该项目总投资…: the article's project
        if len(projects) == 1 and projects[0].end <= start:
            return projects[0]             # the one project the sentence names before the amount
        return None

    def _link(self, text: str, projects: list[Project], amounts: list[Amount], last: Project | None,
              areas: list[Area]) -> None:
        for p in projects:
            cs, ce = self._clause(text, p.start)
            st = self.status_re.search(text, cs, ce)
            if st:
                p.status = self.lex["status"][st.group(0)]
        for ar in areas:
            cue = self.area_cue_re.search(text, 0, ar.start)
            if cue is None:
                continue
            target = self._target(text, projects, cue.start(), ar.end, last)
            if target is not None and target.area_text is None:
                target.area_text = text[cue.start():ar.end]
                target.area_m2 = ar.m2
        for a in amounts:
            window = text[max(0, a.start - 10):a.start]
            cue = self.invest_cue_re.search(window)
            if a.amount is None or cue is None or window.endswith(self.progress_word, 0, cue.start()):
                continue   # (累计完成投资92亿元: work done so far, not the investment)
            target = self._target(text, projects, a.start, a.end, last)
            if target is not None and target.investment is None:
                target.investment = a.amount
                target.investment_text = text[a.start:a.end]
                target.currency = a.currency


PROJECTS_TABLE = table_spec("projects", "named projects with the facts stated for them (PROJECT rows of mentions)", [
    f("project_id", pa.string(), "the mention_id of the PROJECT mention", False),
    DOC_ID, ARTICLE_ID, SENTENCE_ID, START, END,
    f("text", pa.string(), "norm_text[start:end]", False),
    f("name", pa.string(), "the project's name as written", False),
    f("investment", pa.float64(), "investment stated for it, in the currency's main unit"),
    f("investment_text", pa.string(), "the amount as written"),
    f("currency", pa.string(), "ISO 4217 code of the investment"),
    f("area_text", pa.string(), "area as written: 占地近10万平方米"),
    f("area_m2", pa.float64(), "the area in square metres (the measures extractor's si_value)"),
    f("status", pa.string(), "signed | started | under_construction | topped_out | completed | in_operation"),
    f("location", pa.string(), "place stated for it in its sentence (位于X, 在X建设)"),
    f("aliases", pa.list_(pa.string()), "the other names the document gives it (a headline's short form, "
      "宁杭高速 for 南京至杭州高速公路), each a PROJECT row of mentions too", False),
    f("n_mentions", pa.int32(), "how many times the document names it, aliases included", False),
    f("rule", pa.string(), "id of the rule that found it", False),
], ("project_id",))


PROJECT_GRAMMAR = ("investment_cue_tail", "amount_verb", "area_verb", "function_word", "tail_suffix",
                   "measure_word", "anaphor", "subject_word", "attributive", "name_never_starts_pos",
                   "name_never_ends_pos", "name_never_holds_pos", "head_modifies", "place_word_end",
                   "numbered_road", "road_line", "route_connective", "section_head", "list_separator",
                   "built_word", "progress_word", "demonstrative", "descriptive_word", "line_word",
                   "place_conjunction", "item_separator", "count_class", "clause_suffix", "copula", "class_subject", "class_count",
                   "building_word", "road_word", "build_verb")


class Projects(Extractor):
    """Named investment projects, parks and bases, with the investment, area, status and
    location their sentence states."""
    name = "projects"
    rules_file = "projects.yml"
    rules_spec = mapping({
        "lexicons": mapping({
            "suffix": WORDS, "stop": WORDS, "generic": WORDS, "status": dict_of(_string()),
            "investment_cue": WORDS, "area_cue": WORDS,
            "weak_suffix": WORDS, "project_cue": WORDS, "tail": WORDS, "location_cue": WORDS, "investor_word": WORDS,
            **{name: WORDS for name in PROJECT_GRAMMAR},
        }, required=("suffix", "stop", "tail", "generic", "status", "investment_cue", "area_cue",
                     "weak_suffix", "project_cue", "location_cue", "investor_word", *PROJECT_GRAMMAR)),
        "rule_ids": RULE_IDS,
    }, required=("lexicons",))
    table = PROJECTS_TABLE
    labels = ("PROJECT",)
    requires = ("MONEY", "MEASURE", "DATE", "pos_tags")
    rule_ids = ("project.suffix", "project.road_section", "project.list_item", "project.road_built")

    def __init__(self, rules, options=None):
        super().__init__(rules, options)
        self.projects = ProjectExtractor(rules["projects"])
        cue = lexicon_alternation(rules["projects"]["lexicons"]["location_cue"])
        self.location_cue = regex.compile(rf"(?:{cue})\s*$")
        self.investor_word = tuple(rules["projects"]["lexicons"]["investor_word"])

    def find(self, sentence: Sentence, ctx: ArticleContext) -> list[Mention]:
        state = ctx.scratch(self.name)
        at = sentence.start
        amounts = [Amount(m.start - at, m.end - at, m.value["amount"], m.value["currency"])
                   for m in ctx.of("money", sentence.sentence_id)]
        bounds = sorted(set(sentence.bounds) | {0, len(sentence.text)})
        areas = [Area(m.start - at, m.end - at, m.value["si_value"]) for m in ctx.of("measures", sentence.sentence_id)
                 if m.value["si_unit"] == "m2"]
        blocked = [(m.start - at, m.end - at) for kind in ("dates", "money") for m in ctx.of(kind, sentence.sentence_id)]
        found = self.projects.find(sentence.text, bounds, amounts, state.get("last"), areas,
                                   ctx.annotation("pos_tags", sentence.sentence_id, []), blocked)
        if found:   # the project a later "该项目" means
            state["last"] = found[-1] if not found[0].start <= 2 else found[0]
        out = []
        for p in found:
            m = sentence.mention(p.start, p.end, "PROJECT", p.rule, self.name)
            state.setdefault("pending", []).append((p, m))
            out.append(m)
        return out

    def finish_article(self, ctx: ArticleContext) -> None:
        # a later sentence of the article may state an earlier project's facts (该项目总投资…)
        for p, m in ctx.scratch(self.name).get("pending", []):
            m.value = {"name": p.name, "investment": p.investment, "investment_text": p.investment_text,
                       "currency": p.currency, "area_text": p.area_text, "area_m2": p.area_m2, "status": p.status, "location": None}

    def link(self, doc: DocumentContext, kept: list[Mention]) -> None:
        """A project's location, when its sentence states one: the place after 位于/落户/坐落于,
        the place its name opens with (青山镇产城融合示范园), or the last place before the name in
        its clause ("在新华镇建设X项目") unless it qualifies the investor (深圳客商)."""
        text = doc.text
        places = [m for m in kept if m.label == "LOC"]
        sentences = {s.sentence_id: s for s in doc.sentences}
        for p in kept:
            if p.extractor != self.name:
                continue
            s = sentences[p.sentence_id]
            here = [pl for pl in places if pl.sentence_id == s.sentence_id]
            cue = next((pl for pl in here if self.location_cue.search(text[max(s.start, pl.start - 4):pl.start])), None)
            if cue is None:
                clause_start = max([s.start] + [i + 1 for i in range(s.start, p.start) if text[i] in CLAUSE_BREAK])
                # (a place that qualifies the investor, 深圳|客商, is not where the project is)
                before = [pl for pl in here if clause_start <= pl.start and pl.end <= p.start
                          and not text.startswith(self.investor_word, pl.end)]
                opening = [pl for pl in here if pl.start == p.start and pl.end < p.end]
                cue = opening[0] if opening else before[-1] if before else None   # 青山镇|产城融合示范园
            if cue is not None:
                p.value["location"] = cue.text

        self._merge_aliases([p for p in kept if p.extractor == self.name])

    def _merge_aliases(self, mentions: list[Mention]) -> None:
        """One project per document, under its fullest name: a name that another name of the
        document contains (集中供热节能改造 in 乌鲁木齐市集中供热节能改造), or whose characters it
        holds in order from the same first one (宁杭高速 in 南京至杭州高速公路, 海尔产业园区 in
        海尔(天津)市场创新产业园区), is an alias. The project's facts are the first stated
        over all its mentions; its investment the largest stated."""
        names = [project_key(m.value["name"]) for m in mentions]
        # the fullest name heads its project; of equal ones the plainest (without 项目 or a phase)
        order = sorted(range(len(mentions)), key=lambda k: (-len(names[k]), len(mentions[k].value["name"]),
                                                            mentions[k].start))
        head: dict[int, int] = {}
        for k in order:   # longest first: each name joins the longest name it is an alias of
            head[k] = next((h for h in order if head.get(h) == h and is_alias(names[k], names[h])), k)
        for k, m in enumerate(mentions):
            m.value["aliases"], m.value["n_mentions"] = [], 0
        for k in sorted(range(len(mentions)), key=lambda k: mentions[k].start):
            h = mentions[head[k]]
            h.value["n_mentions"] += 1
            if head[k] == k:
                continue
            m = mentions[k]
            m.value["alias_of"] = head[k]
            if m.value["name"] != h.value["name"] and m.value["name"] not in h.value["aliases"]:
                h.value["aliases"].append(m.value["name"])
            for fact in ("status", "location", "area_text", "area_m2"):
                if h.value[fact] is None and m.value[fact] is not None:
                    h.value[fact] = m.value[fact]
                    if fact == "area_text":
                        h.value["area_m2"] = m.value["area_m2"]
            if m.value["investment"] is not None and (h.value["investment"] is None or
                                                      m.value["investment"] > h.value["investment"]):
                for fact in ("investment", "investment_text", "currency"):
                    h.value[fact] = m.value[fact]

    def row(self, m: Mention, mention_id: str, index: int, doc_id: str) -> dict | None:
        if "alias_of" in m.value:
            return None   # folded into its project's row (the mentions table keeps it)
        value = {k: v for k, v in m.value.items() if k != "alias_of"}
        return {"project_id": mention_id, "doc_id": doc_id, "article_id": m.article_id,
                "sentence_id": m.sentence_id, "start": m.start, "end": m.end, "text": m.text,
                **value, "rule": m.rule}


QUOTES = regex.compile(r"[“”\"'‘’「」『』\s]")


def project_key(name: str) -> str:
    """A project's name for comparison: quotes and spaces dropped, a trailing generic head
    word (项目) and phase (一期) dropped."""
    key = QUOTES.sub("", name)
    key = key[:-len(PROJECT_WORD)] if key.endswith(PROJECT_WORD) and len(key) > len(PROJECT_WORD) else key
    phase = PHASE_END.search(key)   # X一期 is a phase of X: one project
    return key[:phase.start()] if phase and phase.start() >= 2 else key


def is_alias(short: str, long: str) -> bool:
    """`short` names the project `long` names: a part of it, or its characters in order from
    the same first character (an abbreviation: 宁杭高速 of 南京至杭州高速公路)."""
    if len(short) < 2 or len(short) >= len(long):
        return short == long
    if short in long:
        return True
    if len(short) < 3 or short[0] != long[0]:
        return False
    it = iter(long)
    return all(c in it for c in short)


EXTRACTOR = Projects
