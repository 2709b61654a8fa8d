"""Publication date of each document, and the basis it rests on.

In order of trust:
  manifest  a manifest file maps the page's file name (or record id) to its date;
  input     the JSONL record or table row carries a pub_date;
  filename  the file name holds a date (YYYY-MM-DD, YYYYMMDD, 2011年2月16日), or the folders just
            above it do (…/2022/10/09/page1.txt);
  printed   the page prints its date in a masthead line ("2023年3月7日 星期二", "… 第3版");
  inferred  the page's own evidence (below);
  none      nothing to go on.

Inference, HeidelTime-style: the page's dates, read by the dates extractor's patterns
(rules/dates.yml; the inferrer is handed its `find`, so this stage imports no later one):
year-less dates ("3月4日") give the month and day, and each candidate year is scored
against the page's evidence and rules/pubdate.yml:
  * explicit years: the page rarely reports a year later than its own, and usually
    reports the current or the previous year ("2023年，金水区妇联工作总体思路为");
    years in a plan or deadline context ("制订2021年…", "至2021年2月底") only cap it;
  * full dates whose month and day recur year-less ("2020年12月9日" next to "12月9日");
  * anniversaries ("国际妇女节113周年" -> 1910 + 113);
  * dated events spoken of as upcoming ("迎接党的二十大") or as held ("二十大精神").
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import regex

from .fragments import FILE_NAME_DATE, MASTHEAD, MASTHEAD_MAX_CHARS, safe_date
from .numerals import NUMBER, NumeralError, parse_int, parse_number

FILENAME_DATE = regex.compile(FILE_NAME_DATE)
# how many folders above the file may hold its date (…/2022/10/09/page1.txt)
PATH_DATE_PARTS = 4
DEFAULT_WINDOW_DAYS = 365


def printed_date(text: str) -> dt.date | None:
    """The date a page prints in a masthead line, if it prints one."""
    for line in text.split("\n"):
        if len(line) > MASTHEAD_MAX_CHARS:
            continue
        m = MASTHEAD.search(line)
        if m:
            d = safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d:
                return d
    return None


@dataclass
class PubDate:
    date: dt.date | None
    year: int | None
    basis: str            # manifest | input | filename | inferred | none
    evidence: str = ""


def from_filename(source: str) -> dt.date | None:
    """The date a file's name holds, or else the folders just above it (…/2022/10/09/p1.txt)."""
    path = Path(source)
    for where in (path.name, "/".join(path.parts[-PATH_DATE_PARTS:])):
        m = FILENAME_DATE.search(where)
        if m:
            month, day = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
            try:
                return dt.date(int(m.group(1)), int(month), int(day))
            except ValueError:
                return None
    return None


