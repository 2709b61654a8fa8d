"""Sentences and words: sentence splitting on Chinese punctuation, word segmentation with
spaCy's Chinese tokenizer running the pkuseg "mixed" model (compiled: pipeline/wordseg),
with a user dictionary from rules/segment.yml.

    from pipeline.segment import Segmenter
    seg = Segmenter.load()          # finds the model where `make run` put it
    seg.cut("区委副书记、区长王建华")  # ['区委', '副书记', '、', '区长', '王建华']
    Segmenter.load("path/to/other/pkuseg/model")   # any folder of pkuseg model files

There is no fallback to character segmentation: without the model, Segmenter.load raises
ModelMissingError, which says how to fetch it.
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Iterable, Sequence

import regex

from .fragments import LOST_NAME_DOT
from .model import locate_model

# A sentence runs to its closing punctuation, with any closing quotes or brackets after it.
# (a name's lost middle dot is no sentence end: LOST_NAME_DOT)
SENTENCE = regex.compile(rf"(?:[^。！？!?；;…\n]|{LOST_NAME_DOT})*(?:[。！？!?；;]+|…+|$)[”’」』）)\"']*")


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Half-open sentence spans inside text[start:end], trimmed of spaces."""
    spans = []
    for m in SENTENCE.finditer(text, start, end):
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


# A sentence longer than this is text without sentence punctuation (a page scraped into one
# line, a table flattened): it is cut at the last clause mark before the limit, or at the
# limit, so that no stage's work grows with the square of a page. The longest sentence of
# the seeds and gold-dev has 288 characters.
MAX_SENTENCE_CHARS = 500
CLAUSE_MARKS = "，,、；;：:"


def cap_sentences(text: str, spans: list[tuple[int, int]],
                  max_chars: int = MAX_SENTENCE_CHARS) -> tuple[list[tuple[int, int]], int]:
    """spans with every sentence longer than max_chars cut into pieces (at the last clause
    mark in the second half of the window, else hard); and how many sentences were cut."""
    out, n_cut = [], 0
    for s, e in spans:
        if e - s > max_chars:
            n_cut += 1
        while e - s > max_chars:
            window = text[s:s + max_chars]
            k = max(window.rfind(c) for c in CLAUSE_MARKS)
            end = s + k + 1 if k >= max_chars // 2 else s + max_chars
            out.append((s, end))
            s = end
            while s < e and text[s].isspace():
                s += 1
        if e > s:
            out.append((s, e))
    return out, n_cut


ENGINES = ("compiled", "spacy-pkuseg")


class Segmenter:
    """pkuseg word segmentation behind spaCy's Chinese tokenizer.

    engine="compiled" (the default) runs pipeline.wordseg: the same model and the same
    words as spacy-pkuseg, about 30 times faster, loaded in milliseconds from tables
    compiled once at set-up. engine="spacy-pkuseg" runs the library itself: the
    reference the identity tests and `python -m pipeline bench` compare against.

    spaCy (0.6 s of imports) is loaded only when a Doc is asked for (`docs`, `nlp`):
    the compiled engine cuts words without it.
    """

    def __init__(self, pkuseg, engine: str, nlp=None):
        self.pkuseg = pkuseg
        self.engine = engine
        self._nlp = nlp

    @classmethod
    def load(cls, model_dir: Path | str | None = None, user_words: Sequence[str] = (),
             engine: str = "compiled") -> "Segmenter":
        if engine not in ENGINES:
            raise ValueError(f"unknown segmenter engine {engine!r} (choose from {', '.join(ENGINES)})")
        folder = locate_model(Path(model_dir) if model_dir else None)
        if engine == "compiled":
            from .wordseg import FastPkuseg

            seg = cls(FastPkuseg.load(folder), engine)
        else:
            if not (folder / "features.msgpack").is_file() and (folder / "features.pkl").is_file():
                from .wordseg.compile import refuse_unknown_pickle
                refuse_unknown_pickle(folder / "features.pkl")   # the library would unpickle it
            nlp = _blank_chinese()
            with contextlib.redirect_stdout(io.StringIO()):  # spacy-pkuseg prints loader notes
                nlp.tokenizer.initialize(pkuseg_model=str(folder), pkuseg_user_dict="default")
            seg = cls(nlp.tokenizer.pkuseg_seg, engine, nlp)
        # what spaCy's pkuseg_update_user_dict does: each word stripped, into the preprocesser
        for word in user_words:
            seg.pkuseg.preprocesser.insert(word.strip(), "")
        return seg

    @property
    def nlp(self):
        """A blank Chinese spaCy pipeline whose tokenizer runs this segmenter."""
        if self._nlp is None:
            self._nlp = _blank_chinese()
            self._nlp.tokenizer.pkuseg_seg = self.pkuseg
        return self._nlp

    def cut(self, text: str) -> list[str]:
        """The words of text, as spacy_pkuseg's cut gives them (whitespace dropped)."""
        return self.pkuseg.cut(text)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The tokens of the Doc that docs() would make of text, as (start, end) offsets,
        without building it: the words aligned to the text as spaCy aligns them
        (spacy.util.get_words_and_spaces), whitespace not taken as a token's trailing space
        being a token of its own."""
        return align_words(self.cut(text), text)

    def docs(self, texts: Iterable[str]):
        """spaCy Docs, one per text, tokenised by pkuseg (whitespace kept as spaCy does)."""
        tokenizer = self.nlp.tokenizer
        return (tokenizer(t) for t in texts)


def align_words(words: list[str], text: str) -> list[tuple[int, int]]:
    """spaCy's get_words_and_spaces as offsets: each word found from where the last ended; a
    gap before it is a token; one space after a token is its trailing space; what is left
    at the end is a token."""
    if "".join("".join(words).split()) != "".join(text.split()):
        raise ValueError(f"the words do not spell the text: {text[:60]!r}")
    out = []
    pos = 0
    for word in words:
        if word.isspace():
            continue
        start = text.index(word, pos)
        if start > pos:
            out.append((pos, start))
        pos = start + len(word)
        out.append((start, pos))
        if pos < len(text) and text[pos] == " ":
            pos += 1
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def _blank_chinese():
    import spacy

    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
