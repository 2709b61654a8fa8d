"""The compiled segmenter gives exactly spacy-pkuseg's words: on the seeds, on a 1 MB corpus
built from them, and on generated text; plus its user dictionary, its compiled tables and
its errors."""
from __future__ import annotations

import os
import pickle
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.bench import corpus_pages
from pipeline.model import locate_model
from pipeline.wordseg import CompileError, FastPkuseg, UserDictionary, ensure_compiled
from pipeline.wordseg.compile import default_dictionary_path, is_current

from .conftest import SEEDS, seed_pages

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _first_difference(fast, reference, lines):
    for line in lines:
        a, b = fast.cut(line), reference.cut(line)
        if a != b:
            return line, a, b
    return None


def test_same_words_as_spacy_pkuseg_on_the_seeds(segmenter, reference_segmenter):
    assert segmenter.engine == "compiled" and reference_segmenter.engine == "spacy-pkuseg"
    for page in seed_pages():
        text = page.read_text(encoding="utf-8-sig")
        # whole lines, and the page at once (spaces and line breaks inside)
        assert _first_difference(segmenter, reference_segmenter, [*text.splitlines(), text]) is None


def test_same_words_on_a_1mb_corpus(segmenter, reference_segmenter):
    lines, size = [], 0
    for _, text in corpus_pages(SEEDS, 1.0):
        lines += text.splitlines()
        size += len(text.encode("utf-8"))
    assert size >= 1_000_000
    assert _first_difference(segmenter, reference_segmenter, lines) is None


def test_same_spacy_docs(segmenter, reference_segmenter):
    text = "北关区 2月 28日\n至 3月 1日召开全区重点项目现场推进会，总投资１２.５亿元。ＡＢＣ公司"
    a, b = next(segmenter.docs([text])), next(reference_segmenter.docs([text]))
    assert [(t.text, t.whitespace_) for t in a] == [(t.text, t.whitespace_) for t in b]
    assert a.text == text


def _pool():
    """Real words (the default dictionary), characters the model normalises (digits,
    full-width letters, "-._,|/*:"), whitespace, and characters it has never seen."""
    with open(default_dictionary_path(), "rb") as fh:
        words = pickle.load(fh).strip().split("\n")
    return (words[::211] + list("0123456789.-_,|/*:&%％１２３ＡＢｚ／・－几十万亿零")
            + [" ", "\u3000", "\n", "\t", "a", "Z", "\U0001F600", "\u0301", "\x00", "𠀀", "〇"])


POOL = _pool()
GENERATED = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(POOL), max_size=25).map("".join),
    st.lists(st.one_of(st.sampled_from(POOL), st.text(max_size=2)), max_size=25).map("".join),
)


@SETTINGS
@given(GENERATED)
def test_same_words_on_generated_text(segmenter, reference_segmenter, text):
    assert segmenter.cut(text) == reference_segmenter.cut(text)


@pytest.mark.parametrize("text", [
    # Viterbi ties: two paths with exactly the same score (weights are multiples of 1e-4);
    # the library keeps the last best predecessor. Found by comparing on random text.
    "浩门镇无任之禄李东义大人虎变董小秀林鸿彬洋台坑",
    "往妻果询课运猫量努）昭批清灾步",
    "靓栏辉碑锚坐(冷笑优",
])
def test_exact_ties_are_broken_as_the_library_does(segmenter, reference_segmenter, text):
    assert segmenter.cut(text) == reference_segmenter.cut(text)


def test_edge_cases(segmenter, reference_segmenter):
    for text in ["", " ", "\u3000\n", "会", "。", "１", "\U0001F600" * 3,
                 "重点项目" * 3000,                      # longer than the kernel's first buffers
                 "" .join(chr(c) for c in range(0x4E00, 0x4E00 + 5000, 7))]:
        assert segmenter.cut(text) == reference_segmenter.cut(text)


# --- the user dictionary ------------------------------------------------------------------

@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet="ABC", min_size=1, max_size=4), max_size=6),
       st.text(alphabet="ABCX", max_size=20))
def test_user_dictionary_cuts_like_the_library(words, text):
    from spacy_pkuseg import Preprocesser

    ours = UserDictionary(words).pieces(text) if text else []
    lst, isword, _ = Preprocesser(words).solve(text) if text else ([], [], [])
    assert ours == list(zip(lst, isword))


def test_user_dictionary_keeps_the_library_quirk():
    # the walk stops on X: the piece runs to X, not to the end of the longest word "AB"
    assert UserDictionary(["AB", "ABCD"]).pieces("ABCX") == [("ABC", True), ("X", False)]
    assert UserDictionary(["AB", "ABCD"]).pieces("ABC") == [("AB", True), ("C", False)]


