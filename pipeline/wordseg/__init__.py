"""Word segmentation with the pkuseg model, compiled: the same words as spacy_pkuseg, many
times faster.

    from pipeline.wordseg import FastPkuseg
    seg = FastPkuseg.load(model_dir)      # a folder of pkuseg model files
    seg.cut("区委副书记、区长王建华")

``FastPkuseg`` has the interface spaCy's Chinese tokenizer expects of a pkuseg segmenter
(``cut`` and ``preprocesser.insert``), so it plugs into ``nlp.tokenizer.pkuseg_seg``.
Pieces: ``compile`` turns the model into integer tables stored beside it (once, about
15 s); ``_kernel`` (Cython) computes features, scores, Viterbi and dictionary merges from
those tables; ``userdict`` cuts user words out first, as the library does.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
import threading
from pathlib import Path

import numpy as np

from ..model import sha256_file
from .compile import COMPILED_DIRNAME, CompileError, compile_model, is_current
from .userdict import UserDictionary

__all__ = ["FastPkuseg", "UserDictionary", "CompileError", "compiled_dir", "ensure_compiled"]


def compiled_dir(model_dir: Path) -> Path:
    """Where the tables of model_dir live: inside it, or in the user's cache if it is
    read-only."""
    model_dir = Path(model_dir).resolve()
    if os.access(model_dir, os.W_OK):
        return model_dir / COMPILED_DIRNAME
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(model_dir).encode()).hexdigest()[:16]
    return cache / "cnnews-pipeline" / "wordseg" / key


# arrays whose values index the feature weights (-1: no feature): checked before the kernel
# reads them, so that a damaged table is an error, never a read out of bounds
FEATURE_INDEX_ARRAYS = ("bigram_features", "word_feature")


def verified_arrays(folder: Path, meta: dict) -> dict[str, np.ndarray]:
    """The tables, memory-mapped (loading is instant and the workers of one machine share the
    pages), checked against the manifest: names, dtypes, shapes and sizes every time; sha256
    and index bounds once per state of the files (remembered in verified.json)."""
    records = meta.get("arrays")
    if not records:
        raise CompileError("the manifest records no arrays (tables of an older format)")
    files = {p.stem: p for p in folder.glob("*.npy")}
    if set(files) != set(records):
        raise CompileError(f"tables {sorted(set(records) ^ set(files))} missing or unknown")
    arrays = {}
    for name, rec in records.items():
        arr = np.load(files[name], mmap_mode="r", allow_pickle=False)
        if arr.dtype.str != rec["dtype"] or list(arr.shape) != rec["shape"] or files[name].stat().st_size != rec["bytes"]:
            raise CompileError(f"{files[name].name} is not the table that was built (dtype, shape or size)")
        arrays[name] = arr
    state = {name: [st.st_size, st.st_mtime_ns, st.st_ino] for name, p in files.items() for st in [p.stat()]}
    seen = folder / "verified.json"
    try:
        if json.loads(seen.read_text()) == state:
            return arrays
    except (OSError, ValueError):
        pass
    for name, p in files.items():
        if sha256_file(p) != records[name]["sha256"]:
            raise CompileError(f"{p.name} does not have the checksum it was built with")
    n_features = int(meta["n_features"])
    for name in FEATURE_INDEX_ARRAYS:
        a = arrays[name]
        if a.size and (int(a.min()) < -1 or int(a.max()) >= n_features):
            raise CompileError(f"{name}.npy holds feature indices outside [-1, {n_features})")
    try:
        tmp = folder / f".verified-{os.getpid()}.json"
        tmp.write_text(json.dumps(state))
        os.replace(tmp, seen)
    except OSError:
        pass   # a read-only folder: checked again next time
    return arrays


def ensure_compiled(model_dir: Path, *, quiet: bool = False) -> Path:
    """Compile the tables of model_dir unless current ones exist; returns their folder.
    A lock keeps two processes from compiling the same model at once."""
    model_dir = Path(model_dir)
    folder = compiled_dir(model_dir)
    if is_current(folder, model_dir):
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not is_current(folder, model_dir):
            say = None if quiet else (lambda m: print(f"compiling the segmenter: {m}", file=sys.stderr))
            compile_model(model_dir, folder, progress=say)
    return folder


class FastPkuseg:
    """spacy_pkuseg.pkuseg(model_dir, user_dict="default")'s ``cut``, compiled."""

    def __init__(self, kernel, user_dictionary: UserDictionary | None = None):
        self.kernel = kernel
        # the kernel reuses its work buffers from call to call and releases the GIL while
        # it computes: one call at a time
        self._lock = threading.Lock()
        # the attribute name spaCy's pkuseg_update_user_dict writes to
        self.preprocesser = user_dictionary or UserDictionary()

    @classmethod
    def load(cls, model_dir: Path | str, user_words=(), *, compile_missing: bool = True) -> "FastPkuseg":
        from ._kernel import Kernel

        model_dir = Path(model_dir)
        if not (model_dir / "weights.npz").is_file():
            raise CompileError(f"{model_dir}: no weights.npz (not a folder of pkuseg model files)")
        folder = ensure_compiled(model_dir) if compile_missing else compiled_dir(model_dir)
        try:
            meta = json.loads((folder / "manifest.json").read_text())
            arrays = verified_arrays(folder, meta)
        except (OSError, ValueError) as exc:
            if not compile_missing:
                raise CompileError(f"{folder}: {exc}") from None
            # damaged tables (a bad copy, a full disk): build them again, once
            print(f"the segmenter's tables in {folder} are damaged ({exc}): compiling them again", file=sys.stderr)
            compile_model(model_dir, folder)
            meta = json.loads((folder / "manifest.json").read_text())
            arrays = verified_arrays(folder, meta)
        return cls(Kernel(arrays, meta), UserDictionary(user_words))

    def cut(self, txt: str) -> list[str]:
        txt = txt.strip()
        if not txt:
            return []
        words: list[str] = []
        cut = self.kernel.cut
        pre = self.preprocesser
        with self._lock:
            for chunk in txt.split():
                if isinstance(pre, UserDictionary):
                    pieces = pre.pieces(chunk)
                else:  # spaCy's reset=True puts the library's Preprocesser here
                    lst, isword, _ = pre.solve(chunk)
                    pieces = zip(lst, isword)
                for piece, is_user_word in pieces:
                    if is_user_word:
                        words.append(piece)
                    else:
                        words.extend(cut(piece))
        return words
