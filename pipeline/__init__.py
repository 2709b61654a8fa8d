"""Information extraction from Chinese local-government newspaper pages."""
import os

__version__ = "0.1.0"

# Parallelism comes from worker processes, one per core. numpy's OpenBLAS would start a
# thread per core in every process, and its idle threads spin: with two workers on two
# cores they took the CPU from each other (2 workers: 1.56x one worker; with one BLAS
# thread each: 1.79x). This takes effect where numpy is not imported yet: the CLI, and
# the worker processes, which inherit the variables. A value already set is kept.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
