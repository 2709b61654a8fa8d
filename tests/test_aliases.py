"""Aliases within a page: which shorter names join a longer one (pipeline/extract/aliases.py)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract.aliases import AliasRules
from pipeline.rules import load_rules

PLACES = {"北京", "常州", "齐齐哈尔", "齐齐哈尔市", "东城区"}


@pytest.fixture(scope="module")
def rules() -> AliasRules:
    rules = load_rules()
    return AliasRules.from_lexicons(rules["ner"]["lexicons"], PLACES.__contains__, rules["orgs"]["abbreviations"])


@pytest.mark.parametrize("label, names, want", [
    ("LOC", ["常州", "常州市"], {"常州": ("常州市", "ner.alias_place_unit")}),
    ("LOC", ["石桥", "石桥镇", "许昌市"], {"石桥": ("石桥镇", "ner.alias_place_unit")}),
    # 路 is no unit: a road named after a place is another place
    ("LOC", ["东风", "东风路"], {}),
    # a short form of two names says neither
    ("LOC", ["宜阳", "宜阳县", "宜阳镇"], {}),
    ("LOC", ["宁杭高速", "宁杭高速路", "宁杭高速公路"],
     {"宁杭高速": ("宁杭高速公路", "ner.alias_road_form"), "宁杭高速路": ("宁杭高速公路", "ner.alias_road_form")}),
    ("LOC", ["宁杭高速", "宁杭高速路"], {"宁杭高速": ("宁杭高速路", "ner.alias_road_form")}),
    ("LOC", ["齐市", "齐齐哈尔市"], {"齐市": ("齐齐哈尔市", "ner.alias_initial")}),
    ("LOC", ["齐市", "齐齐哈尔市", "齐河市"], {}),
    ("LOC", ["沪", "上海市"], {}),
    ("ORG", ["远航电器", "远航电器集团"], {"远航电器": ("远航电器集团", "ner.alias_org_form")}),
    ("ORG", ["恒信集团", "常州恒信集团"], {"恒信集团": ("常州恒信集团", "ner.alias_place_prefix")}),
    # the place before a relative organ name: 北京|市住建委 (北京市), 东城|区委 (东城区)
    ("ORG", ["市住建委", "北京市住建委"], {"市住建委": ("北京市住建委", "ner.alias_place_prefix")}),
    ("ORG", ["区委", "东城区委"], {"区委": ("东城区委", "ner.alias_place_prefix")}),
    ("ORG", ["区委", "东城区委", "文峰区委"], {}),
    # a body of a body is no alias of it: 教育局 and 东城区教育局 yes, but 党委 and 宣传部党委 no
    ("ORG", ["党委", "宣传部党委"], {}),
    ("ORG", ["教育局", "东城区教育局"], {"教育局": ("东城区教育局", "ner.alias_place_prefix")}),
    # chains end at the fullest name
    ("ORG", ["住建委", "市住建委", "北京市住建委"],
     {"住建委": ("北京市住建委", "ner.alias_place_prefix"), "市住建委": ("北京市住建委", "ner.alias_place_prefix")}),
    ("ORG", ["东城区妇联", "东城区妇女联合会"], {"东城区妇联": ("东城区妇女联合会", "ner.alias_abbreviation")}),
    ("ORG", ["区政府", "区人民政府"], {"区政府": ("区人民政府", "ner.alias_abbreviation")}),
    ("ORG", ["妇联", "区妇联"], {}),
    ("ORG", ["区妇联", "东城区妇女联合会"], {"区妇联": ("东城区妇女联合会", "ner.alias_place_prefix")}),
    # a relative organ, abbreviated or not, of the one place the page names it with
    ("ORG", ["市人民政府", "绵阳市政府"], {"市人民政府": ("绵阳市政府", "ner.alias_place_prefix")}),
    ("ORG", ["华宇康泰公司", "华宇康泰(河南)养老服务有限公司"],
     {"华宇康泰公司": ("华宇康泰(河南)养老服务有限公司", "ner.alias_brand")}),
    # a place or a two-character word before the form names no one company
    ("ORG", ["常州公司", "常州恒信食品有限公司"], {}),
    ("ORG", ["华为公司", "华为技术有限公司"], {}),
    # a body whose name holds the company's whole is a part of it (a branch), no full name of it
    ("ORG", ["华宇康泰养老服务有限公司", "华宇康泰养老服务有限公司河南分公司"], {}),
    ("ORG", ["华宇康泰公司", "华宇康泰养老服务有限公司", "华宇康泰养老服务有限公司河南分公司"],
     {"华宇康泰公司": ("华宇康泰养老服务有限公司", "ner.alias_brand")}),
    ("PERSON", ["安南", "科菲·安南"], {"安南": ("科菲·安南", "ner.alias_dotted")}),
    # persons: a given name is no alias of a full name
    ("PERSON", ["建国", "王建国"], {}),
    ("DATE", ["3日", "3月3日"], {}),
])
def test_full_names(rules, label, names, want):
    assert rules.full_names(label, names, set()) == want


def test_the_page_s_own_places_count():
    rules = AliasRules.from_lexicons(load_rules()["ner"]["lexicons"], lambda name: False)
    assert rules.full_names("ORG", ["开发区管委会", "金巢开发区管委会"], set()) == {}
    assert rules.full_names("ORG", ["开发区管委会", "金巢开发区管委会"], {"金巢"}) == {
        "开发区管委会": ("金巢开发区管委会", "ner.alias_place_prefix")}


def test_a_model_name_the_page_writes_as_a_place_is_that_place(ctx):
    from pipeline.extract.base import DocumentContext, Mention
    ner = ctx.extraction.by_name["ner"]
    text = "考察团抵达青山县。青山农产品销往各地，王青山说。"
    mentions = [Mention(5, 8, "LOC", "青山县", "ner.lac_loc", "lac", extractor="ner"),
                Mention(9, 11, "ORG", "青山", "ner.lac_org", "lac", extractor="ner"),
                Mention(19, 22, "PERSON", "王青山", "ner.lac_person", "lac", extractor="ner")]
    doc = DocumentContext("x", text, None, None, [], [], mentions=mentions)
    ner._places_the_page_names(doc)
    assert [(m.text, m.label) for m in mentions] == [("青山县", "LOC"), ("青山", "LOC"), ("王青山", "PERSON")]
    assert mentions[1].rule == "ner.named_place"


PIECES = ["常州", "北京", "绵阳", "东城", "市", "县", "区", "镇", "政府", "人民政府", "妇联", "妇女联合会", "住建委",
          "集团", "公司", "有限公司", "恒信", "远航电器", "华宇康泰", "高速", "高速公路", "高速路", "齐", "齐哈尔", "·", "安南",
          "科菲", "委", "区委"]


@given(st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join), min_size=2, max_size=12,
                unique=True),
       st.sampled_from(["LOC", "ORG", "PERSON"]))
@settings(max_examples=300, deadline=None)
def test_the_index_finds_what_every_pair_would(rules, names, label):
    """full_names looks only at the names its index offers a short form: the same answer as
    trying every pair of names of the page."""
    from pipeline.extract.aliases import _Page, pick
    places = set(names[:2])
    finder = {"LOC": rules._place_full, "ORG": rules._org_full, "PERSON": rules._person_full}[label]
    page = _Page(rules, names, places)
    direct = {}
    for short in names:
        picked = pick({(full, rule) for full in names if full != short for rule in [finder(short, full, page)] if rule})
        if picked is not None:
            direct[short] = picked
    got = rules.full_names(label, names, places)
    assert set(got) == set(direct)
    assert all(got[s][1] == direct[s][1] for s in direct if direct[s][0] not in direct)
