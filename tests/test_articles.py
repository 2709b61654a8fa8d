from __future__ import annotations

import pytest
import regex

from pipeline.articles import ArticleSplitter, BylineGrammar, parse_byline, split_names
from pipeline.normalize import normalize

from .conftest import SEEDS, gold_files


@pytest.fixture(scope="module")
def splitter(rules):
    return ArticleSplitter(rules["articles"])


def split(splitter, raw):
    return splitter.split(normalize(raw), raw)


@pytest.mark.parametrize("fragment, names", [
    ("王嘉晨", ["王嘉晨"]),
    ("王嘉晨 李庆龄", ["王嘉晨", "李庆龄"]),
    ("程 志吉", ["程志吉"]),            # a name broken by a line wrap
    ("王嘉晨、李庆龄", ["王嘉晨", "李庆龄"]),
    ("王嘉晨李庆龄", ["王嘉晨", "李庆龄"]),
    ("欧阳明 司马相如", ["欧阳明", "司马相如"]),
])
def test_split_names(fragment, names):
    assert split_names(fragment) == names


@pytest.mark.parametrize("raw, expected", [
    ("记者 王嘉晨 通讯员 申楠", {"reporters": ["王嘉晨"], "correspondents": ["申楠"], "photographers": []}),
    ("□本报记者 李庆龄 文/图", {"reporters": ["李庆龄"], "correspondents": [], "photographers": ["李庆龄"]}),
    ("□本报记者 王嘉晨 通讯员 程志吉", {"reporters": ["王嘉晨"], "correspondents": ["程志吉"], "photographers": []}),
    ("记者 张三 李四 实习生 王五", {"reporters": ["张三", "李四"], "correspondents": ["王五"], "photographers": []}),
])
def test_parse_byline(rules, raw, expected):
    assert parse_byline(BylineGrammar(rules["articles"]), raw) == expected


def test_dispatch_byline_and_headline(splitter):
    raw = ("区城管执法局 精心精细增绿护绿\n\n本报讯(记者 王嘉晨 通讯员 申楠)秋季天气转凉,苗木即将进入休眠期。\n\n"
           "近年,区城管执法局坚持建管并重。\n")
    [a] = split(splitter, raw)
    assert (a.kind, a.headline, a.reporters, a.correspondents) == (
        "news", "区城管执法局 精心精细增绿护绿", ["王嘉晨"], ["申楠"])
    text = normalize(raw).text
    assert text[a.body_start:].startswith("秋季天气转凉")


def test_section_label_kicker_headline_and_subtitle(splitter):
    raw = ("图说新闻\n\n区医保局\n\n不断提升窗口服务水平\n\n——便民服务纪实\n\n□本报记者 李庆龄 文/图\n\n"
           "“我是一名居民，来办理业务。”12月9日，一名居民说。\n")
    header, a = split(splitter, raw)
    assert (header.kind, header.headline) == ("header", "图说新闻")
    assert (a.kind, a.headline, a.kicker, a.subtitle) == ("feature", "不断提升窗口服务水平", "区医保局", "便民服务纪实")
    assert a.reporters == ["李庆龄"] and a.photographers == ["李庆龄"]


def test_photo_caption_after_an_article_is_its_own_article(splitter):
    raw = ("本报讯（记者 王嘉晨）2月25日上午，北关区召开会议。\n\n会议要求，要抓好春季农业生产工作。\n\n"
           "今年年初以来，柏庄镇突出党建引领。图为2月25日，该镇组织人员清理建筑垃圾。（王相民 摄）\n")
    news, caption = split(splitter, raw)
    assert news.kind == "news" and caption.kind == "photo_caption"
    assert caption.photographers == ["王相民"]
    assert news.end < caption.start


def test_caption_with_a_bare_credit_line(splitter):
    raw = "图说新闻\n\n北关区市场监管局开展了专项检查。图为检查现场。\n\n(邢文皓 摄)\n"
    header, caption = split(splitter, raw)
    assert header.kind == "header" and caption.kind == "photo_caption"
    assert caption.photographers == ["邢文皓"]


def test_subheadings_stay_inside_a_feature(splitter):
    raw = ("北关区：招商引资结硕果\n\n□本报记者 王嘉晨\n\n经济要发展，项目是支撑。\n\n精准招商,在质量上求突破\n\n"
           "区委书记带队招商考察，推介北关。\n")
    [a] = split(splitter, raw)
    assert a.headline == "北关区：招商引资结硕果"
    assert a.end == len(normalize(raw).text)


def test_a_longer_subheading_follows_a_lead_paragraph(splitter):
    lead = "近年来，全市的道路越来越方便，交通运输事业得到了快速发展。\n\n"
    more = "去年，全市新建农村公路一千公里。\n\n"
    line = "五年完成投资300亿元通车里程增加到一万两千公里\n\n"          # 24 characters
    [a] = split(splitter, "全市完成交通投资90亿元\n\n" + lead + line + lead)
    assert a.headline == "全市完成交通投资90亿元"                  # after the lead: a subheading
    first, second = split(splitter, "全市完成交通投资90亿元\n\n" + lead + more + line + lead)
    assert second.headline.startswith("五年完成")                 # after two paragraphs: an article


