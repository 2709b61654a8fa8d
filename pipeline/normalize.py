"""Layout repair for OCR'd / PDF-copied newspaper pages, with an offset map to the raw text.

The normalised text is what every later stage indexes into: paragraphs are separated by a
single "\\n", hard line breaks inside paragraphs are joined, stray spaces inside Chinese
text and numbers are dropped, and full-width digits and Latin letters are folded to ASCII.
Every character of the normalised text remembers the raw index it came from, so any span
can be mapped back (`NormText.to_raw`).

Paragraphs are rebuilt in two steps:
1. lines separated by single line breaks inside a block (no blank line) are one paragraph;
2. a paragraph continues across a blank line when it was visibly cut (no closing
   punctuation and a line as wide as its column, or a heading split at a colon, or a
   narrow column broken on every line), never into a byline or heading marker.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

import regex

from .fragments import LIST_ITEM_NUMBER, OPENING_DATELINE
from .numerals import parse_int

NORMALIZER_VERSION = "3"   # 3: a number wrapped between two digits is joined, list items 1、2、 part (2: a day alone opens a paragraph)

# A paragraph whose last character is one of these ended on purpose.
SENTENCE_END = set("。！？!?…；;")
CLOSERS = set("”’」』）)】》\"'")
# Punctuation a headline rarely holds; a line with none may be one
PUNCTUATION = SENTENCE_END | set("，、,：:；")
# A paragraph ending in one of these is cut mid-clause and goes on in the next block.
CLAUSE_OPEN = set("，、,（(“‘《【「『")
# A block starting with one of these starts something new (byline box, markdown, subtitle).
# (and so does one of the words of rules/articles.yml's block_openers: 本报讯, 本报记者)
MARKS = ("□", "■", "●", "◆", "▲", "#", "—", "-")
MARKDOWN_HEADING = regex.compile(r"^(#{1,6})\s+")
# Paragraphs at most this long with no sentence punctuation are treated as title-like:
# their word-separating spaces are kept ("新时代 新征程 新伟业").
TITLE_MAX_CHARS = 40

_CJK = regex.compile(r"[\p{Han}\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026\u2014]")
# letters of alphabetic scripts and digits: a space between two of them separates words
# ("José Martí", "Владимир Путин", "COVID 19") and is kept
_WORD_CHAR = regex.compile(r"[\p{Latin}\p{Cyrillic}\p{Greek}\p{Nd}]")
_TITLE_WORD_EDGE = regex.compile(r"[\p{Han}“”‘’《》「」\"]")


def fold_char(ch: str) -> str:
    """Fold one character: full-width digits/letters to ASCII, odd spaces to ' ', 1:1 always."""
    o = ord(ch)
    if 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
        return chr(o - 0xFEE0)
    if ch in "\t\u3000\u00a0\u2002\u2003\u2009\u202f":
        return " "
    return ch


def _dropped(ch: str) -> bool:
    """Control and zero-width characters carry no text."""
    if ch in "\u200b\u200c\u200d\u2060\ufeff":
        return True
    return unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"


@dataclass
class _Line:
    chars: list[str]
    raw: list[int]           # raw index of each char
    break_raw: int           # raw index of the line break that ends this line
    heading_level: int = 0
    indented: bool = False   # the raw line began with whitespace: a paragraph indent

    @property
    def text(self) -> str:
        return "".join(self.chars)

    @property
    def width(self) -> int:  # visible width: spaces do not count
        return sum(1 for c in self.chars if c != " ")


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    heading_level: int = 0   # markdown heading level in the raw text, 0 if none


@dataclass
class NormText:
    text: str
    raw_index: list[int]                     # raw index of every character of `text`
    raw_length: int
    paragraphs: list[Paragraph] = field(default_factory=list)

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalised text to the raw text."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside normalised text of {len(self.text)} chars")
        if start == end:
            r = self.raw_index[start] if start < len(self.raw_index) else self.raw_length
            return r, r
        return self.raw_index[start], self.raw_index[end - 1] + 1

    def offset_segments(self) -> tuple[list[int], list[int]]:
        """Compact form of the map: norm offsets where the norm->raw delta changes, and the
        raw offset there. Between breakpoints characters map one to one."""
        norm_at, raw_at = [], []
        prev = None
        for i, r in enumerate(self.raw_index):
            if prev is None or r != prev + 1:
                norm_at.append(i)
                raw_at.append(r)
            prev = r
        return norm_at, raw_at

    @staticmethod
    def expand_segments(norm_at: list[int], raw_at: list[int], n_chars: int) -> list[int]:
        """Inverse of offset_segments."""
        out: list[int] = []
        for k, (n0, r0) in enumerate(zip(norm_at, raw_at)):
            n1 = norm_at[k + 1] if k + 1 < len(norm_at) else n_chars
            out.extend(range(r0, r0 + (n1 - n0)))
        return out



def _split_lines(raw: str) -> list[_Line]:
    lines: list[_Line] = []
    chars: list[str] = []
    idx: list[int] = []
    i, n = 0, len(raw)
    while i <= n:
        ch = raw[i] if i < n else "\n"
        if ch in "\r\n":
            lines.append(_Line(chars, idx, i))
            chars, idx = [], []
            if ch == "\r" and i + 1 < n and raw[i + 1] == "\n":
                i += 1
        elif not _dropped(ch):
            chars.append(fold_char(ch))
            idx.append(i)
        i += 1
    if raw.endswith(("\n", "\r")) or not raw:
        lines.pop()  # the sentinel line after a final break is empty
    for ln in lines:
        ln.indented = bool(ln.chars) and ln.chars[0] == " "
        _strip(ln)
        m = MARKDOWN_HEADING.match(ln.text)
        if m:
            ln.heading_level = len(m.group(1))
            del ln.chars[: m.end()], ln.raw[: m.end()]
    return lines


def _strip(ln: _Line) -> None:
    while ln.chars and ln.chars[0] == " ":
        del ln.chars[0], ln.raw[0]
    while ln.chars and ln.chars[-1] == " ":
        ln.chars.pop(), ln.raw.pop()


def _blocks(lines: list[_Line]) -> list[list[_Line]]:
    """Runs of non-empty lines; a markdown heading or a boxed byline line stands alone."""
    blocks: list[list[_Line]] = []
    cur: list[_Line] = []
    for ln in lines:
        if not ln.chars:
            if cur:
                blocks.append(cur)
            cur = []
            continue
        starts_new = (ln.heading_level or ln.text.startswith(("□", "■", "●", "◆"))
                      or (ln.indented and cur and _ends_sentence(cur[-1].text))
                      or (cur and _next_item(cur[0].text, ln.text)))
        if cur and (starts_new or cur[-1].heading_level):
            blocks.append(cur)
            cur = []
        cur.append(ln)
    if cur:
        blocks.append(cur)
    return blocks


_LIST_ITEM = regex.compile(LIST_ITEM_NUMBER)


def _list_number(text: str) -> int | None:
    m = _LIST_ITEM.match(text)
    return parse_int(m.group("n")) if m else None


def _next_item(first_line: str, line: str) -> bool:
    """`line` opens the list item after the one `first_line` opens (1、… then 2、…)."""
    n = _list_number(first_line)
    return n is not None and _list_number(line) == n + 1


def _ends_sentence(text: str) -> bool:
    t = text.rstrip()
    if not t:
        return True
    if t[-1] in SENTENCE_END:
        return True
    if t[-1] in CLOSERS:
        # 。” closes a quoted sentence; a bare ） closes a credit such as （王某 摄）
        return len(t) < 2 or t[-2] in SENTENCE_END or t[-1] in "）)】"
    return False


def _similar(a: int, b: int) -> bool:
    return abs(a - b) <= 3


def _continues(prev: list[_Line], block: list[_Line], in_column_run: bool, openers: tuple[str, ...],
               first_block: bool = False) -> bool:
    """Does the paragraph made of `prev` go on in `block` (a cut across a blank line)?
    `first_block`: prev is the page's first block."""
    a_text = "".join(ln.text for ln in prev)
    b_first = block[0]
    if prev[-1].heading_level or b_first.heading_level:
        return False
    if _ends_sentence(a_text) or a_text.endswith("——") or b_first.text.startswith(openers):
        return False  # (a lede ending in a dash leads into the headline below it)
    if prev[0].text.startswith(openers) and len(a_text) <= 30:
        return False  # a byline box line
    last = prev[-1].width
    if a_text[-1] in "：:":
        return len(a_text) <= 25  # a headline split after its colon
    if OPENING_DATELINE.match(b_first.text) or _next_item(prev[0].text, b_first.text):
        return False   # a dateline, or the next item of a numbered list, starts a paragraph
    if a_text[-1] in CLAUSE_OPEN:
        return True
    if len(a_text) >= 13 and any(c in "，," for c in a_text):
        return True  # prose, not a headline: headlines this long rarely hold a comma
    if last >= 30:
        return True  # a long line stopped mid-sentence: page or column break
    column = max(ln.width for ln in block) if len(block) >= 2 else 0
    if column >= 8 and last > column + 2:
        return False  # wider than the column below: a line across columns (a headline), no cut line of it
    if first_block and len(prev) == 1 and not any(c in PUNCTUATION for c in a_text) \
            and (column >= 8 or any(c in PUNCTUATION for c in b_first.text)):
        return False  # the page's first line, no punctuation, above a paragraph: its headline
    if column >= 8 and last >= 0.7 * column:
        return True  # the cut line is as wide as the column it continues into
    if len(prev) >= 2:
        pcol = max(ln.width for ln in prev)
        if pcol >= 8 and last >= 0.7 * pcol and len(block) == 1 and b_first.width >= 0.5 * pcol:
            return True
    return in_column_run


