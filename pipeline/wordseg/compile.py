"""Compile a pkuseg model (features.msgpack, weights.npz) and spacy-pkuseg's default
dictionary into integer tables for the kernel, stored as .npy files that load memory-mapped.

spacy_pkuseg builds about 100 feature strings per character and looks each up in a dict of
2.6 million strings. Here every string feature is translated once into integers:

- characters become token ids after the library's normalisation ("-._,|/*:" -> "&",
  digits and a few numerals -> "**Num", full-width letters -> "**Letter");
- c./c-1./c1./c-2./c2. features become arrays indexed by token; c-1c./cc1./c-2c-1.
  features a hash table keyed by (kind, token, token);
- the unigram word list becomes a trie over tokens (a window of 2-6 tokens is a word or
  not); w-1./w1. features become arrays indexed by word id; ww.l./ww.r. features a hash
  table keyed by (kind, word, word);
- the default dictionary used by the post-processor becomes a trie over code points.

A feature key is mapped to every combination of tokens or words that, joined the way the
library joins them, spells the key: so a lookup here fires exactly when the library's
string lookup would. Special values keep their meaning: "**noWord" (a window that is not a
word) is word id 0; "" (a window out of range, which get_slice_str returns and which the
mixed model's unigram list contains) is word id 1.
"""
from __future__ import annotations

import importlib.util
import json
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

# Bump when the table layout or the compiler's logic changes: stored tables of another
# version are rebuilt.
FORMAT_VERSION = 4   # 4: the manifest records each array's dtype, shape, size and sha256
COMPILED_DIRNAME = "compiled"
CODE_POINTS = 0x110000

NO_WORD = "**noWord"
UNIGRAM_KINDS = ("c", "c-1", "c1", "c-2", "c2")          # kernel order: tok[i], i-1, i+1, i-2, i+2
BIGRAM_KINDS = ("c-1c", "cc1", "c-2c-1")                 # pairs (i-1, i), (i, i+1), (i-2, i-1)
WORD_KINDS = ("w-1", "w1")                              # the window ends / starts at the node
PAIR_KINDS = ("ww.l", "ww.r")
# word_flags bits: the word id occurs as (left of ww.l, right of ww.l, left of ww.r, right of ww.r)
PAIR_FLAGS = ((1, 2), (4, 8))


class CompileError(ValueError):
    """The model files cannot be compiled (missing, unreadable or of an unknown shape)."""


def library_settings() -> dict:
    """The normalisation and feature settings spacy_pkuseg runs with."""
    from spacy_pkuseg.config import config
    from spacy_pkuseg.feature_extractor import FeatureExtractor

    return {
        "keywords": FeatureExtractor.keywords,
        "num": "".join(sorted(FeatureExtractor.num)),
        "letter": "".join(sorted(FeatureExtractor.letter)),
        "num_letter_norm": bool(config.numLetterNorm),
        "word_features": bool(config.wordFeature),
        "word_min": int(config.wordMin),
        "word_max": int(config.wordMax),
    }


def default_dictionary_path() -> Path:
    """spacy-pkuseg's default dictionary, found without importing the package (its import
    costs more than loading the compiled tables)."""
    spec = importlib.util.find_spec("spacy_pkuseg")
    if spec is None or not spec.submodule_search_locations:
        raise CompileError("spacy-pkuseg is not installed: its default dictionary is needed")
    return Path(list(spec.submodule_search_locations)[0]) / "dicts" / "default.pkl"


def source_files(model_dir: Path) -> dict[str, Path]:
    # features.msgpack is spacy-pkuseg's format; older pkuseg models carry features.pkl
    features = model_dir / "features.msgpack"
    if not features.is_file() and (model_dir / "features.pkl").is_file():
        features = model_dir / "features.pkl"
    return {"features": features, "weights": model_dir / "weights.npz",
            "default dictionary": default_dictionary_path()}


