"""Regex fragments that every stage shares: digits, Chinese numerals, date parts, page
numbers, clause punctuation. Spelled once, here.

With numerals.py (the values of Chinese numerals), this is the one module where Chinese
characters stand in code: these are the writing system's grammar of numbers and calendar
words, which no paper or province changes. Words that users extend (suffixes, cues, stop
words) live in rules/*.yml; a test checks that no other module spells Chinese words.
"""
from __future__ import annotations

import datetime as dt

import regex

# ---- numerals -------------------------------------------------------------------------------
CN_DIGIT = "〇零○一壹二贰貳两兩三叁參四肆五伍六陆陸七柒八捌九玖"
CN_UNIT = "十拾百佰千仟万萬亿億"
CN_BIG_UNIT = "万萬亿億"
ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
CHINESE = rf"[{CN_DIGIT}{CN_UNIT}]+"
# An Arabic number optionally scaled by 万/亿 ("3.2万", "1.2万亿"), or a Chinese numeral.
NUMBER = rf"(?:{ARABIC}(?:[{CN_BIG_UNIT}]+)?|{CHINESE})"
# characters of a count as a word of the segmenter: 三五二, 203, 一百二十
COUNT_CHARS = r"零〇一二三四五六七八九十百千\d"
# the count of a ranking (500强, 十大, 一百强); 一 alone before its word is "one big" (一大批)
RANKING_COUNT = rf"(?:\d+|(?!一[^十百千])[{COUNT_CHARS}]+)"
# a count of things before a measure word: 3个, 十几座, 多名
COUNT_WORD_CHARS = r"\d一二三四五六七八九十百千两几多"
# a word made of numbers, dates and amounts only: 11个, 第一, 2023年, 8亿元, 30%
NUMERIC_WORD_CHARS = r"\d.一二三四五六七八九十百千万亿两〇零个多余第年月日元%"
# a numeral that names a phase: 二期, 3期
PHASE = r"(?:[一二三四五六七八九十\d]+期)+"
# a half-width "?" between two Han characters, not after a question particle, is a name's
# middle dot lost to an encoding (吉尔拉?依沙木丁), no question mark
LOST_NAME_DOT = r"(?<=\p{Han})(?<![吗呢么吧啊呀])\?(?=\p{Han})"
# the middle dot of a transliterated name (阿卜杜拉·阿巴斯), or that dot lost
NAME_DOT = rf"(?:[·•・]|{LOST_NAME_DOT})"
# the generic head of a project's name, dropped when names are compared (X项目 = X)
PROJECT_WORD = "项目"
ORDINAL = rf"第[〇零一二三四五六七八九十百千\d]+"      # 第十二 (届)
# the number of a list item at a paragraph's start: 1、 2. （三） 四、
LIST_ITEM_NUMBER = r"^[（(]?(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})(?:[、.．]|[）)])"

# ---- dates ----------------------------------------------------------------------------------
YEAR = r"(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4}|两千零?[一二三四五六七八九十]{0,3}"
MONTH = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
DAY = r"3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九]"
# (dates in running text are read by the dates extractor, rules/dates.yml, and by nothing else)
# a month and day in Arabic digits, as datelines write them: "3月11日"
ARABIC_MONTH_DAY = r"\d{1,2}月\d{1,2}日"
# a text that opens with a month and day: "3月4日" (a dateline, not a name or a headline)
OPENING_MONTH_DAY = regex.compile(r"^\d{1,2}月\d{1,2}日")
# "3月4日，" / "2月25日上午," / "14日，" at the start of a block opens a news paragraph
OPENING_DATELINE = regex.compile(r"^(?:\d{1,2}\s*月\s*)?\d{1,2}\s*日[上下中晚早]?午?\s*[,，]")
# a day or month word, or a year: "8日", "12月", "2023年"
DAY_MONTH_OR_YEAR = regex.compile(r"\d{1,2}[日月]|\d{4}年")
# dates and times ahead of a name: "10月8日上午"
DATE_TIME_PREFIX = regex.compile(r"[\d\s年月日号上下午]*")
# a date in a file's name or path: 20110216, 2011-02-16, 2011_2_16, 2011.2.16, 2011年2月16日,
# and across folders 2011/02/16/
FILE_NAME_DATE = (r"(?<!\d)((?:19|20)\d{2})(?:[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])"
                  r"|\s*[-_./年]\s*(0?[1-9]|1[0-2])\s*[-_./月]\s*(0?[1-9]|[12]\d|3[01])日?)(?!\d)")
# a short line with a full date and a weekday or a page number is a masthead
PAGE = r"第?\s*[\dA-Z一二三四五六七八九十]+\s*版"
MASTHEAD = regex.compile(
    r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[，,（(]?\s*(?:(?:星期|周)[一二三四五六日天]|"
    r"第\s*[\d一二三四五六七八九十]+\s*版)")
MASTHEAD_MAX_CHARS = 40
# lunar days: 初五 (the first ten days), 廿三 (twenty-three)
LUNAR_DAY_PREFIX = "初"
LUNAR_TWENTY = ("廿", "二十")
WEEKEND = "末"         # 周末: the weekend, where a weekday would stand


def safe_date(y: int, m: int, d: int) -> dt.date | None:
    """The date, or None when y-m-d is not one (2月30日)."""
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None

# ---- the script itself -------------------------------------------------------------------------
# The most frequent characters of written Chinese, simplified and traditional: right text
# is full of them, text decoded with the wrong double-byte encoding (Big5 read as GB18030)
# almost never holds them.
COMMON_CHARS = frozenset("的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下"
                         "自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些"
                         "主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业"
                         "這個們來為說時會對後裡麼與開從實軍無長機當們經發過動現")

# a digit and a numeral: runs of them are what makes a number pattern backtrack
NUMERAL_UNITS = ("1", "一")

# ---- punctuation ----------------------------------------------------------------------------
CLAUSE_BREAK = "，,。；;！？!?"