def _column_runs(blocks: list[list[_Line]]) -> set[int]:
    """Indices of single-line blocks inside a run of >= 4 single-line blocks of similar width:
    a narrow column whose every line is followed by a blank line."""
    member: set[int] = set()
    i = 0
    while i < len(blocks):
        j = i
        while (j + 1 < len(blocks) and len(blocks[j]) == 1 and len(blocks[j + 1]) == 1
               and _similar(blocks[j][0].width, blocks[j + 1][0].width)
               and blocks[j][0].width <= 24):
            j += 1
        if j - i + 1 >= 4:
            member.update(range(i, j))  # every member but the last continues into the next
        i = j + 1
    return member


def _space_kept(left: str, right: str, title_like: bool) -> bool:
    if _WORD_CHAR.match(left) and _WORD_CHAR.match(right):
        return True
    if title_like and _TITLE_WORD_EDGE.match(left) and _TITLE_WORD_EDGE.match(right):
        return True
    return False


@lru_cache(maxsize=1)
def _default_openers() -> tuple[str, ...]:
    from .rules import load_rules
    return tuple(load_rules()["articles"]["block_openers"])


def normalize(raw: str, block_openers: Sequence[str] | None = None) -> NormText:
    """raw with its layout repaired, every character mapped to its raw offset.
    block_openers: words that open a new block (rules/articles.yml; the shipped rules' if None)."""
    openers = MARKS + tuple(_default_openers() if block_openers is None else block_openers)
    lines = _split_lines(raw)
    blocks = _blocks(lines)
    runs = _column_runs(blocks)

    paragraphs: list[list[_Line]] = []
    for bi, block in enumerate(blocks):
        first = len(paragraphs) == 1 and bi == 1
        if paragraphs and _continues(paragraphs[-1], block, (bi - 1) in runs, openers, first):
            paragraphs[-1].extend(block)
        else:
            paragraphs.append(list(block))

    out_chars: list[str] = []
    out_raw: list[int] = []
    out_pars: list[Paragraph] = []
    for par in paragraphs:
        chars: list[str] = []
        idx: list[int] = []
        for k, ln in enumerate(par):
            if k and chars and ln.chars and _WORD_CHAR.match(chars[-1]) and _WORD_CHAR.match(ln.chars[0]) \
                    and not (chars[-1].isdigit() and ln.chars[0].isdigit()):
                # a wrapped line between two Latin words keeps a space; a number wrapped
                # between two of its digits is one number (1.7|3亿元)
                chars.append(" ")
                idx.append(par[k - 1].break_raw)
            chars.extend(ln.chars)
            idx.extend(ln.raw)
        text = "".join(chars)
        title_like = (len(text) <= TITLE_MAX_CHARS and not any(c in SENTENCE_END or c in "，,、" for c in text)
                      and not text.startswith(openers) and text.count("“") == text.count("”")
                      and text.count('"') % 2 == 0)
        kept_c: list[str] = []
        kept_i: list[int] = []
        n = len(chars)
        i = 0
        while i < n:
            if chars[i] != " ":
                kept_c.append(chars[i])
                kept_i.append(idx[i])
                i += 1
                continue
            j = i
            while j < n and chars[j] == " ":
                j += 1
            if kept_c and j < n and _space_kept(kept_c[-1], chars[j], title_like):
                kept_c.append(" ")
                kept_i.append(idx[i])
            i = j
        if not kept_c:
            continue
        if out_chars:
            out_chars.append("\n")
            prev_line = _separator_raw(out_raw, raw)
            out_raw.append(prev_line)
        start = len(out_chars)
        out_chars.extend(kept_c)
        out_raw.extend(kept_i)
        out_pars.append(Paragraph(start, len(out_chars), par[0].heading_level))
    return NormText("".join(out_chars), out_raw, len(raw), out_pars)


def _separator_raw(out_raw: list[int], raw: str) -> int:
    """Raw index of the first line break after the last character written so far: the
    paragraph separator "\\n" maps there."""
    pos = out_raw[-1] + 1
    while pos < len(raw) and raw[pos] not in "\r\n":
        pos += 1
    return min(pos, max(len(raw) - 1, 0))