@pytest.mark.parametrize("byline, reporters, correspondents", [
    ("本报讯 记者 张三 通讯员 李四 报道：12月5日，", ["张三"], ["李四"]),     # no brackets, up to 报道
    ("（记者 张三）12月5日，", ["张三"], []),                                # a byline in brackets alone
    ("新华社北京12月5日电（记者 张三 李四）", ["张三", "李四"], []),          # an agency's dateline
    ("□ 本报通讯员 李四 记者 张三\n\n12月5日，", ["张三"], ["李四"]),        # a box line opening with another role
])
def test_bylines_of_other_papers(splitter, byline, reporters, correspondents):
    [a] = split(splitter, "全县召开经济工作会议\n\n" + byline + "全县经济工作会议召开。\n")
    assert (a.headline, a.reporters, a.correspondents) == ("全县召开经济工作会议", reporters, correspondents)


def test_a_numbered_list_is_body_and_numbered_headings_stay(splitter):
    body = "全市今年安排重点项目一百个，总投资五百亿元。\n\n"
    items = "1、城东污水处理厂\n\n2、城西供热管网\n\n3、滨河公园\n\n"
    [a] = split(splitter, "全市重点项目开工\n\n" + body + items + body)
    assert a.headline == "全市重点项目开工"
    # numbered headings with text between them stay headings
    from pipeline.articles import _classify, _numbered_lists
    sections = "一、发展成就\n\n" + body + "二、主要任务\n\n" + body + "三、保障措施\n\n" + body
    norm = normalize(sections)
    pars = _numbered_lists([_classify(norm, sections, i, splitter.grammar) for i in range(len(norm.paragraphs))])
    assert [q.cls for q in pars] == ["heading", "body"] * 3


def test_not_a_headline():
    # an unbalanced quote or a date opening marks body text, not a heading
    from pipeline.articles import _balanced
    assert not _balanced("中原高新区管委会产业发展部科员杨现科介绍:\"我们在以务实举")


def _squash(s):
    return regex.sub(r"\s+", "", s or "")


@pytest.mark.parametrize("gold", gold_files(), ids=lambda g: g["doc"])
def test_seed_articles_match_visible_gold(splitter, gold):
    raw = (SEEDS / gold["doc"]).read_text(encoding="utf-8-sig")
    got = split(splitter, raw)
    want_headlines = {_squash(a["headline"]) for a in gold["articles"] if a.get("headline")}
    got_headlines = {_squash(a.headline) for a in got if a.headline}
    assert want_headlines <= got_headlines
    assert len(got_headlines - want_headlines) <= 1
    for role in ("reporters", "correspondents", "photographers"):
        want = {n for a in gold["articles"] for n in a.get(role) or []}
        have = {n for a in got for n in getattr(a, role)}
        assert want == have, role
    # every byline article of the gold is found with its kind
    want_kinds = sorted(a["kind"] for a in gold["articles"] if a["kind"] in ("news", "feature"))
    got_kinds = sorted(a.kind for a in got if a.kind in ("news", "feature"))
    assert want_kinds == got_kinds


@pytest.mark.parametrize("raw, expected", [
    ("记者 和平安 报道", {"reporters": ["和平安"], "correspondents": [], "photographers": []}),
    ("文/张建国 图/李明华", {"reporters": ["张建国"], "correspondents": [], "photographers": ["李明华"]}),
    ("记者 王建国 李明华", {"reporters": ["王建国", "李明华"], "correspondents": [], "photographers": []}),
])
def test_more_byline_forms(rules, raw, expected):
    assert parse_byline(BylineGrammar(rules["articles"]), raw) == expected


def test_masthead_lines_are_no_articles(splitter):
    raw = "金水日报\n\n2023年3月7日 星期二\n\n区城管执法局 精心精细增绿护绿\n\n本报讯(记者 张建国)秋季天气转凉。\n"
    arts = split(splitter, raw)
    assert [(a.kind, a.headline) for a in arts] == [("news", "区城管执法局 精心精细增绿护绿")]


def test_datelines_are_cut_off_as_sentences_of_their_own(splitter):
    for text, dateline in (("新华社北京3月11日电国务院召开常务会议。", "新华社北京3月11日电"),
                           ("本报讯全县今年新建道路12公里。", "本报讯"), ("又讯某公司捐款。", "又讯"),
                           ("本报巴黎5月25日电记者报道：", "本报巴黎5月25日电"),
                           ("财经频道 某集团年产10万吨项目开工。", "财经频道")):
        assert text[:splitter.dateline_end(text, 0, len(text))] == dateline
    for text in ("本报记者张三电话采访了他。", "新华社记者报道。", "本报讯", "频道改版。"):
        assert splitter.dateline_end(text, 0, len(text)) == 0


def test_a_deck_of_clauses_under_the_headline_is_its_subtitle(splitter):
    raw = "滨江热电厂扩建项目获批\n\n预计今年下半年开工，明年完工投产\n\n14日，记者从市发改委获悉，项目总投资5亿元。\n"
    (a,) = split(splitter, raw)
    assert (a.headline, a.subtitle) == ("滨江热电厂扩建项目获批", "预计今年下半年开工，明年完工投产")
