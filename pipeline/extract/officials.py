"""Officials: (person, position, organisation) from rules/titles.yml.

    区委副书记、区长王建华      -> (王建华, 副书记, 区委), (王建华, 区长, 区)
    新华镇党委副书记张立新      -> (张立新, 党委副书记, 新华镇)
    该局局长刘明             -> (刘明, 局长, 区商务局) when 区商务局 was named before
    王某（区委办公室主任）       -> (王某, 主任, 区委办公室)
    习近平总书记               -> (习近平, 总书记, None)

A position is found by the lexicon; the organisation is the text right before it, back
to punctuation or a word of `org_stop`; coordinated positions joined by 、 share the name
that follows the last one. A name is two to four characters starting with a surname, and
its end must fall on a word boundary of the segmenter, so "王建华就…" gives 王建华.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import regex

from ..fragments import DATE_TIME_PREFIX, NAME_DOT
from ..rules import RULE_IDS, WORDS, lexicon_alternation, mapping
from ..schemas import ARTICLE_ID, DOC_ID, END, SENTENCE_ID, START, f, table_spec
from .base import ArticleContext, Extractor, Mention, Sentence

# characters that end an organisation going backwards (besides org_stop words)
ORG_BREAK = set("，,。；;：:！？!?“”\"《》、 \n…—")
NAME_RE = regex.compile(r"\p{Han}{2,4}")
HAN_CHAR = regex.compile(r"\p{Han}")
# the start of a transliterated name: parts joined by a middle dot (吉尔拉·衣沙木丁, 努尔·白克力)
TRANSLITERATED_HEAD = regex.compile(rf"\p{{Han}}{{1,8}}(?:{NAME_DOT}\p{{Han}}{{1,8}})*{NAME_DOT}")
# tags of the statistical tagger under which a word may be a person's name
NAME_TAGS = {"PER", "nr", "nz", "ORG", "n"}
# ... and these, when the name ends an item of a list or a clause (主席连战、董事长江丙坤)
NAME_TAGS_BEFORE_BREAK = {"v", "vn", "a"}
NAME_BREAK_AFTER = set("、，,。；;")
# the tagger's conjunctions, prepositions, particles, adverbs: no name starts with one
FUNCTION_TAGS = {"c", "p", "u", "d"}


@dataclass
class Official:
    start: int              # of the title span (or of the name when it comes first)
    end: int                # end of the name (or of the title)
    person: str
    person_start: int
    person_end: int
    title: str              # 副书记, 党委副书记, 分包负责人
    title_span: str         # 新华镇党委副书记
    title_start: int
    title_end: int
    position_start: int     # where the position noun itself starts (新华镇党委|副书记)
    org: str | None         # as resolved (该局 -> 区商务局)
    org_text: str | None    # as written
    rule: str


@dataclass
class _Title:
    start: int      # start of the title span (org included)
    pos_start: int  # start of the position (organ and modifier included)
    end: int
    title: str
    org: str | None
    noun_start: int = -1   # start of the bare position noun (副书记)


class OfficialExtractor:
    def __init__(self, rules: dict):
        lex = rules["lexicons"]
        self.lex = lex
        pos = lexicon_alternation(lex["position"])
        not_after = f"[{''.join(map(regex.escape, lex['position_not_before']))}]"
        # 区长 -> 区, 常务副县长 -> 县: the jurisdiction a head's title names
        self.jurisdiction_re = regex.compile(
            rf"^(?:{lexicon_alternation(lex['head_modifier'])})*([{''.join(map(regex.escape, lex['jurisdiction']))}])"
            rf"(?:{lexicon_alternation(lex['head_word'])})$")
        self.org_final_char = set(lex["org_final_char"])
        organ = lexicon_alternation(lex["party_organ"])
        mod = lexicon_alternation(lex["modifier"])
        filler = lexicon_alternation(lex["filler"])
        self.position_re = regex.compile(
            rf"(?:(?P<filler>{filler}))?(?P<title>(?:{organ})?(?:{mod})?(?P<pos>{pos}))(?!{not_after})")
        self.organ_re = regex.compile(rf"(?:{organ})")
        self.org_stop = sorted(lex["org_stop"], key=len, reverse=True)
        self.name_stop = set(lex["name_stop"])
        self.name_stop_long = sorted((w for w in lex["name_stop"] if w not in lex["particle"]), key=len, reverse=True)
        self.surnames = set(lex["surname"])
        self.compound = set(lex["compound_surname"])
        self.org_suffix = tuple(lex["org_suffix"])
        self.anaphors = set(lex["anaphor"])
        self.title_joiner = sorted(lex["title_joiner"], key=len, reverse=True)
        self.shared_position_start = tuple(lex["shared_position_start"])
        self.shared_position = set(lex["shared_position"])
        self.name_list_separator = tuple(lex["name_list_separator"])
        self.paren_re = regex.compile(rf"(?P<name>\p{{Han}}{{2,4}})[（(](?P<inner>[^（()）]{{2,40}}?(?:{pos}))[）)]")

    # ---- names -------------------------------------------------------------------------
    def _is_surnamed(self, name: str) -> bool:
        return name[:2] in self.compound or name[:1] in self.surnames

    def _name_after(self, text: str, pos: int, bounds: set[int],
                    tags: dict[tuple[int, int], str]) -> tuple[int, int] | None:
        """A person's name starting at pos, ending on a token boundary, and not a word the
        tagger (when one ran) reads as something else ("区长|江边调研": 江边 is a place word)."""
        # 吉尔拉·衣沙木丁: a transliterated name needs no Chinese surname; where the tagger reads
        # a person from pos past the dot, the name is its person (科菲·安南|希望)
        head = TRANSLITERATED_HEAD.match(text, pos)
        person = head and next((b for (a, b), t in tags.items() if a == pos and t == "PER" and b > head.end()), None)
        if person:
            return pos, person
        dotted = self._transliterated(text, pos, bounds)
        if dotted is not None:
            return dotted
        # the tagger reads a function word where the name would start and no person after it:
        # 总统|和|夫人 (but 镇长|和|海金: 和 is the surname of the person the tagger reads)
        first = next(((b, t) for (a, b), t in tags.items() if a == pos and b < pos + 4), None)
        if first and first[1] in FUNCTION_TAGS and not any(
                a == first[0] and t in ("PER", "nr") for (a, b), t in tags.items()):
            return None
        best = None
        for length in (3, 2, 4):
            end = pos + length
            cand = text[pos:end]
            if end > len(text) or not NAME_RE.fullmatch(cand):
                continue
            # the name ends on a word boundary, or right before a word such as 说 that the
            # segmenter may have glued to it ("张伟说")
            if end not in bounds and not any(text.startswith(w, end) for w in self.name_stop_long):
                continue
            if length == 4 and cand[:2] not in self.compound:
                continue
            if not self._is_surnamed(cand):
                continue
            if self._has_stop_word(cand, pos, bounds) or cand[-1] in self.name_stop or cand[-2:] in self.name_stop:
                continue  # "张伟说" even when the segmenter kept it in one piece
            if cand.endswith(self.org_suffix) and length > 2 and cand[-1] in self.org_final_char:
                continue
            tag = tags.get((pos, end), "PER")
            if (pos, end) not in tags and not any(a == pos and t in ("PER", "nr") for (a, b), t in tags.items()) \
                    and any(pos < a < end and b <= end and t in FUNCTION_TAGS for (a, b), t in tags.items()):
                continue   # a particle or adverb inside, no person at its start: 商量|过 (罗豪|才 is a name)
            if tag not in NAME_TAGS and not (tag in NAME_TAGS_BEFORE_BREAK and text[end:end + 1] in NAME_BREAK_AFTER):
                continue   # (a surnamed word the tagger reads as a verb is a name at a list's or clause's end:
                           # 荣誉主席连战、)
            best = (pos, end)
            break
        return best

    def _names_sharing(self, text: str, pos: int, group: list[_Title], titles: list[_Title], bounds: set[int],
                       tags: dict[tuple[int, int], str]) -> list[tuple[int, int]]:
        """More names after the first, joined by 、, that hold the same position: a position
        several people hold (副县长孙伟、刘洋; 常委, 委员), each name with no position of its own."""
        if not all(g.title.startswith(self.shared_position_start) or g.title in self.shared_position for g in group):
            return []
        title_starts = {t.start for t in titles}
        out = []
        while text.startswith(self.name_list_separator, pos):
            nxt = self._name_after(text, pos + 1, bounds, tags)
            if nxt is None or nxt[0] in title_starts or nxt[1] in title_starts:
                break
            out.append(nxt)
            pos = nxt[1]
        return out

    def _transliterated(self, text: str, pos: int, bounds: set[int]) -> tuple[int, int] | None:
        """A dotted name at pos: its last part ends at the first word boundary that a stop
        word, punctuation or the end of the text follows ("吉尔拉·衣沙木丁|出席")."""
        head = TRANSLITERATED_HEAD.match(text, pos)
        if head is None:
            return None
        for end in range(head.end() + 1, min(head.end() + 8, len(text)) + 1):
            if end == len(text) or not HAN_CHAR.match(text, end):
                return (pos, end) if end > head.end() else None
            if end in bounds and any(text.startswith(w, end) for w in self.name_stop_long):
                return pos, end
        return None

    def _has_stop_word(self, cand: str, pos: int, bounds: set[int]) -> bool:
        # a name never holds a whole stop word token: "张伟说" is 陈伟 + 说
        inner = sorted(b - pos for b in bounds if pos < b < pos + len(cand))
        cuts = [0] + inner + [len(cand)]
        for a, b in zip(cuts, cuts[1:]):
            if cand[a:b] in self.name_stop and a > 0:
                return True
        return False

    # ---- organisations -------------------------------------------------------------------
    def _org_before(self, text: str, end: int, floor: int, bounds: set[int]) -> int:
        """Start of the organisation written right before `end`, not before `floor`: back to
        punctuation or to a whole-token word of org_stop ("带领", "由" …)."""
        i = end
        while i > floor:
            if text[i - 1] in ORG_BREAK:
                break
            if i in bounds and any(text.endswith(w, floor, i) and (i - len(w)) in bounds for w in self.org_stop):
                break
            i -= 1
        # dates and numbers ahead of an organisation are not part of it: "10月8日该项目…"
        m = DATE_TIME_PREFIX.match(text[i:end])
        return i + (m.end() if m else 0)

    def find(self, text: str, bounds: set[int], known_orgs: list[str] | None = None,
             tagged: list[tuple[int, int, str]] = ()) -> list[Official]:
        """Officials in one sentence. `bounds`: token boundary offsets (starts and ends).
        `known_orgs`: organisations named before in the article, newest last (for 该局).
        `tagged`: (start, end, tag) words from the statistical tagger, when it ran."""
        known_orgs = known_orgs if known_orgs is not None else []
        tags = {(a, b): t for a, b, t in tagged}   # per call: the extractor keeps no state
        verb_at = {a: b for a, b, t in tagged if t == "v"}   # verbs: start -> end
        out: list[Official] = []
        titles: list[_Title] = []
        floor = 0
        for m in self.position_re.finditer(text):
            pos_start = m.start("title")
            org_start = self._org_before(text, m.start(), floor, bounds)
            # 出席者包含|国民党荣誉主席: the organisation starts after the last verb before it
            org_start = max([org_start] + [b for a, b in verb_at.items() if org_start <= a and b < m.start()])
            org = text[org_start:m.start()] or None
            joiner = next((w for w in self.title_joiner if org and org.startswith(w)), None)
            if joiner and titles and titles[-1].end == org_start:
                # 董事长兼|总经理: a second position of the same person, in the same body unless
                # it names its own
                org_start += len(joiner)
                org = text[org_start:m.start()] or titles[-1].org
            titles.append(_Title(org_start, pos_start, m.end(), m.group("title"), org, m.start("pos")))
            floor = m.end()

        used_names: set[tuple[int, int]] = set()
        group: list[_Title] = []
        for t in titles:
            if group and text[group[-1].end:t.start] not in ("、", "，", ",", *self.title_joiner):
                group = []
            if group and text[group[-1].end:t.start] in ("，", ","):
                group = []
            group.append(t)
            name = self._name_after(text, t.end, bounds, tags)
            if name is None:
                continue
            names = [name] + self._names_sharing(text, name[1], group, titles, bounds, tags)
            for person in names:
                for g in group:
                    out.append(self._official(text, g, person, known_orgs, "title.before_name"))
                used_names.add(person)
            group = []

        # 王某（区委办公室主任）
        for m in self.paren_re.finditer(text):
            ns, ne = m.span("name")
            for k in range(ns, ne - 1):   # the name is the last 2-4 characters before "（"
                if k in bounds and ne - k in (2, 3, 4) and self._is_surnamed(text[k:ne]) \
                        and not self._has_stop_word(text[k:ne], k, bounds):
                    inner = m.group("inner")
                    pm = None
                    for pm in self.position_re.finditer(inner):
                        pass
                    if pm is None or pm.end() != len(inner):
                        break
                    ist = m.start("inner")
                    t = _Title(ist, ist + pm.start("title"), ist + pm.end(), pm.group("title"),
                               inner[:pm.start()] or None, ist + pm.start("pos"))
                    if (k, ne) not in used_names:
                        out.append(self._official(text, t, (k, ne), known_orgs, "title.name_paren"))
                        used_names.add((k, ne))
                    break

        # 习近平总书记: a name written right before a position that no name follows; 南京市|
        # 赵晓江|副市长: between the organisation and the position, when the tagger reads a person
        for t in titles:
            if self._name_after(text, t.end, bounds, tags) is not None:
                continue
            if self.organ_re.match(t.title):
                continue   # 乌昌|党委书记: what stands before a party organ is its owner, no name
            for length in (3, 2):
                k = t.pos_start - length
                if k < 0:
                    continue
                cand = text[k:t.pos_start]
                alone = k == 0 or text[k - 1] in ORG_BREAK or any(
                    text.endswith(w, 0, k) and (k - len(w)) in bounds for w in self.org_stop)
                org_start = None
                if not alone and tags.get((k, t.pos_start)) == "PER" and text[k - 1] in self.org_final_char:
                    org_start = self._org_before(text, k, 0, bounds)
                    alone = k - org_start >= 2
                # (the name ends where a word of the segmenter ends: 国务|委员 is one word)
                if (alone and k in bounds and t.pos_start in bounds and NAME_RE.fullmatch(cand) and self._is_surnamed(cand)
                        and not cand.endswith(self.org_suffix) and not self._has_stop_word(cand, k, bounds)
                        and (k, t.pos_start) not in used_names
                        and tags.get((k, t.pos_start), "PER") in NAME_TAGS):   # 南京|市长: a place
                    t2 = _Title(t.pos_start, t.pos_start, t.end, t.title,
                                None if org_start is None else text[org_start:k], t.noun_start)
                    out.append(self._official(text, t2, (k, t.pos_start), known_orgs, "title.name_before"))
                    break
        out.sort(key=lambda o: (o.start, o.title_start))
        return out

    def _official(self, text: str, t: _Title, name: tuple[int, int], known_orgs: list[str], rule: str) -> Official:
        org_text = t.org
        org = org_text
        if org_text in self.anaphors:
            suffix = org_text[1:]
            org = next((o for o in reversed(known_orgs) if o.endswith(suffix)), org_text)
        title = t.title
        if org is None:
            jm = self.jurisdiction_re.match(title)
            if jm:
                org = jm.group(1)   # 区长 -> 区 (the jurisdiction the position names)
        start = min(t.start, name[0])
        end = max(t.end, name[1])
        noun = t.noun_start if t.noun_start >= 0 else t.pos_start
        return Official(start, end, text[name[0]:name[1]], name[0], name[1], title,
                        text[t.start:t.end], t.start, t.end, noun, org, org_text, rule)


OFFICIALS_TABLE = table_spec("officials", "who holds which position: one row per (person, position) in a sentence", [
    f("official_id", pa.string(), "doc_id-oNNNN, in text order", False),
    DOC_ID, ARTICLE_ID, SENTENCE_ID,
    f("person", pa.string(), "the person's name", False),
    f("title", pa.string(), "the position noun: 副书记, 党委副书记, 局长", False),
    f("org", pa.string(), "organisation or jurisdiction (该局 resolved to its antecedent; 区长 -> 区)"),
    f("org_text", pa.string(), "organisation as written before the position"),
    f("title_span", pa.string(), "the contiguous title text: 新华镇党委副书记", False),
    START, END,
    f("person_start", pa.int32(), "start of the name in norm_text", False),
    f("person_end", pa.int32(), "end of the name in norm_text", False),
    f("date", pa.date32(), "the sentence's date if it states one, else the article's date, else the publication date"),
    f("rule", pa.string(), "the form that found it: title.before_name, title.name_paren, title.name_before", False),
], ("official_id",))

TITLE_LEXICONS = ("position", "party_organ", "modifier", "filler", "org_stop", "anaphor", "name_stop",
                  "org_suffix", "compound_surname", "surname", "position_not_before", "particle", "org_final_char",
                  "jurisdiction", "head_modifier", "head_word", "title_joiner", "shared_position_start",
                  "shared_position", "name_list_separator")


class Officials(Extractor):
    """Who holds which position: (person, position, organisation), one per position."""
    name = "officials"
    rules_file = "titles.yml"
    rules_spec = mapping({
        "lexicons": mapping({name: WORDS for name in TITLE_LEXICONS}, required=TITLE_LEXICONS),
        "rule_ids": RULE_IDS,
    }, required=("lexicons",))
    table = OFFICIALS_TABLE
    labels = ("TITLE",)
    requires = ("article_date", "pos_tags")
    rule_ids = ("title.before_name", "title.name_paren", "title.name_before")

    def __init__(self, rules, options=None):
        super().__init__(rules, options)
        self.officials = OfficialExtractor(rules["titles"])

    def _org_words(self, sentence: Sentence) -> list[str]:
        """Organisation-looking words of a sentence (区商务局), antecedents for 该局."""
        cuts = sorted(set(sentence.bounds) | {0, len(sentence.text)})
        words = [sentence.text[a:b] for a, b in zip(cuts, cuts[1:])]
        return [w for w in words if len(w) >= 3 and w.endswith(self.officials.org_suffix)]

    def find(self, sentence: Sentence, ctx: ArticleContext) -> list[Mention]:
        known_orgs = ctx.scratch(self.name).setdefault("known_orgs", [])
        known_orgs += self._org_words(sentence)
        # the sentence's own date if it states a day, else the article's, else the page's
        day = next((m.value["start_date"] for m in ctx.of("dates", sentence.sentence_id)
                    if m.value.get("grain") == "day" and m.value.get("start_date")), None)
        day = day or ctx.facts.get("article_date") or ctx.doc.pub_date
        bounds = set(sentence.bounds) | {0, len(sentence.text)}
        out = []
        at = sentence.start
        for o in self.officials.find(sentence.text, bounds, known_orgs,
                                     ctx.annotation("pos_tags", sentence.sentence_id, ())):
            if o.org and o.org not in known_orgs:
                known_orgs.append(o.org)
            organ = self.officials.organ_re.match(o.title)
            out.append(sentence.mention(
                o.position_start, o.title_end, "TITLE", o.rule, self.name,
                person=o.person, title=o.title, org=o.org, org_text=o.org_text, title_span=o.title_span,
                official_start=at + o.start, official_end=at + o.end,
                person_start=at + o.person_start, person_end=at + o.person_end, date=day,
                # for the NER: where the organisation written before the title starts, the party
                # organ the title opens with (新华镇|党委副书记), whether the organisation is 该局
                title_start=at + o.title_start, party_organ=organ.group(0) if organ else None,
                org_is_anaphor=o.org_text in self.officials.anaphors))
        return out

    def row(self, m: Mention, mention_id: str, index: int, doc_id: str) -> dict:
        v = m.value
        return {"official_id": f"{doc_id}-o{index:04d}", "doc_id": doc_id, "article_id": m.article_id,
                "sentence_id": m.sentence_id, "person": v["person"], "title": v["title"], "org": v["org"],
                "org_text": v["org_text"], "title_span": v["title_span"],
                "start": v["official_start"], "end": v["official_end"],
                "person_start": v["person_start"], "person_end": v["person_end"], "date": v["date"],
                "rule": m.rule}


EXTRACTOR = Officials
