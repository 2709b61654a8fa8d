"""Locate, fetch and verify the pkuseg segmentation model.

spacy-pkuseg ships no model and would download one at run time from a host we cannot
reach. The source distribution of ``pkuseg==0.0.25`` on the package registry carries the
"mixed" default model (``pkuseg/models/default/{features.pkl,weights.npz}``), so we fetch
that sdist with pip (the ordinary registry client), unpack the two model files into
``data/models/pkuseg-mixed/`` once, and verify them by checksum.

Licence: the pkuseg code is MIT; the mixed model was trained on data whose licence
restricts it to research and academic use (see README).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from .paths import DEFAULT_MODEL_DIR

SDIST_REQUIREMENT = "pkuseg==0.0.25"
SDIST_MEMBER_DIR = "pkuseg-0.0.25/pkuseg/models/default/"
# sha256 of the two model files inside pkuseg-0.0.25.tar.gz: a fetch that gives other
# bytes is refused, so every machine segments with exactly the same model.
MODEL_FILES = {
    "features.pkl": "265dcf5534a11d6429776f7e7450a9eef8e075b1a4bedb82ef996994d9c721ac",
    "weights.npz": "95d1632a1fed45993b5006d8ba85939cb110fae71313987673582d24669811dd",
}


class ModelMissingError(RuntimeError):
    """The segmentation model is not where the pipeline looks for it."""


def fetch_instructions(model_dir: Path) -> str:
    return (
        f"pkuseg model not found in {model_dir}.\n"
        "Fetch it once with:  make model   (or: .venv/bin/python -m pipeline fetch-model)\n"
        f"This runs `pip download --no-deps --no-build-isolation {SDIST_REQUIREMENT}` "
        "(needs numpy, setuptools and wheel in the venv) and unpacks "
        f"{SDIST_MEMBER_DIR}{{features.pkl,weights.npz}} into {model_dir}."
    )


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def model_is_complete(model_dir: Path) -> bool:
    """A folder of pkuseg model files: weights.npz and the features (msgpack, or the pickle
    of older pkuseg models). Checksums of our own model are verified at fetch time, and a
    fetch appears whole or not at all (atomic move)."""
    def present(name: str) -> bool:
        path = model_dir / name
        return path.is_file() and path.stat().st_size > 0
    return present("weights.npz") and (present("features.msgpack") or present("features.pkl"))


def locate_model(model_dir: Path | None = None) -> Path:
    """Return the model folder, or raise ModelMissingError saying how to get it."""
    model_dir = Path(model_dir or os.environ.get("PIPELINE_PKUSEG_MODEL") or DEFAULT_MODEL_DIR)
    if not model_is_complete(model_dir):
        raise ModelMissingError(fetch_instructions(model_dir))
    return model_dir


def _add_msgpack_features(folder: Path) -> None:
    """Save the features in spacy-pkuseg's own msgpack format beside the pickle: spacy-pkuseg
    looks for features.msgpack first, and loading it skips unpickling an old pickle."""
    import contextlib
    import io

    from spacy_pkuseg.feature_extractor import FeatureExtractor

    with contextlib.redirect_stdout(io.StringIO()):  # it prints a WARNING when using the pickle
        FeatureExtractor.load(str(folder)).save(str(folder))


def fetch_model(model_dir: Path | None = None, *, force: bool = False, quiet: bool = False) -> Path:
    """Download the pkuseg sdist with pip and unpack the mixed model into model_dir.

    The files are written to a temporary folder beside the target and moved into place
    only once complete, so an interrupted fetch never leaves a half model behind.
    """
    model_dir = Path(model_dir or DEFAULT_MODEL_DIR)
    if model_is_complete(model_dir) and not force:
        if not quiet:
            print(f"pkuseg model already in {model_dir}", file=sys.stderr)
        compile_segmenter(model_dir, quiet=quiet)
        return model_dir
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model_dir.parent, prefix=".fetch-") as tmp:
        tmp_path = Path(tmp)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-build-isolation",
               "--no-binary", ":all:", "--disable-pip-version-check", "-d", str(tmp_path),
               SDIST_REQUIREMENT]
        if not quiet:
            print("fetching the pkuseg mixed model: " + " ".join(cmd[2:]), file=sys.stderr)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"pip download {SDIST_REQUIREMENT} failed:\n{proc.stderr[-2000:]}")
        sdists = sorted(tmp_path.glob("pkuseg-*.tar.gz"))
        if not sdists:
            raise RuntimeError(f"pip download {SDIST_REQUIREMENT} produced no sdist in {tmp_path}")
        staging = tmp_path / "model"
        staging.mkdir()
        with tarfile.open(sdists[0], "r:gz") as tar:
            for name in MODEL_FILES:
                member = tar.getmember(SDIST_MEMBER_DIR + name)
                src = tar.extractfile(member)
                if src is None:
                    raise RuntimeError(f"{member.name} is not a regular file in {sdists[0].name}")
                with open(staging / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        for name, expected in MODEL_FILES.items():
            got = sha256_file(staging / name)
            if got != expected:
                raise RuntimeError(f"{name} from {sdists[0].name} has sha256 {got}, expected {expected}")
        _add_msgpack_features(staging)
        sums = "".join(f"{digest}  {name}\n" for name, digest in MODEL_FILES.items())
        (staging / "SHA256SUMS").write_text(sums)
        (staging / "SOURCE").write_text(
            f"Unpacked from the {SDIST_REQUIREMENT} source distribution ({SDIST_MEMBER_DIR}).\n"
            "The pkuseg 'mixed' model: trained on data restricted to research and academic use.\n")
        if model_dir.exists():
            shutil.rmtree(model_dir)
        os.replace(staging, model_dir)
    if not quiet:
        print(f"pkuseg model written to {model_dir}", file=sys.stderr)
    compile_segmenter(model_dir, quiet=quiet)
    return model_dir


def compile_segmenter(model_dir: Path, *, quiet: bool = False) -> Path:
    """Compile the model into the segmenter's tables now (once, ~15 s), not at first use."""
    from .wordseg import ensure_compiled

    return ensure_compiled(model_dir, quiet=quiet)
