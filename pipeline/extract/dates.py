"""Dates: find calendar expressions with rules/dates.yml and normalise them to ISO ranges.

Two phases, as in HeidelTime: `find` returns underspecified mentions (what the text says);
`resolve` fills them in from the context, in article order:
  explicit     the text gives the year ("2021年7月22日")
  publication  the year comes from the publication date; a year-less date takes the year
               that puts it nearest to that date (a January page's "12月28日" is last year's)
  article      "截至目前", "今年以来" end at the article's date: its first news-time date
  previous     "当天", "次日" count from the previous date mentioned in the article
  unresolved   nothing to anchor it: start_date and end_date stay empty
Two mentions joined by a range word ("2月28日至3月1日", "3月2日至6日", "2019年至2023年")
become one range mention; the second part takes what it leaves out from the first.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

import pyarrow as pa
import regex

from ..fragments import LUNAR_DAY_PREFIX, LUNAR_TWENTY, WEEKEND, safe_date
from ..numerals import parse_int as _int
from ..rules import compile_patterns, lexicon_alternation
from ..rules import PATTERNS, RULE_IDS, WORDS, dict_of, integer, mapping, month_day, one_of, pair
from ..rules import string as _string
from ..schemas import ARTICLE_ID, DOC_ID, END, MENTION_ID, SENTENCE_ID, START, f, table_spec
from .base import ArticleContext, Extractor, Mention, Sentence
from .matching import find_all



@dataclass
class DateMention:
    start: int
    end: int
    text: str
    rule: str
    kind: str                       # the pattern's value: absolute, relative, festival, ...
    fields: dict = field(default_factory=dict)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    grain: str = "unresolved"
    anchor: str = "unresolved"
    part2: dict | None = None       # the second half of a range
    future: bool = False            # a future cue before it (计划, 将): a year-less date lies ahead


@dataclass
class DateContext:
    pub_date: dt.date | None
    pub_year: int | None
    article_date: dt.date | None = None
    previous: dt.date | None = None
    previous_month: tuple[int, int] | None = None   # (year, month) of the last dated mention


def _full_year(y: int) -> int:
    """A two-digit year (08年, 18年10月) in the century it most likely names."""
    return y if y >= 100 else (2000 + y if y < 50 else 1900 + y)


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


# how far before a date a future cue may stand (计划竣工日期为|10月30日)
FUTURE_CUE_REACH = 12


BOOK_TITLE = regex.compile(r"《[^《》]{1,40}》")


class DateExtractor:
    def __init__(self, rules: dict):
        self.lex = rules["lexicons"]
        self.patterns = compile_patterns(rules)
        self.future_cue = regex.compile(lexicon_alternation(self.lex.get("future_cue", [])) or r"(?!)")
        sep = lexicon_alternation(self.lex["range_sep"])
        self.range_sep = regex.compile(rf"\s*(?:{sep})\s*")
        self.range_start = set(self.lex["range_start"])   # 从2月28日至3月1日: the range starts at 从
        self.open_before = tuple(sorted(self.lex.get("open_before", []), key=len, reverse=True))
        self.open_after = tuple(sorted(self.lex.get("open_after", []), key=len, reverse=True))
        self.between_sep = set(self.lex.get("between_sep", []))
        self.between_end = tuple(sorted(self.lex.get("between_end", []), key=len, reverse=True))

    # ---- phase 1: what the text says -------------------------------------------------
    def find(self, text: str) -> list[DateMention]:
        out: list[DateMention] = []
        for mt in find_all(self.patterns, text):
            fields = {k: v for k, v in mt.m.groupdict().items() if v is not None}
            future = self.future_cue.search(text, max(0, mt.start - FUTURE_CUE_REACH), mt.start) is not None
            out.append(DateMention(mt.start, mt.end, mt.text, mt.pattern.id, mt.pattern.value, fields,
                                   future=future))
        # 《今日说法》, 《明日之后》: a day named relative to no date inside a title
        titles = [m.span() for m in BOOK_TITLE.finditer(text)]
        out = [d for d in out if d.kind != "relative_day" or not any(a < d.start and d.end < b for a, b in titles)]
        return self._merge_ranges(text, out)

    def _merge_ranges(self, text: str, mentions: list[DateMention]) -> list[DateMention]:
        merged: list[DateMention] = []
        i = 0
        while i < len(mentions):
            a = mentions[i]
            b = mentions[i + 1] if i + 1 < len(mentions) else None
            if (b is not None and a.kind == "absolute" and b.kind == "absolute"
                    and self.range_sep.fullmatch(text, a.end, b.start) and self._compatible(a.fields, b.fields)):
                start = a.start - 1 if a.start > 0 and text[a.start - 1] in self.range_start else a.start
                merged.append(DateMention(start, b.end, text[start:b.end], a.rule, "range",
                                          dict(a.fields), part2=dict(b.fields)))
                i += 2
                continue
            end_word = None if b is None else next((w for w in self.between_end if text.startswith(w, b.end)), None)
            if (end_word and a.kind == "absolute" and b.kind == "absolute"
                    and text[a.end:b.start].strip() in self.between_sep and self._compatible(a.fields, b.fields)):
                end = b.end + len(end_word)   # 2007年与2009年之间: one range
                merged.append(DateMention(a.start, end, text[a.start:end], a.rule, "range",
                                          dict(a.fields), part2=dict(b.fields)))
                i += 2
                continue
            if a.rule.endswith("day_in_range"):
                i += 1  # a bare "6日" that no range took: not a date on its own
                continue
            merged.append(a)
            i += 1
        self._take_open_words(text, merged)
        return merged

    def _take_open_words(self, text: str, mentions: list[DateMention]) -> None:
        """从2016年3月1日开始, 自2002年起, 截至2009年底: the words that make a date the start
        or the end of an open period belong to its mention; its value stays the date's."""
        for k, m in enumerate(mentions):
            if m.kind not in ("absolute", "range"):
                continue
            floor = mentions[k - 1].end if k else 0
            ceiling = mentions[k + 1].start if k + 1 < len(mentions) else len(text)
            before = next((w for w in self.open_before if text.endswith(w, floor, m.start)), None)
            after = next((w for w in self.open_after if text.startswith(w, m.end) and m.end + len(w) <= ceiling), None)
            if before and m.kind == "absolute":
                m.start -= len(before)
            if after:
                m.end += len(after)
            m.text = text[m.start:m.end]

    @staticmethod
    def _compatible(a: dict, b: dict) -> bool:
        # the end may leave out what the start gives, never give what the start lacks
        order = ("y", "m", "d")
        first_a = next((k for k in order if k in a), None)
        first_b = next((k for k in order if k in b), None)
        if first_a is None or first_b is None:
            return False
        return order.index(first_b) >= order.index(first_a) and "since" not in a

    # ---- phase 2: what it means --------------------------------------------------------
    def _year_for(self, m: int, d: int | None, ctx: DateContext, future: bool = False) -> tuple[int | None, str]:
        """The year of a year-less month(-day): nearest to the publication date, or, after a
        future cue (计划竣工日期为10月30日), the first on or after it."""
        if ctx.pub_date is not None and future:
            for y in (ctx.pub_date.year, ctx.pub_date.year + 1):
                probe = safe_date(y, m, min(d or _last_day(y, m), _last_day(y, m)))
                if probe is not None and probe >= ctx.pub_date:
                    return y, "publication"
        if ctx.pub_date is not None:
            best = None
            for y in (ctx.pub_date.year - 1, ctx.pub_date.year, ctx.pub_date.year + 1):
                probe = safe_date(y, m, min(d or 15, _last_day(y, m)))
                if probe is None:
                    continue
                gap = abs((probe - ctx.pub_date).days)
                if best is None or gap < best[0]:
                    best = (gap, y)
            return (best[1], "publication") if best else (None, "unresolved")
        if ctx.pub_year is not None:
            return ctx.pub_year, "publication"
        return None, "unresolved"

    def _span(self, f: dict, y: int) -> tuple[dt.date, dt.date, str] | None:
        y2 = _int(f.get("y2"))
        if y2 is not None:   # 1995-1997年
            y2 = _full_year(y2)
            return (dt.date(y, 1, 1), dt.date(y2, 12, 31), "range") if y < y2 <= 9999 else None
        return self._span_in_year(f, y)

    def _span_in_year(self, f: dict, y: int) -> tuple[dt.date, dt.date, str] | None:
        """Dates covered by year y plus the month/day/part/quarter fields in f (m2, d2: the
        end of a range written in one: 1-5月, 3月22-24日)."""
        m, d = _int(f.get("m")), _int(f.get("d"))
        m2, d2 = _int(f.get("m2")), _int(f.get("d2"))
        if m is not None and not 1 <= m <= 12:
            return None
        if d is not None:
            if m is None:
                return None
            day = safe_date(y, m, d)
            if day and d2 is not None:
                last = safe_date(y, m, d2)
                return (day, last, "range") if last and last > day else None
            return (day, day, "day") if day else None
        if m is not None and m2 is not None:
            if not m < m2 <= 12:
                return None
            return dt.date(y, m, 1), dt.date(y, m2, _last_day(y, m2)), "range"
        if m is not None:
            part = f.get("part") or f.get("mpart")
            if part:
                lo, hi = self.lex["month_part"][part]
                last = _last_day(y, m)
                s, e = dt.date(y, m, min(lo, last)), dt.date(y, m, min(hi, last))
                return s, e, "day" if s == e else "period"
            return dt.date(y, m, 1), dt.date(y, m, _last_day(y, m)), "month"
        if f.get("q"):
            lo, hi = self.lex["quarter"][f["q"]]
            return dt.date(y, lo, 1), dt.date(y, hi, _last_day(y, hi)), "quarter"
        if f.get("part"):
            parts = self.lex["year_part"]
            if f.get("y") is not None:   # a written year: its end is the last day (2015年年底)
                parts = {**parts, **self.lex.get("written_year_part", {})}
            lo, hi = parts[f["part"]]
            s, e = dt.date.fromisoformat(f"{y}-{lo}"), dt.date.fromisoformat(f"{y}-{hi}")
            grain = "day" if s == e else "year" if (e - s).days > 300 else "half" if (e - s).days > 150 else "period"
            return s, e, grain
        return dt.date(y, 1, 1), dt.date(y, 12, 31), "year"

    def _absolute(self, f: dict, ctx: DateContext, future: bool = False) -> tuple[dt.date, dt.date, str, str] | None:
        y = _int(f.get("y"))
        if y is not None:
            y = _full_year(y)
        anchor = "explicit"
        if y is None:
            m = _int(f.get("m"))
            if m is None and f.get("d") is not None:
                # a day alone: the month of the previous date, or of the publication date
                if ctx.previous_month is not None:
                    (y, m), anchor = ctx.previous_month, "previous"
                elif ctx.pub_date is not None:
                    y, m, anchor = ctx.pub_date.year, ctx.pub_date.month, "publication"
                else:
                    return None
                f = {**f, "m": str(m)}
            elif m is None:
                if f.get("q") is None or ctx.pub_year is None:
                    return None
                y, anchor = ctx.pub_year, "publication"   # 一季度: the publication year's
            else:
                y, anchor = self._year_for(m, _int(f.get("d")), ctx, future)
            if y is None:
                return None
        span = self._span(f, y)
        return (*span, anchor) if span else None

    def _festival_day(self, name: str, y: int) -> dt.date | None:
        spec = self.lex["festival"][name]
        if spec["calendar"] == "solar":
            day = safe_date(y, spec["month"], spec["day"])
        elif spec["calendar"] == "lunar":
            from borax.calendars.lunardate import LunarDate
            try:
                day = LunarDate(y, spec["month"], spec["day"]).to_solar_date()
            except ValueError:
                return None
        elif spec["calendar"] == "nth_weekday":
            first = safe_date(y, spec["month"], 1)
            day = first and first + dt.timedelta(days=(spec["weekday"] - first.isoweekday()) % 7
                                                  + 7 * (spec["nth"] - 1))
        else:
            from borax.calendars.lunardate import TermUtils
            day = TermUtils.nth_term_day(y, term_name=spec["term"])
        return day + dt.timedelta(days=spec.get("offset", 0)) if day else None

    def _festival(self, f: dict, ctx: DateContext):
        # (a festival alone is its day)
        name, suffix = f["fest"], self.lex["festival_suffix"][f["fsuf"]] if "fsuf" in f else "day"
        spec = self.lex["festival"][name]
        if "rel" in f and ctx.pub_year is not None:
            years, anchor = [ctx.pub_year + self.lex["relative_year"][f["rel"]]], "publication"
        elif ctx.pub_date is not None:
            years, anchor = [ctx.pub_date.year - 1, ctx.pub_date.year, ctx.pub_date.year + 1], "publication"
        elif ctx.pub_year is not None:
            years, anchor = [ctx.pub_year], "publication"
        else:
            return None
        days = [d for d in (self._festival_day(name, y) for y in years) if d]
        if not days:
            return None
        day = min(days, key=lambda d: abs((d - ctx.pub_date).days)) if ctx.pub_date and len(days) > 1 else days[0]
        if suffix == "eve":
            day = day - dt.timedelta(days=1)
            return day, day, "day", anchor
        if suffix == "edge":
            return day, day, "period", anchor
        if suffix == "holiday" and spec.get("holiday"):
            s = day + dt.timedelta(days=spec.get("holiday_from", 0))
            return s, s + dt.timedelta(days=spec["holiday"] - 1), "range", anchor
        return day, day, "day", anchor

    def _relative(self, f: dict, ctx: DateContext):
        if ctx.pub_year is None:
            return None
        y = ctx.pub_year + self.lex["relative_year"].get(f.get("rel", ""), 0)
        if f.get("same"):
            f = {k: v for k, v in f.items() if k != "same"}
        span = self._span(f, y)
        if span is None:
            return None
        return (*span, "publication")

    def _relative_month(self, f: dict, ctx: DateContext):
        if ctx.pub_date is None:
            return None
        y = ctx.pub_date.year + self.lex["relative_year"].get(f.get("rel", ""), 0)
        k = y * 12 + ctx.pub_date.month - 1 + self.lex["relative_month"][f["relm"]]
        span = self._span({"m": str(k % 12 + 1), **{x: f[x] for x in ("d", "mpart") if x in f}}, k // 12)
        return (*span, "publication") if span else None

    def _weekday(self, f: dict, ctx: DateContext):
        if ctx.pub_date is None:
            return None
        monday = ctx.pub_date - dt.timedelta(days=ctx.pub_date.weekday())
        monday += dt.timedelta(weeks=self.lex["relative_week"].get(f.get("wrel", ""), 0))
        wd = f.get("wd")
        if wd is None:
            return monday, monday + dt.timedelta(days=6), "week", "publication"
        if wd == WEEKEND:
            return monday + dt.timedelta(days=5), monday + dt.timedelta(days=6), "range", "publication"
        day = monday + dt.timedelta(days=self.lex["weekday"][wd] - 1)
        return day, day, "day", "publication"

    def _lunar(self, f: dict, ctx: DateContext):
        from borax.calendars.lunardate import LunarDate
        if ctx.pub_year is None:
            return None
        ld = f["ld"].replace(LUNAR_DAY_PREFIX, "").replace(*LUNAR_TWENTY)
        lm, ldn = self.lex["lunar_month"][f["lm"]], _int(ld)
        if ldn is None:
            return None
        days = []
        for y in ((ctx.pub_date.year - 1, ctx.pub_date.year) if ctx.pub_date else (ctx.pub_year,)):
            try:
                days.append(LunarDate(y, lm, ldn).to_solar_date())
            except ValueError:
                try:  # a short month has no 三十: its last day
                    days.append(LunarDate(y, lm, ldn - 1).to_solar_date() + dt.timedelta(days=1))
                except ValueError:
                    continue
        if not days:
            return None
        day = min(days, key=lambda d: abs((d - ctx.pub_date).days)) if ctx.pub_date else days[0]
        return day, day, "day", "publication"

    def _offset(self, f: dict, ctx: DateContext):
        """10年前, 3个月后, 20天后: counted from the publication date (days from the article's
        previous date when there is one)."""
        n = _int(f["n"])
        unit = self.lex["offset_unit"][f["unit"]]
        sign = self.lex["offset_direction"][f["dir"]]
        if n is None or ctx.pub_date is None:
            return None
        if unit == "year":
            y = ctx.pub_date.year + sign * n
            return (dt.date(y, 1, 1), dt.date(y, 12, 31), "year", "publication") if 1 <= y <= 9999 else None
        if unit == "month":
            k = ctx.pub_date.year * 12 + ctx.pub_date.month - 1 + sign * n
            y, m = divmod(k, 12)
            return dt.date(y, m + 1, 1), dt.date(y, m + 1, _last_day(y, m + 1)), "month", "publication"
        base, anchor = (ctx.previous, "previous") if ctx.previous is not None else (ctx.pub_date, "publication")
        day = base + dt.timedelta(days=sign * n)
        return day, day, "day", anchor

    def _decade(self, f: dict, ctx: DateContext):
        """上世纪90年代 = 1990-1999; a decade without a century is the last century's."""
        dec = _int(f["dec"])
        if dec is None:
            return None
        if f.get("cent"):
            century = _int(f["cent"])
        elif ctx.pub_year is not None:
            century = (ctx.pub_year // 100 + 1) + self.lex["relative_century"].get(f.get("relc", ""), -1)
        else:
            return None
        if century is None:
            return None
        start = (century - 1) * 100 + dec
        return dt.date(start, 1, 1), dt.date(start + 9, 12, 31), "decade", "explicit" if f.get("cent") else "publication"

    def _since(self, start: dt.date, ctx: DateContext):
        end = ctx.article_date or ctx.pub_date
        if end is None or end < start:
            return None
        return start, end, "range", "article"

    def resolve_one(self, mn: DateMention, ctx: DateContext) -> None:
        f = mn.fields
        got = None
        if mn.kind == "absolute":
            got = self._absolute(f, ctx, mn.future)
        elif mn.kind == "range":
            a = self._absolute(f, ctx)
            if a is not None:
                b_fields = dict(mn.part2 or {})
                if "y" not in b_fields:
                    b_fields["y"] = str(a[0].year)
                    if "m" not in b_fields:
                        b_fields["m"] = str(a[0].month)
                    elif _int(b_fields["m"]) is not None and _int(b_fields["m"]) < a[0].month:
                        b_fields["y"] = str(a[0].year + 1)   # 12月28日至1月3日
                b = self._absolute(b_fields, ctx)
                if b is not None and b[1] >= a[0]:
                    got = (a[0], b[1], "range", a[3])
        elif mn.kind == "relative":
            got = self._relative(f, ctx)
        elif mn.kind == "festival":
            got = self._festival(f, ctx)
        elif mn.kind == "relative_day":
            spec = self.lex["relative_day"][f["relday"]]
            base = ctx.previous or ctx.article_date if spec["from"] == "previous" else ctx.pub_date
            if base is not None:
                day = base + dt.timedelta(days=spec["days"])
                got = (day, day, "day", "previous" if spec["from"] == "previous" and ctx.previous else
                       ("article" if spec["from"] == "previous" else "publication"))
        elif mn.kind == "relative_month":
            got = self._relative_month(f, ctx)
        elif mn.kind == "weekday":
            got = self._weekday(f, ctx)
        elif mn.kind == "lunar":
            got = self._lunar(f, ctx)
        elif mn.kind == "offset":
            got = self._offset(f, ctx)
        elif mn.kind == "decade":
            got = self._decade(f, ctx)
        elif mn.kind == "now":
            day = ctx.article_date or ctx.pub_date
            if day is not None:
                got = (day, day, "day", "article")
        if got is not None and f.get("since") and mn.kind in ("absolute", "relative"):
            got = self._since(got[0], ctx)
        if got is None:
            mn.start_date = mn.end_date = None
            mn.grain, mn.anchor = "unresolved", "unresolved"
        else:
            mn.start_date, mn.end_date, mn.grain, mn.anchor = got

    def resolve_article(self, mentions: list[DateMention], pub_date: dt.date | None,
                        pub_year: int | None) -> dt.date | None:
        """Resolve the mentions of one article, in text order; return the article's date."""
        ctx = DateContext(pub_date, pub_year)
        # the article's own date: its first news-time (year-less, day-level) date
        for mn in mentions:
            if mn.kind in ("absolute", "range", "festival") and not mn.fields.get("since"):
                self.resolve_one(mn, ctx)
                if mn.anchor == "publication" and mn.grain in ("day", "range") \
                        and (pub_date is None or mn.end_date <= pub_date):   # (6月底 ahead is a plan)
                    ctx.article_date = mn.end_date
                    break
        for mn in mentions:
            self.resolve_one(mn, ctx)
            if mn.grain == "day" and mn.kind != "now":
                ctx.previous = mn.start_date
            if mn.grain in ("day", "range", "month") and mn.kind in ("absolute", "range"):
                ctx.previous_month = (mn.end_date.year, mn.end_date.month)
        return ctx.article_date


def extract_dates(extractor: DateExtractor, text: str, pub_date: dt.date | None,
                  pub_year: int | None = None) -> list[DateMention]:
    """Find and resolve the dates of a text taken as one article (for tests and `explain`)."""
    mentions = extractor.find(text)
    extractor.resolve_article(mentions, pub_date, pub_year if pub_year is not None else
                              (pub_date.year if pub_date else None))
    return mentions


# ---- the extractor contract ------------------------------------------------------------------


DATES_TABLE = table_spec("dates", "date mentions normalised to ISO date ranges (DATE rows of mentions)", [
    MENTION_ID, DOC_ID, ARTICLE_ID, SENTENCE_ID, START, END,
    f("text", pa.string(), "norm_text[start:end]", False),
    f("start_date", pa.date32(), "first day covered; null when unresolved"),
    f("end_date", pa.date32(), "last day covered; null when unresolved"),
    f("grain", pa.string(), "day | month | quarter | half | year | period | range | unresolved", False),
    f("anchor", pa.string(), "explicit | publication | article | previous | unresolved", False),
    f("rule", pa.string(), "id of the pattern in rules/dates.yml", False),
], ("mention_id",))


class Dates(Extractor):
    """Calendar expressions normalised to ISO date ranges, anchored on the publication date."""
    name = "dates"
    rules_file = "dates.yml"
    rules_spec = mapping({
        "lexicons": mapping({
            "time_of_day": WORDS, "range_sep": WORDS, "now": WORDS,
            "relative_year": dict_of(integer),
            "year_part": dict_of(pair(month_day)),
            "written_year_part": dict_of(pair(month_day)),
            "future_cue": WORDS,
            "month_part": dict_of(pair(integer)),
            "quarter": dict_of(pair(integer)),
            "festival": dict_of(mapping({
                "calendar": one_of("solar", "lunar", "term", "nth_weekday"), "month": integer, "day": integer,
                "term": _string(), "holiday": integer, "holiday_from": integer, "offset": integer,
                "weekday": integer, "nth": integer,
            }, required=("calendar",))),
            "festival_suffix": dict_of(one_of("day", "holiday", "eve", "edge")),
            "relative_day": dict_of(mapping({"from": one_of("previous", "publication"), "days": integer},
                                            required=("from", "days"))),
            "relative_month": dict_of(integer),
            "relative_week": dict_of(integer),
            "week_word": WORDS,
            "weekday": dict_of(integer),
            "lunar_month": dict_of(integer),
            "range_start": WORDS, "open_before": WORDS, "open_after": WORDS,
            "between_sep": WORDS, "between_end": WORDS,
            "offset_unit": dict_of(one_of("year", "month", "day")), "offset_direction": dict_of(integer),
            "relative_century": dict_of(integer),
            "festival_object_verb": WORDS,
            "campaign_verb": WORDS,
        }, required=("time_of_day", "range_sep", "relative_year", "year_part", "month_part", "quarter",
                     "festival", "festival_suffix", "relative_day", "now", "range_start")),
        "patterns": PATTERNS,
        "rule_ids": RULE_IDS,
    }, required=("lexicons", "patterns"))
    pattern_values = ("absolute", "relative", "festival", "relative_day", "now", "relative_month", "weekday", "lunar",
                      "offset", "decade")
    pattern_groups = {"absolute": ("y|m|d|q",), "relative": ("rel|part",), "festival": ("fest",),
                      "relative_day": ("relday",), "relative_month": ("relm",), "weekday": ("wd|wrel",),
                      "lunar": ("lm", "ld")}
    table = DATES_TABLE
    labels = ("DATE",)
    provides = ("article_date",)

    def __init__(self, rules, options=None):
        super().__init__(rules, options)
        self.dates = DateExtractor(rules["dates"])

    def find(self, sentence: Sentence, ctx: ArticleContext) -> list[Mention]:
        pending = ctx.scratch(self.name).setdefault("pending", [])
        out = []
        for dm in self.dates.find(sentence.text):
            m = sentence.mention(dm.start, dm.end, "DATE", dm.rule, self.name)
            pending.append((dm, m))
            out.append(m)
        return out

    def finish_article(self, ctx: ArticleContext) -> None:
        """Resolve the article's dates in text order; its first news-time date is the
        article's date (for relative dates and for officials' dates)."""
        pending = ctx.scratch(self.name).get("pending", [])
        doc = ctx.doc
        ctx.facts["article_date"] = self.dates.resolve_article([dm for dm, _ in pending], doc.pub_date, doc.pub_year)
        for dm, m in pending:
            m.value = {"start_date": dm.start_date, "end_date": dm.end_date, "grain": dm.grain, "anchor": dm.anchor}


EXTRACTOR = Dates
