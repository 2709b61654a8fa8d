"""Property tests: on any string, no stage raises, and every span lies inside the text and
is the text it claims to be."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.articles import ArticleSplitter
from pipeline.extract.dates import DateExtractor, extract_dates
from pipeline.extract.money import MoneyExtractor
from pipeline.extract.lac import StatisticalNER
from pipeline.extract.ner import RuleCorrector
from pipeline.extract.officials import OfficialExtractor
from pipeline.extract.projects import Amount, ProjectExtractor
from pipeline.normalize import normalize
from pipeline.pubdate import PubDateInferrer

# pieces that make the rules fire, mixed with arbitrary characters
PIECES = ["年", "月", "日", "至", "今年", "去年", "年初", "以来", "国庆节", "期间", "当天", "截至目前", "周一",
          "元", "万", "亿", "约", "余", "以上", "每人", "每月", "、", "和", "项目", "产业园", "基地", "总投资",
          "区委", "书记", "副书记", "区长", "局长", "党委", "该局", "路录平", "李", "王", "（", "）", "摄",
          "本报讯", "记者", "通讯员", "□", "街道", "社区", "村", "路", "有限公司", "北京市", "的", "，", "。",
          "\n", "\n\n", " ", "2", "0", "3", "12", "28", "二〇二三", "十", "两", "#", "“", "”", "-", "～"]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=40).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def ex(rules):
    lex = rules["titles"]["lexicons"]
    return {
        "dates": DateExtractor(rules["dates"]), "money": MoneyExtractor(rules["money"]),
        "officials": OfficialExtractor(rules["titles"]), "projects": ProjectExtractor(rules["projects"]),
        "articles": ArticleSplitter(rules["articles"]), "pubdate": PubDateInferrer(rules["pubdate"], DateExtractor(rules["dates"]).find),
        "lac": StatisticalNER(),
        "ner": RuleCorrector(rules["ner"], tuple(lex["position"])),
    }


def _bounds(segmenter, text):
    doc = next(segmenter.docs([text]))
    return sorted({t.idx for t in doc} | {t.idx + len(t.text) for t in doc})


@SETTINGS
@given(TEXT)
def test_token_offsets_are_those_of_spacys_doc(segmenter, text):
    """The run takes the tokens' offsets from Segmenter.spans, without a Doc: the same."""
    doc = next(segmenter.docs([text]))
    assert segmenter.spans(text) == [(t.idx, t.idx + len(t.text)) for t in doc]


@SETTINGS
@given(TEXT)
def test_dates(ex, text):
    for m in extract_dates(ex["dates"], text, dt.date(2023, 3, 5)):
        assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.text
        if m.start_date is not None:
            assert m.start_date <= m.end_date


@SETTINGS
@given(TEXT)
def test_money(ex, text):
    for m in ex["money"].find(text):
        assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.text
        assert m.amount is not None or (m.low is not None and m.high is not None)


@SETTINGS
@given(TEXT)
def test_officials_and_projects(ex, segmenter, text):
    bounds = _bounds(segmenter, text)
    for o in ex["officials"].find(text, set(bounds)):
        assert text[o.person_start:o.person_end] == o.person
        assert 0 <= o.start <= o.title_start <= o.position_start < o.title_end <= len(text)
    amounts = [Amount(m.start, m.end, m.amount, m.currency) for m in ex["money"].find(text)]
    for p in ex["projects"].find(text, bounds, amounts):
        assert 0 <= p.start < p.end <= len(text) and text[p.start:p.end] == p.name


@SETTINGS
@given(TEXT)
def test_ner(ex, segmenter, text):
    words = ex["lac"].words(text)
    assert "".join(text[s:e] for s, e, _ in words) == text
    for sp in ex["ner"].correct(text, words, _bounds(segmenter, text)):
        assert 0 <= sp.start < sp.end <= len(text)
        assert sp.label in ("PERSON", "ORG", "LOC")


@SETTINGS
@given(TEXT)
def test_articles_and_pubdate(ex, raw):
    norm = normalize(raw)
    for a in ex["articles"].split(norm, raw):
        assert 0 <= a.start <= a.end <= len(norm.text)
        assert all(0 <= i < len(norm.paragraphs) for i in a.paragraphs)
        if a.headline is not None:
            assert a.headline in norm.text
    got = ex["pubdate"].infer(norm.text)
    assert got.basis in ("inferred", "none")


@pytest.fixture(scope="module")
def pipeline_ctx():
    from pipeline.run import Config, Context
    return Context.from_config(Config())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXT)
def test_whole_document_on_any_text(pipeline_ctx, text):
    from pipeline.ingest import _document
    from pipeline.run import StageError, process_document
    if not text.strip() or "\x00" in text:
        return
    try:
        rows = process_document(_document("x.txt", None, text, "utf-8"), pipeline_ctx)
    except StageError as exc:   # only control characters: an error row, the one failure allowed
        assert exc.stage == "normalize" and "no text left" in str(exc)
        return
    norm = rows["documents"][0]["norm_text"]
    for table, table_rows in rows.items():
        if table in ("documents", "articles", "tokens", "officials", "entities", "errors"):
            continue
        for r in table_rows:
            assert 0 <= r["start"] < r["end"] <= len(norm) and norm[r["start"]:r["end"]] == r["text"], table
    for o in rows["officials"]:
        assert norm[o["person_start"]:o["person_end"]] == o["person"]
    # a named entity is called by one of its mentions' names
    names = {(m["entity_id"], m["text"]) for m in rows["mentions"] if m["entity_id"] is not None}
    for e in rows["entities"]:
        assert (e["entity_id"], e["text"]) in names
