from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize import NormText, fold_char, normalize

from .conftest import seed_pages


def paragraphs(raw: str) -> list[str]:
    n = normalize(raw)
    return [n.text[p.start:p.end] for p in n.paragraphs]


@pytest.mark.parametrize("raw, expected", [
    # hard line breaks inside words and numbers are joined
    ("宣讲\n员用鲜活的语言", ["宣讲员用鲜活的语言"]),
    ("本报讯 （记者 王嘉晨）2月 28日\n至 3月 1日，北关区召开", ["本报讯（记者王嘉晨）2月28日至3月1日，北关区召开"]),
    # stray spaces inside Chinese text and numbers are dropped
    ("纪念“三八”国际妇女节 113周年大会。", ["纪念“三八”国际妇女节113周年大会。"]),
    ("通讯员 程 志吉)2月23日,北 关区委组 织部", ["通讯员程志吉)2月23日,北关区委组织部"]),
    ("2023 年 3 月 1 日召开。", ["2023年3月1日召开。"]),
    # full-width digits and Latin letters fold to ASCII; Chinese punctuation stays
    ("２０２３年Ｕ乐广场，５Ｇ基地。", ["2023年U乐广场，5G基地。"]),
    # Latin words keep their space, also across a wrapped line
    ("使用 Windows 10 系统。", ["使用Windows 10系统。"]),
    ("the quick\nfox.", ["the quick fox."]),
    # ... but a number wrapped between two of its digits is one number
    ("累计完成投资1.7\n3亿元，占地1\n200亩。", ["累计完成投资1.73亿元，占地1200亩。"]),
    ("COVID\n19 and 2023\nreport", ["COVID 19 and 2023 report"]),
    # the next item of a numbered list starts a paragraph, on the next line or after a blank
    ("1、城东污水处理厂\n2、城西供热管网\n\n3、滨河公园", ["1、城东污水处理厂", "2、城西供热管网", "3、滨河公园"]),
    ("建成\n1、2号楼和3号楼", ["建成1、2号楼和3号楼"]),
    # paragraph breaks (blank lines) are kept
    ("第一段结束。\n\n第二段开始。", ["第一段结束。", "第二段开始。"]),
    # a long line cut mid-sentence goes on across a blank line
    ("全会指出,今年年初以来,区委常委会团结带领全区广大干部群众,这些成\n\n绩为建设新时代奠定了基础。",
     ["全会指出,今年年初以来,区委常委会团结带领全区广大干部群众,这些成绩为建设新时代奠定了基础。"]),
    # a headline split after its colon is one line; title spaces between words survive
    ("豆腐营街道盘庚中社区：\n\n“整”出新容颜 “改”出新生活\n\n3月4日，在位于北关区的基地。",
     ["豆腐营街道盘庚中社区：“整”出新容颜 “改”出新生活", "3月4日，在位于北关区的基地。"]),
    ("新时代 新征程 新伟业\n\n凝聚合力 压实责任", ["新时代 新征程 新伟业", "凝聚合力 压实责任"]),
    # a headline never swallows the byline below it
    ("区城管执法局 精心精细增绿护绿\n\n本报讯(记者 王嘉晨)秋季天气转凉。", ["区城管执法局 精心精细增绿护绿", "本报讯(记者王嘉晨)秋季天气转凉。"]),
    # markdown heading markers are dropped, their level kept
    ("## 区政要闻\n\n### 科学有序推进\n\n正文。", ["区政要闻", "科学有序推进", "正文。"]),
    # an indented line after a finished sentence starts a paragraph
    ("切实提升了城区绿化档\n次。\n 老旧小区改造，一头连着民生。", ["切实提升了城区绿化档次。", "老旧小区改造，一头连着民生。"]),
    # a block opening with a date, or a day alone, starts a news paragraph (14日，…)
    ("预计下半年开工，明年完工投产\n\n14日，记者从县发改委获悉。", ["预计下半年开工，明年完工投产", "14日，记者从县发改委获悉。"]),
    # control and zero-width characters go, CRLF is a line break
    ("正文\u200b内容\x07。\r\n\r\n下一段。", ["正文内容。", "下一段。"]),
])
def test_layout_repair(raw, expected):
    assert paragraphs(raw) == expected


def test_markdown_level_is_kept():
    n = normalize("# 标题\n\n## 栏目\n\n正文。")
    assert [p.heading_level for p in n.paragraphs] == [1, 2, 0]


def test_seed_003_spaces_and_others_line_breaks_come_out_clean():
    han_space_han = regex.compile(r"\p{Han} \p{Han}")
    for page in seed_pages():
        text = normalize(page.read_text(encoding="utf-8-sig")).text
        for line in text.split("\n"):
            if len(line) > 40:  # body paragraphs: no space left between two Chinese characters
                assert not han_space_han.search(line), line
        assert "\n\n" not in text and "２" not in text


def _check_offsets(raw: str) -> None:
    n = normalize(raw)
    assert len(n.raw_index) == len(n.text)
    assert all(a < b for a, b in zip(n.raw_index, n.raw_index[1:])), "map must be increasing"
    for i, ch in enumerate(n.text):
        r = n.raw_index[i]
        assert 0 <= r < len(raw)
        if ch == "\n":
            continue  # a paragraph separator maps to the line break it stands for
        if ch == " ":
            assert raw[r].isspace() or fold_char(raw[r]) == " "
            continue
        assert fold_char(raw[r]) == ch
    # every span maps back to raw text that holds the same characters, in order
    for s in range(0, len(n.text), max(1, len(n.text) // 7)):
        for e in (s, min(len(n.text), s + 1), min(len(n.text), s + 5)):
            rs, re_ = n.to_raw(s, e)
            assert 0 <= rs <= re_ <= len(raw)
            seg = "".join(fold_char(c) for c in raw[rs:re_])
            it = iter(seg)
            assert all(c in it for c in n.text[s:e] if c not in " \n")
    # the compact map expands back to the full one
    norm_at, raw_at = n.offset_segments()
    assert NormText.expand_segments(norm_at, raw_at, len(n.text)) == n.raw_index


ALPHABET = st.sampled_from(list("北关区召开会议党委书记李富生。，、：“”（）() 　\n\n\n\t２０3月日年#□—-摄ABab1 \r\u200b"))


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, max_size=120))
def test_every_normalised_character_maps_back_to_the_raw_text(raw):
    _check_offsets(raw)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_normaliser_survives_any_string(raw):
    _check_offsets(raw)


def test_offsets_on_seeds():
    for page in seed_pages():
        _check_offsets(page.read_text(encoding="utf-8-sig"))