@pytest.mark.parametrize("words", [["北关区", "北关区委", "推进会"], ["重点项目现场", "重点"], []])
def test_same_words_with_other_user_dictionaries(words):
    from pipeline.segment import Segmenter

    fast = Segmenter.load(user_words=words)
    reference = Segmenter.load(user_words=words, engine="spacy-pkuseg")
    text = "北关区委北关区组织召开了全区重点项目现场推进会。重点项目现场观摩"
    assert fast.cut(text) == reference.cut(text)


def test_spacy_user_dictionary_reset_is_honoured(segmenter):
    from pipeline.segment import Segmenter

    seg = Segmenter.load(user_words=["推进会议"])
    seg.nlp.tokenizer.pkuseg_update_user_dict(["现场推"], reset=True)
    words = seg.cut("重点项目现场推进会议")
    assert "现场推" in words and "推进会议" not in words


# --- compiled tables ------------------------------------------------------------------------

@pytest.fixture()
def model_copy(tmp_path):
    """A copy of the model files (hard links: the model is 250 MB) without compiled tables,
    with the features as the pickle of older pkuseg models (the default model uses msgpack)."""
    src = locate_model()
    dst = tmp_path / "model"
    dst.mkdir()
    for name in ("features.pkl", "weights.npz"):
        try:
            os.link(src / name, dst / name)
        except OSError:
            shutil.copy2(src / name, dst / name)
    return dst


def test_tables_are_compiled_once_and_rebuilt_when_a_source_changes(model_copy, segmenter):
    from pipeline.segment import Segmenter

    assert locate_model(model_copy) == model_copy
    folder = ensure_compiled(model_copy, quiet=True)
    assert is_current(folder, model_copy)
    manifest = (folder / "manifest.json").stat().st_mtime_ns
    assert ensure_compiled(model_copy, quiet=True) == folder
    assert (folder / "manifest.json").stat().st_mtime_ns == manifest        # not rebuilt
    seg = FastPkuseg.load(model_copy)
    text = "区委副书记、区长路录平就《实施意见》做了起草说明。"
    assert seg.cut(text) == segmenter.cut(text)
    weights = model_copy / "weights.npz"                  # a changed source (a new file:
    shutil.copyfile(locate_model() / "weights.npz", weights.with_suffix(".tmp"))  # the old one
    os.replace(weights.with_suffix(".tmp"), weights)      # may be a hard link to the real model)
    assert not is_current(folder, model_copy)
    assert FastPkuseg.load(model_copy).cut(text) == seg.cut(text)
    assert is_current(folder, model_copy)
    assert Segmenter.load(model_copy).cut(text) == segmenter.cut(text)   # the user-facing API


def test_a_damaged_model_is_an_error_naming_the_file(tmp_path):
    (tmp_path / "weights.npz").write_bytes(b"not a numpy archive")
    (tmp_path / "features.msgpack").write_bytes(b"\xc1")
    with pytest.raises(CompileError, match="features.msgpack"):
        FastPkuseg.load(tmp_path)
    assert not (tmp_path / "compiled").exists()      # nothing half-written
    with pytest.raises(CompileError, match="weights.npz"):
        FastPkuseg.load(tmp_path / "nowhere")


def test_one_segmenter_shared_by_threads_gives_the_same_words(segmenter):
    from concurrent.futures import ThreadPoolExecutor

    lines = [line for page in seed_pages() for line in page.read_text(encoding="utf-8-sig").splitlines()]
    expected = [segmenter.cut(line) for line in lines]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(segmenter.cut, lines * 3)) == expected * 3


@pytest.fixture(scope="module")
def small_model(tmp_path_factory, reference_segmenter):
    """A pkuseg model trained here by spacy-pkuseg itself on the seeds' words: other
    features, other weights, and no "" in its word list (the mixed model has one)."""
    import contextlib
    import io

    import spacy_pkuseg

    lines = [" ".join(reference_segmenter.cut(line)) for page in seed_pages()
             for line in page.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    folder = tmp_path_factory.mktemp("small-model")
    (folder / "train.txt").write_text("\n".join(lines[:-60]) + "\n", encoding="utf-8")
    (folder / "test.txt").write_text("\n".join(lines[-60:]) + "\n", encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(folder)   # the trainer writes its scratch files under the working directory
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            spacy_pkuseg.train("train.txt", "test.txt", str(folder / "model"), train_iter=2)
    finally:
        os.chdir(cwd)
    return folder / "model"


@pytest.fixture(scope="module")
def small_pair(small_model):
    import contextlib
    import io

    import spacy_pkuseg

    with contextlib.redirect_stdout(io.StringIO()):
        reference = spacy_pkuseg.pkuseg(str(small_model), user_dict="default")
    return FastPkuseg.load(small_model), reference


def test_same_words_with_another_trained_model(small_pair):
    fast, reference = small_pair
    lines = [line for page in seed_pages() for line in page.read_text(encoding="utf-8-sig").splitlines()]
    assert _first_difference(fast, reference, lines) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(GENERATED)
def test_same_words_with_another_trained_model_on_generated_text(small_pair, text):
    fast, reference = small_pair
    assert fast.cut(text) == reference.cut(text)