def refuse_unknown_pickle(path: Path) -> None:
    """A pickle runs code when it is read: read features.pkl only when it is the very file the
    set-up fetched (its sha256 is known); any other is refused, with the way out."""
    from ..model import MODEL_FILES, sha256_file

    if sha256_file(path) != MODEL_FILES["features.pkl"]:
        raise CompileError(
            f"{path}: refusing to read this features.pkl: a pickle can run code, and this one is not the "
            f"file the set-up fetched and checked (sha256). Give a model folder with features.msgpack "
            f"(spacy-pkuseg's format: convert the pickle where you trust it, with spacy_pkuseg's "
            f"FeatureExtractor.load(folder).save(folder)), or use the model `make run` fetched")


def array_record(path: Path) -> dict:
    """What an array file must be: dtype, shape, bytes and sha256 (checked when loaded)."""
    from ..model import sha256_file

    arr = np.load(path, mmap_mode="r", allow_pickle=False)
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "bytes": path.stat().st_size,
            "sha256": sha256_file(path)}


def file_stamp(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def source_stamp(model_dir: Path) -> dict:
    """What the compiled tables were built from: a change to any source file (a new
    spacy-pkuseg brings a new default.pkl) means rebuild."""
    return {"format": FORMAT_VERSION,
            **{name: file_stamp(path) for name, path in source_files(model_dir).items()}}


def is_current(folder: Path, model_dir: Path) -> bool:
    """Do the tables in folder exist, complete, for these very source files?"""
    try:
        meta = json.loads((folder / "manifest.json").read_text())
        return meta["stamp"] == source_stamp(model_dir)
    except (OSError, ValueError, KeyError, TypeError, CompileError):
        return False


class _Tokens:
    """The library's per-character normalisation, as token ids."""

    NUM, LETTER = "**Num", "**Letter"

    def __init__(self, settings: dict, strings):
        self.keywords = set(settings["keywords"])
        self.norm = settings["num_letter_norm"]
        self.num = set(settings["num"]) if self.norm else set()
        self.letter = set(settings["letter"]) if self.norm else set()
        fixed = set()
        for s in strings:
            fixed.update(s)
        # a character that normalisation leaves as it is; "&" is what keywords become
        fixed = {c for c in fixed if self.image(c) == c} | {"&"}
        self.names = ["<oov>"] + ([self.NUM, self.LETTER] if self.norm else []) + sorted(fixed)
        self.ids = {name: i for i, name in enumerate(self.names)}

    def image(self, ch: str) -> str:
        if ch in self.keywords:
            ch = "&"
        if ch in self.num:
            return self.NUM
        if ch in self.letter:
            return self.LETTER
        return ch

    def parse(self, s: str) -> tuple[int, ...] | None:
        """The token sequence whose joined names spell s, or None. "*" is a keyword, so
        it never survives normalisation: in s it can only start "**Num" or "**Letter",
        and the parse is unique."""
        out = []
        i = 0
        while i < len(s):
            if self.norm and s.startswith(self.NUM, i):
                out.append(self.ids[self.NUM]); i += len(self.NUM)
            elif self.norm and s.startswith(self.LETTER, i):
                out.append(self.ids[self.LETTER]); i += len(self.LETTER)
            else:
                tok = self.ids.get(s[i])
                if tok is None or self.image(s[i]) != s[i]:
                    return None
                out.append(tok); i += 1
        return tuple(out)

    def table(self) -> np.ndarray:
        norm = np.zeros(CODE_POINTS, dtype=np.int32)
        for cp in range(CODE_POINTS):
            if 0xD800 <= cp <= 0xDFFF:
                continue
            name = self.image(chr(cp))
            norm[cp] = self.ids.get(name, 0)
        return norm


def _splits(rest: str, sep: str):
    """Every (left, right) with left + sep + right == rest."""
    start = 0
    while True:
        p = rest.find(sep, start)
        if p < 0:
            return
        yield rest[:p], rest[p + 1:]
        start = p + 1


class _Trie:
    """A trie over integer symbols, flattened to (parent * radix + symbol) -> child."""

    def __init__(self, radix: int):
        self.radix = radix
        self.children: dict[int, int] = {}
        self.value: list[int] = [0]

    def insert(self, symbols, value: int) -> None:
        node = 0
        for s in symbols:
            key = node * self.radix + s
            child = self.children.get(key)
            if child is None:
                child = len(self.value)
                self.children[key] = child
                self.value.append(0)
            node = child
        self.value[node] = value

    def arrays(self, build_table):
        """(hash table of all edges, the root's children as an array, value per node)."""
        keys = np.fromiter(self.children.keys(), dtype=np.int64, count=len(self.children))
        vals = np.fromiter(self.children.values(), dtype=np.int32, count=len(self.children))
        root = np.full(self.radix, -1, dtype=np.int32)
        at_root = keys < self.radix
        root[keys[at_root]] = vals[at_root]
        return build_table(keys, vals), root, np.asarray(self.value)


def compile_model(model_dir: Path, out_dir: Path, *, progress=None) -> None:
    """Build the tables for model_dir into out_dir (written whole, then moved into place)."""
    import srsly

    from ._kernel import build_table

    say = progress or (lambda msg: None)
    model_dir, out_dir = Path(model_dir), Path(out_dir)
    sources = source_files(model_dir)
    for name, path in sources.items():
        if not path.is_file():
            raise CompileError(f"{path}: missing ({name} is needed to compile the segmenter)")
    settings = library_settings()
    stamp = source_stamp(model_dir)

    say("reading features")
    if sources["features"].suffix == ".pkl":
        refuse_unknown_pickle(sources["features"])
    try:
        if sources["features"].suffix == ".pkl":
            with open(sources["features"], "rb") as fh:
                data = pickle.load(fh)
        else:
            data = srsly.read_msgpack(sources["features"])
        features: dict[str, int] = data["feature_to_idx"]
        unigram = set(data["unigram"])
        tag_to_idx: dict[str, int] = data["tag_to_idx"]
    except Exception as exc:  # msgpack raises several types for a damaged file
        raise CompileError(f"{sources['features']}: cannot read features ({exc})") from exc
    del data
    try:
        with np.load(sources["weights"]) as npz:
            sizes = npz["sizes"]
            weights = np.ascontiguousarray(npz["w"], dtype=np.float64)
    except Exception as exc:
        raise CompileError(f"{sources['weights']}: cannot read weights ({exc})") from exc
    n_tags, n_features = int(sizes[0]), int(sizes[1])
    if weights.shape[0] != n_tags * (n_features + n_tags) or len(features) > n_features:
        raise CompileError(f"{sources['weights']}: {weights.shape[0]} weights do not fit "
                           f"{n_tags} tags and {n_features} features")
    if features.get("$$") != 0:
        raise CompileError(f"{sources['features']}: feature 0 is not '$$'")
    tags = sorted(tag_to_idx, key=tag_to_idx.get)
    if [tag_to_idx[t] for t in tags] != list(range(n_tags)):
        raise CompileError(f"{sources['features']}: tag ids are not 0..{n_tags - 1}")

    say("tokens")
    tokens = _Tokens(settings, [*features, *unigram])
    V = len(tokens.names)
    wmin, wmax = settings["word_min"], settings["word_max"]

    say("words")
    word_ids = {NO_WORD: 0, "": 1}
    word_trie = _Trie(V)
    for word in sorted(unigram):
        parsed = tokens.parse(word) if word else None
        if parsed is not None and wmin <= len(parsed) <= wmax:
            word_ids[word] = len(word_ids)
            word_trie.insert(parsed, word_ids[word])
    NW = len(word_ids)
    out_of_range_word = 1 if "" in unigram else 0

    say("features")
    unigram_table = np.full(len(UNIGRAM_KINDS) * V, -1, dtype=np.int32)
    word_feature = np.full(2 * NW, -1, dtype=np.int32)
    word_flags = np.zeros(NW, dtype=np.uint8)
    bigram_rows: dict[int, list[int]] = {}    # a * V + b -> feature per kind (-1: none)
    pair_keys, pair_vals = [], []
    unigram_kind = {k: i for i, k in enumerate(UNIGRAM_KINDS)}
    bigram_kind = {k: i for i, k in enumerate(BIGRAM_KINDS)}
    word_kind = {k: i for i, k in enumerate(WORD_KINDS)}
    for key, idx in features.items():
        head, dot, rest = key.partition(".")
        if not dot:
            continue                                          # '$$'
        if head == "ww":
            side, dot, rest = rest.partition(".")
            kind = PAIR_KINDS.index("ww." + side) if side in ("l", "r") and dot else None
            if kind is None:
                continue
            for left, right in _splits(rest, "*"):
                a, b = word_ids.get(left), word_ids.get(right)
                # "" is a possible value only where the unigram list holds it
                if a is None or b is None or (1 in (a, b) and not out_of_range_word):
                    continue
                pair_keys.append((kind * NW + a) * NW + b)
                pair_vals.append(idx)
                word_flags[a] |= PAIR_FLAGS[kind][0]
                word_flags[b] |= PAIR_FLAGS[kind][1]
        elif head in unigram_kind:
            parsed = tokens.parse(rest)
            if parsed is not None and len(parsed) == 1:
                unigram_table[parsed[0] * len(UNIGRAM_KINDS) + unigram_kind[head]] = idx
        elif head in bigram_kind:
            for left, right in _splits(rest, "."):
                a, b = tokens.parse(left), tokens.parse(right)
                if a is not None and b is not None and len(a) == 1 and len(b) == 1:
                    row = bigram_rows.setdefault(a[0] * V + b[0], [-1] * len(BIGRAM_KINDS))
                    row[bigram_kind[head]] = idx
        elif head in word_kind:
            wid = word_ids.get(rest)
            if wid is not None and wid != 0 and (wid != 1 or out_of_range_word):
                word_feature[2 * wid + word_kind[head]] = idx
    del features

    say("default dictionary")
    try:
        with open(sources["default dictionary"], "rb") as fh:
            dictionary = pickle.load(fh).strip().split("\n")
    except Exception as exc:
        raise CompileError(f"{sources['default dictionary']}: cannot read the dictionary ({exc})") from exc
    dict_trie = _Trie(CODE_POINTS)
    for word in dictionary:
        if word:
            dict_trie.insert(map(ord, word), 1)

    say("hash tables")
    arrays = {"norm": tokens.table(), "unigram": unigram_table,
              "node_word": np.asarray(word_trie.value, dtype=np.int32),
              "word_feature": word_feature, "word_flags": word_flags, "weights": weights}
    # the three bigram kinds read the same pair of adjacent tokens: one lookup gives a row
    arrays["bigram"] = build_table(np.fromiter(bigram_rows, dtype=np.int64, count=len(bigram_rows)),
                                   np.arange(len(bigram_rows), dtype=np.int32))
    arrays["bigram_features"] = np.asarray(list(bigram_rows.values()), dtype=np.int32).reshape(-1)
    arrays["word_pairs"] = build_table(np.asarray(pair_keys, dtype=np.int64),
                                       np.asarray(pair_vals, dtype=np.int32))
    arrays["token_trie"], arrays["token_root"], _ = word_trie.arrays(build_table)
    arrays["dict_trie"], arrays["dict_root"], final = dict_trie.arrays(build_table)
    arrays["dict_final"] = final.astype(np.uint8)

    meta = {"stamp": stamp, "settings": settings, "n_tags": n_tags, "n_features": n_features, "n_tokens": V,
            "n_words": NW, "word_min": wmin, "word_max": wmax,
            "word_features": settings["word_features"], "merge_dictionary": True,
            "out_of_range_word": out_of_range_word,
            "begins": ["B" in tag for tag in tags], "tags": tags}

    say("writing")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}-"))
    staging.chmod(0o755)  # mkdtemp makes it private; the tables are as readable as the model
    try:
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        meta["arrays"] = {name: array_record(staging / f"{name}.npy") for name in arrays}
        # the manifest is written last: its presence means the folder is complete
        (staging / "manifest.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False))
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def main(argv=None) -> int:
    """python -m pipeline.wordseg.compile MODEL_DIR [OUT_DIR]"""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(main.__doc__, file=sys.stderr)
        return 2
    model_dir = Path(argv[0])
    out_dir = Path(argv[1]) if len(argv) > 1 else model_dir / COMPILED_DIRNAME
    compile_model(model_dir, out_dir, progress=lambda m: print(m, file=sys.stderr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
