"""Split a normalised page into articles: headlines, bylines, photo captions.

A page is a sequence of paragraphs. Each is classed as a heading (short, no sentence
punctuation, or a markdown heading), a subtitle (a heading that starts with a dash), a
byline (a boxed "□本报记者 X" line, or a "本报讯（记者 X）" dispatch opening a body
paragraph), a bare photo credit "（X 摄）", or body text.

Paragraphs are then grouped into segments: a run of headings, an optional byline, and the
body after it, closed early by a photo credit. Each segment becomes one or more articles:
  heads + byline      -> a news/feature article; the headline is the last heading (the
                         last markdown heading when the page has them), shorter labels
                         before it are its kicker or standalone `header` articles, lines
                         after it or starting with a dash are its subtitle;
  heads + body + credit -> `header` articles and a `photo_caption`;
  body + credit       -> a `photo_caption` (after a bylined article: just the last
                         paragraph, the rest belongs to that article);
  heads + body        -> a subheading inside the current feature when short, else an
                         article of its own without a byline.
Byline names are read from the raw text, where the spaces between names survive.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from .normalize import SENTENCE_END, NormText, Paragraph
from .fragments import (ARABIC_MONTH_DAY, CLAUSE_BREAK, LIST_ITEM_NUMBER, MASTHEAD, MASTHEAD_MAX_CHARS,
                        OPENING_MONTH_DAY, PAGE)
from .numerals import parse_int

HEADING_MAX_CHARS = 40
LIST_ITEM = regex.compile(LIST_ITEM_NUMBER)
MIN_LIST_ITEMS = 2            # numbered paragraphs in a row that make a list
# a run of digits as long as a telephone number's: a contact line, no heading
PHONE_NUMBER = regex.compile(r"\d{7,}")
KICKER_MAX_CHARS = 8          # "金水区", "区医保局": a label right above the headline
# a single line without a byline under an article is its subheading up to this length
# ("精准招商,在质量上求突破"); a longer one heads an article of its own ...
SUBHEAD_MAX_CHARS = 20
# ... unless all the article has so far is its lead paragraph: a lead and then sections
# ("5年完成中央投资260亿通车总里程58249公里" after one paragraph)
SUBHEAD_AFTER_LEAD_MAX_CHARS = 30


@dataclass
class Article:
    seq: int
    kind: str
    start: int
    end: int
    headline: str | None = None
    subtitle: str | None = None
    kicker: str | None = None
    body_start: int | None = None
    reporters: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    # indices of the page's paragraphs that belong to this article. An inserted photo
    # caption can sit inside an article's extent, so membership, not [start, end), says
    # which paragraphs (and sentences) are the article's.
    paragraphs: list[int] = field(default_factory=list)
    byline_paragraph: int | None = None   # a paragraph that is only a byline ("□本报记者 X")


class BylineGrammar:
    """Compiled from rules/articles.yml."""

    def __init__(self, rules: dict):
        self.news_openers = tuple(rules["news_openers"])
        self.box_markers = tuple(rules["box_markers"])
        role_of = {w: role for role, words in rules["roles"].items() for w in words}
        self.role_of = role_of
        words = sorted(role_of, key=len, reverse=True)
        both = sorted(rules["text_and_photo"], key=len, reverse=True)
        self.text_and_photo = set(both)
        alt = "|".join(regex.escape(w) for w in both + words)
        self.role_re = regex.compile(rf"({alt})")
        credit = "|".join(regex.escape(w) for w in sorted(rules["photo_credit"], key=len, reverse=True))
        name = r"[\p{Han}·]{2,4}"
        # "（赵六 摄）" / "(吕晓璞摄)" / "（张三 李四 摄影）" at the end of a paragraph
        self.credit_re = regex.compile(
            rf"[（(]\s*((?:{name}[\s、，,]*){{1,4}}?)\s*(?:{credit})\s*[）)]\s*$")
        # a dispatch opens with 本报讯 and maybe its byline in brackets ("本报讯（记者 张三 通讯员
        # 李四）", "本报讯 记者 张三 报道："), with an agency's dateline (新华社北京3月11日电) and maybe
        # a byline of role words in brackets, or with such a byline alone ("（记者 张三）")
        opener = "|".join(regex.escape(w) for w in self.news_openers)
        agencies = "|".join(regex.escape(w) for w in sorted(rules["dateline_agencies"], key=len, reverse=True))
        marks = "|".join(regex.escape(w) for w in sorted(rules["dateline_marks"], key=len, reverse=True))
        dated = rf"(?:{agencies})\p{{Han}}{{1,8}}?{ARABIC_MONTH_DAY}(?:{marks})"
        roles = "|".join(regex.escape(w) for w in words)
        reported = "|".join(regex.escape(w) for w in sorted(rules["reported"], key=len, reverse=True))
        paren_any = r"[（(]([^（()）]{0,60})[）)]"
        paren_role = rf"[（(]\s*((?:{roles})[^（()）]{{0,58}})[）)]"
        bare = rf"((?:{roles})[^。，,：:（()）]{{1,40}}?(?:{reported}))\s*[：:]?"
        self.news_re = regex.compile(rf"^(?:(?:{opener})\s*(?:{paren_any}|{bare})?|{dated}\s*(?:{paren_role})?"
                                     rf"|{paren_role}|{bare})")
        box = "".join(regex.escape(m) for m in self.box_markers)
        reporter_words = "|".join(regex.escape(w) for w in sorted(
            (w for w, r in role_of.items() if r == "reporters"), key=len, reverse=True))
        # a byline line: a box mark and any role ("□本报通讯员 李四 记者 张三"), or a reporter's role
        self.box_re = regex.compile(rf"^(?:[{box}]\s*(?:{roles})|(?:{reporter_words}))")
        self.section_labels = set(rules["section_labels"])
        self.kicker_suffixes = tuple(rules["kicker_suffixes"])
        # a line that is only the paper's name (and page): "安阳日报 第3版"
        papers = "|".join(regex.escape(w) for w in sorted(rules["paper_suffix"], key=len, reverse=True))
        self.paper_name_re = regex.compile(rf"\p{{Han}}{{2,8}}(?:{papers})(?:\s*{PAGE})?")
        trailers = "|".join(regex.escape(w) for w in sorted(rules["name_trailer"], key=len, reverse=True))
        self.name_trailer_re = regex.compile(rf"(?:{trailers})\s*$")

    def is_section_label(self, text: str) -> bool:
        return text in self.section_labels or any(
            part in self.section_labels for part in regex.split(r"[·・\s]+", text))


def split_names(fragment: str, trailer_re: regex.Pattern | None = None) -> list[str]:
    """Names separated by spaces or enumeration marks; "程 建国" (a name broken by a line
    wrap into a one-character piece) is joined; "王建国李明华" is cut into threes; a trailing
    "报道" or "摄影报道" is not part of the last name."""
    fragment = fragment.strip()
    if trailer_re is not None:
        fragment = trailer_re.sub("", fragment)
    pieces = [p for p in regex.split(r"[\s、，,；;]+", fragment) if p]
    names: list[str] = []
    carry = ""
    for p in pieces:
        p = carry + p
        carry = ""
        if len(p) == 1:
            carry = p
            continue
        if len(p) in (6, 9) and regex.fullmatch(r"\p{Han}+", p):
            names.extend(p[i:i + 3] for i in range(0, len(p), 3))
        else:
            names.append(p)
    if carry:
        if names:
            names[-1] += carry
        else:
            names.append(carry)
    return [n for n in names if regex.fullmatch(r"[\p{Han}·]{2,6}", n)]


def parse_byline(grammar: BylineGrammar, raw: str) -> dict[str, list[str]]:
    """Names per role from a byline's raw text, e.g. "记者 张三 通讯员 李四" or
    "□本报记者 王五 文/图"."""
    out: dict[str, list[str]] = {"reporters": [], "correspondents": [], "photographers": []}
    parts = grammar.role_re.split(raw)
    role = None
    last_names: list[str] = []
    for i, part in enumerate(parts):
        if i % 2 == 1:  # a role word
            if part in grammar.text_and_photo:
                out["photographers"].extend(n for n in last_names if n not in out["photographers"])
                role = None
            else:
                role = grammar.role_of[part]
            continue
        names = split_names(regex.sub(r"[□■●◆/／]", " ", part), grammar.name_trailer_re)
        if role and names:
            out[role].extend(n for n in names if n not in out[role])
            last_names = names
    return out


@dataclass
class _Par:
    index: int
    p: Paragraph
    text: str
    cls: str                   # heading, subtitle, byline, dispatch, credit, body
    credit: list[str] = field(default_factory=list)   # photographers named at its end
    byline: dict | None = None
    body_start: int | None = None
    kind: str | None = None    # news/feature for bylines


def _balanced(text: str) -> bool:
    return text.count("“") == text.count("”") and text.count('"') % 2 == 0 \
        and text.count("（") + text.count("(") == text.count("）") + text.count(")")


def _classify(norm: NormText, raw: str, i: int, g: BylineGrammar) -> _Par:
    p = norm.paragraphs[i]
    text = norm.text[p.start:p.end]
    if len(text) <= MASTHEAD_MAX_CHARS and (MASTHEAD.search(text) or g.paper_name_re.fullmatch(text)):
        return _Par(i, p, text, "masthead")   # the paper's name, date, page: no article
    raw_s, raw_e = norm.to_raw(p.start, p.end)
    raw_text = raw[raw_s:raw_e]
    m = g.credit_re.search(text)
    credit: list[str] = []
    if m:
        # read the names from the raw text, where "赵六 摄" keeps its spaces
        rs, re_ = norm.to_raw(p.start + m.start(1), p.start + m.end(1))
        credit = split_names(raw[rs:re_], g.name_trailer_re) or split_names(m.group(1), g.name_trailer_re)
        if m.start() == 0:
            return _Par(i, p, text, "credit", credit)
    m = g.news_re.match(text)
    if m and m.end() > 0:
        byline = {"reporters": [], "correspondents": [], "photographers": []}
        k = next((k for k in range(1, len(m.groups()) + 1) if m.group(k)), None)
        if k is not None:
            rs, re_ = norm.to_raw(p.start + m.start(k), p.start + m.end(k))
            byline = parse_byline(g, raw[rs:re_])
        return _Par(i, p, text, "dispatch", credit, byline, p.start + m.end(), "news")
    if g.box_re.match(text) and len(text) <= 40 and not any(c in SENTENCE_END for c in text):
        return _Par(i, p, text, "byline", credit, parse_byline(g, raw_text), None, "feature")
    if p.heading_level or (len(text) <= HEADING_MAX_CHARS and not credit
                           and not any(c in SENTENCE_END for c in text)
                           and text[-1] not in "，、,：:" and not OPENING_MONTH_DAY.match(text)
                           and not PHONE_NUMBER.search(text) and _balanced(text)):
        return _Par(i, p, text, "subtitle" if text.startswith(("—", "-", "－")) else "heading", credit)
    return _Par(i, p, text, "body", credit)




def _numbered_lists(pars: list[_Par]) -> list[_Par]:
    """Paragraphs in a row numbered 1, 2, 3 … (at least MIN_LIST_ITEMS) are the items of a
    list in the body, the short ones no headings; numbered headings with text between them
    stay."""
    numbers = [parse_int(m.group("n")) if (m := LIST_ITEM.match(q.text)) else None for q in pars]
    i = 0
    while i < len(pars):
        j = i
        while numbers[i] is not None and j + 1 < len(pars) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        if j - i + 1 >= MIN_LIST_ITEMS:
            for q in pars[i:j + 1]:
                if q.cls == "heading":
                    q.cls = "body"
        i = j + 1
    return pars


@dataclass
class _Segment:
    heads: list[_Par] = field(default_factory=list)
    byline: _Par | None = None
    body: list[_Par] = field(default_factory=list)


def _segments(pars: list[_Par]) -> list[_Segment]:
    segs: list[_Segment] = []
    cur = _Segment()
    for q in pars:
        if q.cls == "masthead":
            continue
        if q.cls in ("heading", "subtitle"):
            if cur.byline or cur.body:
                segs.append(cur)
                cur = _Segment()
            cur.heads.append(q)
        elif q.cls in ("byline", "dispatch"):
            if cur.byline or cur.body:
                segs.append(cur)
                cur = _Segment(heads=[])
            cur.byline = q
            if q.cls == "dispatch":
                cur.body.append(q)
        else:
            cur.body.append(q)
            if q.credit:  # a photo credit closes the segment
                segs.append(cur)
                cur = _Segment()
    if cur.heads or cur.byline or cur.body:
        segs.append(cur)
    return segs


class ArticleSplitter:
    def __init__(self, rules: dict):
        self.grammar = BylineGrammar(rules)
        agencies = "|".join(regex.escape(w) for w in sorted(rules["dateline_agencies"], key=len, reverse=True))
        marks = "|".join(regex.escape(w) for w in sorted(rules["dateline_marks"], key=len, reverse=True))
        # 本报讯 / 又讯, or an agency, a place and a date: 新华社北京3月11日电, 本报巴黎5月25日电
        channels = "|".join(regex.escape(w) for w in rules["dateline_channels"])
        self.dateline_re = regex.compile(
            rf"(?:{agencies})(?:(?:{marks})|\p{{Han}}{{1,8}}?{ARABIC_MONTH_DAY}(?:{marks}))"
            rf"|\p{{Han}}{{2,6}}?(?:{channels})(?=\s*\p{{Han}})")

    def dateline_end(self, text: str, start: int, end: int) -> int:
        """Where a dateline that opens text[start:end] ends (start if none): the dateline is
        a sentence of its own, so that no name runs into it (又讯广东… is no organisation)."""
        m = self.dateline_re.match(text, start, end)
        return m.end() if m and m.end() < end else start

    def split(self, norm: NormText, raw: str) -> list[Article]:
        pars = _numbered_lists([_classify(norm, raw, i, self.grammar) for i in range(len(norm.paragraphs))])
        articles: list[Article] = []

        def new(kind: str, members: list[_Par], **kw) -> Article:
            a = Article(len(articles), kind, members[0].p.start, members[-1].p.end,
                        paragraphs=[q.index for q in members], **kw)
            articles.append(a)
            return a

        def header(q: _Par) -> None:
            nonlocal last_bylined
            new("header", [q], headline=q.text)
            last_bylined = None

        def caption(members: list[_Par], *, inside: bool = False) -> None:
            nonlocal last_bylined
            prev = articles[-1] if articles else None
            if (len(members) == 1 and members[0].cls == "credit" and prev is not None
                    and prev.kind == "photo_caption"):
                # a bare "（X 摄）" repeating the credit of the caption just above
                prev.photographers += [n for n in members[0].credit if n not in prev.photographers]
                self._extend(prev, members)
                return
            new("photo_caption", members, photographers=_credits(members))
            if not inside:
                last_bylined = None

        last_bylined: Article | None = None   # the article that body text may continue
        for seg in _segments(pars):
            heads = [q for q in seg.heads if q.cls == "heading"]
            subtitles = [q for q in seg.heads if q.cls == "subtitle"]
            credit_at_end = bool(seg.body) and bool(seg.body[-1].credit)

            if seg.byline is None and not heads and not subtitles:
                if credit_at_end and last_bylined is not None and len(seg.body) > 1:
                    # an inserted photo inside a bylined article: only the credited paragraph
                    # (and the one before a bare credit) is the caption
                    k = 2 if seg.body[-1].cls == "credit" and len(seg.body) >= 2 else 1
                    self._extend(last_bylined, seg.body[:-k])
                    caption(seg.body[-k:], inside=True)
                    continue
                if credit_at_end:
                    caption(seg.body)
                    continue
                if last_bylined is not None:
                    self._extend(last_bylined, seg.body)
                else:
                    last_bylined = new("other", seg.body)
                continue

            if seg.byline is None and credit_at_end:
                for q in seg.heads:
                    header(q)
                caption(seg.body)
                continue

            if (seg.byline is None and last_bylined is not None and len(seg.heads) == 1
                    and heads and not heads[0].p.heading_level
                    and not self.grammar.is_section_label(heads[0].text) and seg.body
                    and len(heads[0].text) <= (SUBHEAD_AFTER_LEAD_MAX_CHARS if self._lead_only(last_bylined, pars)
                                               else SUBHEAD_MAX_CHARS)):
                self._extend(last_bylined, seg.heads + seg.body)  # a subheading
                continue

            headline, kicker, subtitle, before = self._pick_headline(seg.heads, self.grammar)
            for q in before:
                header(q)
            members = ([headline] if headline else []) + subtitle + \
                ([seg.byline] if seg.byline and seg.byline.cls == "byline" else []) + seg.body
            if kicker is not None:
                members.insert(0, kicker)
            if not members:
                continue
            if seg.byline is None and not seg.body:
                # headings with nothing under them: page or section labels
                if headline is not None:
                    header(headline)
                for q in subtitle:
                    header(q)
                continue
            kind = seg.byline.kind if seg.byline else "news"
            byline = seg.byline.byline if seg.byline else {}
            body = [q for q in seg.body]
            a = new(kind, members,
                    headline=headline.text if headline else None,
                    subtitle=" ".join(q.text.lstrip("—-－ ") for q in subtitle) or None,
                    kicker=kicker.text.rstrip("：:") if kicker else None,
                    body_start=(seg.byline.body_start if seg.byline and seg.byline.cls == "dispatch"
                                else (body[0].p.start if body else None)),
                    reporters=list(byline.get("reporters", [])),
                    correspondents=list(byline.get("correspondents", [])),
                    photographers=list(byline.get("photographers", [])),
                    byline_paragraph=(seg.byline.index if seg.byline and seg.byline.cls == "byline"
                                      else None))
            last_bylined = a
            if credit_at_end and len(body) > 1:
                # a credited photo printed at the end of the article: its own caption
                k = 2 if body[-1].cls == "credit" and len(body) >= 2 else 1
                cap = body[-k:]
                a.end = body[-k - 1].p.end
                a.paragraphs = [i for i in a.paragraphs if i not in {q.index for q in cap}]
                caption(cap, inside=True)
        return articles

    @staticmethod
    def _lead_only(a: Article, pars: list[_Par]) -> bool:
        """The article holds one body paragraph so far (its headline and byline aside)."""
        return sum(1 for i in a.paragraphs if pars[i].cls in ("body", "dispatch")) == 1

    @staticmethod
    def _extend(a: Article, members: list[_Par]) -> None:
        if members:
            a.end = max(a.end, members[-1].p.end)
            a.paragraphs += [q.index for q in members]

    @staticmethod
    def _pick_headline(heads: list[_Par], g: BylineGrammar):
        """(headline, kicker, subtitles, standalone headers) from a run of headings."""
        if not heads:
            return None, None, [], []
        marked = [i for i, q in enumerate(heads) if q.p.heading_level and q.cls == "heading"]
        plain = [i for i, q in enumerate(heads) if q.cls == "heading" and not g.is_section_label(q.text)]
        if not plain:
            return None, None, list(heads), []
        h = marked[-1] if marked else plain[-1]
        if not marked and len(plain) >= 2 and plain[-2] == h - 1 and _has_clause_break(heads[h].text) \
                and not _has_clause_break(heads[h - 1].text):
            h -= 1   # a deck under the headline: a line of clauses (预计下半年开工，2013年投产)
        subtitles = [q for q in heads[h + 1:]] + [q for q in heads[:h] if q.cls == "subtitle"]
        if marked:  # plain lines under a markdown headline are its subtitle
            subtitles = heads[h + 1:]
        before = [q for q in heads[:h] if q.cls == "heading"]
        kicker = None
        if before and len(before[-1].text) <= KICKER_MAX_CHARS and " " not in before[-1].text \
                and not before[-1].p.heading_level and not g.is_section_label(before[-1].text) \
                and before[-1].text.rstrip("：:").endswith(g.kicker_suffixes):
            kicker = before.pop()
        return heads[h], kicker, subtitles, before


def _has_clause_break(text: str) -> bool:
    return any(c in CLAUSE_BREAK for c in text)


def _credits(members: list[_Par]) -> list[str]:
    names: list[str] = []
    for q in members:
        names.extend(n for n in q.credit if n not in names)
    return names
