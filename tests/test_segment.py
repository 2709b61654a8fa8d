from __future__ import annotations

import pytest

from pipeline.model import ModelMissingError, locate_model
from pipeline.segment import Segmenter, split_sentences


@pytest.mark.parametrize("text, sentences", [
    ("区委书记讲话。会议要求，抓好落实！是否完成？", ["区委书记讲话。", "会议要求，抓好落实！", "是否完成？"]),
    ("“接地气，听得懂。”“很有温度。”群众表示。", ["“接地气，听得懂。”", "“很有温度。”", "群众表示。"]),
    ("要抓节点；要抢工期", ["要抓节点；", "要抢工期"]),
    ("没有句号的标题", ["没有句号的标题"]),
    # a "?" between Han characters is a lost middle dot, no sentence end; after them it is one
    ("市长阿不都热?克里木主持。真的吗?是的。", ["市长阿不都热?克里木主持。", "真的吗?", "是的。"]),
])
def test_split_sentences(text, sentences):
    assert [text[s:e] for s, e in split_sentences(text, 0, len(text))] == sentences


def test_pkuseg_words(segmenter):
    assert segmenter.cut("区委副书记、区长路录平就《实施意见》做了起草说明。")[:5] == \
        ["区委", "副书记", "、", "区长", "路录平"]


def test_user_dictionary_from_rules(segmenter, rules):
    assert "党工委" in rules["segment"]["user_dict"]
    assert "党工委" in segmenter.cut("红旗路街道党工委周密部署")


def test_tokens_reproduce_the_text(segmenter):
    text = "2月28日至3月1日，北关区组织召开了全区重点项目现场推进会。U乐广场 5G基地"
    doc = next(segmenter.docs([text]))
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text


def test_missing_model_says_how_to_get_it(tmp_path):
    with pytest.raises(ModelMissingError, match="fetch-model"):
        locate_model(tmp_path / "nowhere")
    with pytest.raises(ModelMissingError):
        Segmenter.load(tmp_path / "nowhere")