class PubDateInferrer:
    """find_dates: the date extractor's `find` (text -> mentions with start, fields and part2):
    the page's dates are read with the same patterns as the dates table's."""

    def __init__(self, rules: dict, find_dates: Callable[[str], list]):
        self.find_dates = find_dates
        num = rf"(?P<n>{NUMBER})"
        self.events = []
        for ev in rules["events"]:
            date = dt.date.fromisoformat(str(ev["date"]))
            window = dt.timedelta(days=ev.get("window_days", DEFAULT_WINDOW_DAYS))
            self.events.append((ev["name"], date, window,
                                [regex.compile(p) for p in ev.get("upcoming", [])],
                                [regex.compile(p) for p in ev.get("after", [])]))
        self.anniversaries = [(a["name"], a["base_year"], regex.compile(a["pattern"].replace("{num}", num)))
                              for a in rules["anniversaries"]]
        self.future = [regex.compile(p) for p in rules["future_context"]]

    def _is_future(self, text: str, start: int) -> bool:
        before = text[max(0, start - 8):start]
        return any(p.search(before) for p in self.future)

    def infer(self, text: str) -> PubDate:
        past_years: Counter[int] = Counter()
        future_years: Counter[int] = Counter()
        md: list[tuple[int, int]] = []                  # year-less month-days
        full: list[tuple[int, int, int]] = []           # full dates
        for mn in self.find_dates(text):
            for fields in (mn.fields, mn.part2 or {}):   # a range's two ends
                y, mo, d = (parse_int(fields.get(k)) for k in ("y", "m", "d"))
                if y is not None and 1900 <= y <= 2100:
                    (future_years if self._is_future(text, mn.start) else past_years)[y] += 1
                if mo is not None and d is not None and 1 <= mo <= 12 and 1 <= d <= 31:
                    (md.append((mo, d)) if y is None else full.append((y, mo, d)))
        yearless = Counter(md)
        page_md = None
        if yearless:
            month = Counter(mo for mo, _ in yearless.elements()).most_common(1)[0][0]
            page_md = (month, max(d for mo, d in yearless if mo == month))

        anchors: list[tuple[str, int]] = []
        for name, base, pat in self.anniversaries:
            for m in pat.finditer(text):
                try:
                    anchors.append((f"{m.group(0)} ({name} {base}+)", base + int(parse_number(m.group("n")))))
                except (NumeralError, TypeError, ValueError):
                    continue
        constraints: list[tuple[str, dt.date, dt.date]] = []
        for name, date, window, upcoming, after in self.events:
            if any(p.search(text) for p in upcoming):
                constraints.append((f"{name} upcoming", date - window, date))
            elif any(p.search(text) for p in after):
                constraints.append((f"{name} held", date, dt.date.max))
        echoed = [y for y, mo, d in full if (mo, d) in yearless]

        latest_past = max(past_years) if past_years else None
        candidates = set(past_years) | set(future_years) | {y for _, y in anchors} | set(echoed)
        if latest_past:
            candidates |= {latest_past + 1, latest_past + 2}
        for _, lo, hi in constraints:
            if lo.year > 1900:
                candidates |= {lo.year, lo.year + 1}
            if hi != dt.date.max:
                candidates.add(hi.year)
        if not candidates:
            return PubDate(None, None, "none", "no dated evidence on the page")

        def score(y: int) -> float:
            s = 4.0 * sum(1 for _, ay in anchors if ay == y)
            s += 3.0 * sum(1 for ey in echoed if ey == y)
            probe = safe_date(y, *page_md) if page_md else None
            for _, lo, hi in constraints:
                if probe is not None:
                    s += 2.0 if lo <= probe <= hi else -2.0
                else:
                    s += 2.0 if lo.year <= y <= hi.year else -2.0
            s -= 3.0 * sum(n for py, n in past_years.items() if py > y)
            s -= 2.0 * sum(n for fy, n in future_years.items() if fy < y - 1)
            if latest_past is not None:
                s += {0: 1.0, 1: 0.5}.get(y - latest_past, 0.0)
            return s

        ranked = sorted(candidates, key=lambda y: (-score(y), abs(y - (latest_past or y)), y))
        year = ranked[0]
        notes = []
        if past_years:
            notes.append("years " + ", ".join(f"{y}×{n}" for y, n in sorted(past_years.items())))
        if future_years:
            notes.append("plan years " + ", ".join(f"{y}×{n}" for y, n in sorted(future_years.items())))
        notes += [f"{a} -> {y}" for a, y in anchors]
        notes += [f"{name} ({lo if lo.year > 1 else ''}..{hi if hi != dt.date.max else ''})"
                  for name, lo, hi in constraints]
        if echoed:
            notes.append("full dates repeated year-less: " + ", ".join(map(str, sorted(set(echoed)))))
        if page_md:
            notes.append(f"page month-day {page_md[0]}-{page_md[1]}")
        date = safe_date(year, *page_md) if page_md else None
        return PubDate(date, year, "inferred", "; ".join(notes))


def read_manifest(path: Path):
    """A manifest (CSV or JSONL) as a DataFrame of strings, and its key column: `source` (a
    page's file name) or `id` (a record id)."""
    import pandas as pd
    path = Path(path)
    df = pd.read_json(path, lines=True, dtype=False) if path.suffix in (".jsonl", ".ndjson") \
        else pd.read_csv(path, dtype=str)
    return df, ("source" if "source" in df.columns else "id")


def manifest_key(column: str, value) -> str:
    return Path(str(value)).name if column == "source" else str(value)


def load_manifest(path: Path) -> dict[str, dt.date]:
    """A CSV or JSONL file with columns `source` (a file name) or `id`, and `pub_date`."""
    import pandas as pd
    df, key = read_manifest(path)
    if key not in df.columns or "pub_date" not in df.columns:
        raise ValueError(f"{path}: a manifest needs a 'source' or 'id' column and 'pub_date'")
    out = {}
    for i, (k, v) in enumerate(zip(df[key], df["pub_date"]), 2):
        try:
            out[manifest_key(key, k)] = pd.Timestamp(str(v)).date()
        except ValueError:
            raise ValueError(f"{path}:{i}: pub_date {v!r} is not a date") from None
    return out


def manifest_entry(manifest: dict[str, dt.date] | None, source: str,
                   source_id: str | None) -> tuple[str, dt.date] | None:
    """(key, date) of the manifest's entry for a document: by record id, else by file name."""
    for key in (source_id, Path(source).name):
        if manifest and key and key in manifest:
            return key, manifest[key]
    return None


def resolve_pub_date(source: str, source_id: str | None, given: dt.date | None, text: str,
                     inferrer: PubDateInferrer, manifest: dict[str, dt.date] | None) -> PubDate:
    entry = manifest_entry(manifest, source, source_id)
    if entry:
        key, d = entry
        return PubDate(d, d.year, "manifest", f"manifest entry {key}")
    if given:
        return PubDate(given, given.year, "input", "pub_date field of the input record")
    d = from_filename(source)
    if d:
        return PubDate(d, d.year, "filename", Path(source).name)
    d = printed_date(text)
    if d:
        return PubDate(d, d.year, "printed", "masthead line on the page")
    return inferrer.infer(text)
