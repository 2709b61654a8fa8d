"""Builds the compiled part of the word segmenter (pipeline/wordseg/_kernel.pyx); all other
metadata is in pyproject.toml."""
from Cython.Build import cythonize
from setuptools import Extension, setup

# The kernel must add floating point numbers exactly as spacy_pkuseg does (its output has
# exact ties): no fast-math, and no fused multiply-add contraction.
kernel = Extension(
    "pipeline.wordseg._kernel",
    ["pipeline/wordseg/_kernel.pyx"],
    extra_compile_args=["-O2", "-fno-fast-math", "-ffp-contract=off"],
)

setup(ext_modules=cythonize([kernel], compiler_directives={"language_level": "3"}))
