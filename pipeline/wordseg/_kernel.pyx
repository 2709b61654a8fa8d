# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled core of the word segmenter: pkuseg's CRF features, emission scores, Viterbi
decoding and default-dictionary merges, computed from integer tables (see compile.py).

Every step reproduces spacy_pkuseg 1.0 bit for bit:
- features are looked up in the library's order (it sums emission weights in that order,
  and weights are multiples of 1e-4, so exact ties happen: another order can flip a tag);
- the Viterbi recursion adds (next score + node score) + edge score, keeps the last best
  predecessor on ties (``>=``) and the first best start tag (``<``), as the library does;
- the extension is compiled without fast-math and with -ffp-contract=off (setup.py), so
  the C compiler cannot reassociate or fuse the additions.
"""
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memmove


cdef extern from *:
    void __builtin_prefetch(const void* address) noexcept nogil

import numpy as np

DEF MAX_FEATURES = 128       # 1 + 8 + 2 * 8 + 2 * 8 * 8 with at most 8 word lengths
DEF MAX_LENGTHS = 8
DEF MERGE_MAX = 7            # the library merges runs of 7 words down to 2
DEF N_UNIGRAM_KINDS = 5      # c, c-1, c1, c-2, c2


cdef struct Table:
    const int64_t* slots     # key, value, key, value...: a probe reads one cache line
    uint64_t mask


cdef inline uint64_t _mix(uint64_t x) noexcept nogil:
    # murmur3's finaliser: spreads the structured keys over the table
    x ^= x >> 33
    x *= 0xff51afd7ed558ccdULL
    x ^= x >> 33
    x *= 0xc4ceb9fe1a85ec53ULL
    x ^= x >> 33
    return x


cdef inline int32_t _get(const Table* t, int64_t key) noexcept nogil:
    cdef uint64_t h = _mix(<uint64_t>key) & t.mask
    cdef int64_t k
    while True:
        k = t.slots[2 * h]
        if k == key:
            return <int32_t>t.slots[2 * h + 1]
        if k == -1:
            return -1
        h = (h + 1) & t.mask


cdef inline int _add(int32_t* out, int count, int32_t feature) noexcept nogil:
    """Append a feature that the model has (>= 0); -1 means the lookup found none."""
    if feature >= 0:
        out[count] = feature
        return count + 1
    return count


def build_table(const int64_t[::1] keys, const int32_t[::1] vals):
    """An open-addressing hash table (linear probing, load <= 0.5) as one int64 array of
    (key, value) slots; -1 marks an empty slot."""
    cdef Py_ssize_t n = keys.shape[0], i
    if vals.shape[0] != n:
        raise ValueError("keys and values differ in length")
    cdef uint64_t size = 8
    while size < <uint64_t>(2 * n):
        size <<= 1
    table = np.full(2 * size, -1, dtype=np.int64)
    cdef int64_t[::1] slots = table
    cdef uint64_t mask = size - 1, h
    for i in range(n):
        if keys[i] < 0:
            raise ValueError(f"negative key {keys[i]}")
        h = _mix(<uint64_t>keys[i]) & mask
        while slots[2 * h] != -1:
            if slots[2 * h] == keys[i]:
                raise ValueError(f"duplicate key {keys[i]}")
            h = (h + 1) & mask
        slots[2 * h] = keys[i]
        slots[2 * h + 1] = vals[i]
    return table


cdef Table _table(object array):
    cdef const int64_t[::1] slots = array
    cdef Table t
    t.slots = &slots[0]
    t.mask = <uint64_t>(slots.shape[0] // 2 - 1)
    return t


cdef const int32_t* _ints(object array):
    cdef const int32_t[::1] view = array
    return &view[0]


cdef const uint8_t* _bytes(object array):
    cdef const uint8_t[::1] view = array
    return &view[0]


cdef class Kernel:
    """Segments one whitespace-free string the way spacy_pkuseg's ``_cut`` followed by its
    ``Postprocesser`` does. Built from the arrays of a compiled model (they may be
    memory-mapped: the kernel only reads them)."""

    cdef object _arrays
    cdef const int32_t* norm
    cdef Py_ssize_t norm_size
    cdef const int32_t* unigram          # [token * 5 + kind]
    cdef const int32_t* bigram_features  # [row * 3 + kind]
    cdef int64_t n_tokens
    cdef Table bigram, token_trie, word_pairs, dict_trie
    cdef const int32_t* node_word
    cdef const int32_t* token_root   # the root's children, as an array: the commonest step
    cdef const int32_t* dict_root
    cdef const int32_t* word_feature
    cdef const uint8_t* word_flags
    cdef int64_t n_words
    cdef const double* weights
    cdef double* edge
    cdef uint8_t* begins
    cdef const uint8_t* dict_final
    cdef int n_tags, word_min, word_max, n_lengths
    cdef int32_t out_of_range_word
    cdef bint word_features, merge_dictionary
    # work buffers, grown on demand
    cdef Py_ssize_t capacity
    cdef int32_t* tokens
    cdef int32_t* windows
    cdef int32_t* pair_rows
    cdef int32_t* feature_buffer
    cdef uint32_t* chars
    cdef double* node_score
    cdef double* best
    cdef int32_t* back
    cdef Py_ssize_t* bounds
    cdef uint64_t* ends

    def __cinit__(self):
        self.edge = NULL
        self.begins = NULL
        self.capacity = 0
        self.tokens = NULL
        self.windows = NULL
        self.pair_rows = NULL
        self.feature_buffer = <int32_t*>malloc(2 * MAX_FEATURES * sizeof(int32_t))
        self.chars = NULL
        self.node_score = NULL
        self.best = NULL
        self.back = NULL
        self.bounds = NULL
        self.ends = NULL

    def __init__(self, dict arrays, dict meta):
        cdef int a, b
        self._arrays = arrays
        self.n_tags = meta["n_tags"]
        self.word_min = meta["word_min"]
        self.word_max = meta["word_max"]
        self.n_lengths = self.word_max - self.word_min + 1
        if not (1 <= self.word_min <= self.word_max) or self.n_lengths > MAX_LENGTHS:
            raise ValueError(f"word lengths {self.word_min}..{self.word_max} are not supported")
        self.word_features = meta["word_features"]
        self.merge_dictionary = meta["merge_dictionary"]
        self.out_of_range_word = meta["out_of_range_word"]
        self.n_tokens = meta["n_tokens"]
        self.n_words = meta["n_words"]

        self.norm = _ints(arrays["norm"])
        self.norm_size = arrays["norm"].shape[0]
        self.unigram = _ints(arrays["unigram"])
        self.bigram = _table(arrays["bigram"])
        self.bigram_features = _ints(arrays["bigram_features"])
        self.token_trie = _table(arrays["token_trie"])
        self.token_root = _ints(arrays["token_root"])
        self.node_word = _ints(arrays["node_word"])
        self.word_feature = _ints(arrays["word_feature"])
        self.word_flags = _bytes(arrays["word_flags"])
        self.word_pairs = _table(arrays["word_pairs"])
        self.dict_trie = _table(arrays["dict_trie"])
        self.dict_root = _ints(arrays["dict_root"])
        self.dict_final = _bytes(arrays["dict_final"])
        cdef const double[::1] w = arrays["weights"]
        self.weights = &w[0]

        cdef int T = self.n_tags
        cdef int64_t backoff = <int64_t>meta["n_features"] * T
        if w.shape[0] != backoff + T * T:
            raise ValueError("weights do not match the number of features and tags")
        self.edge = <double*>malloc(T * T * sizeof(double))
        self.begins = <uint8_t*>malloc(T)
        if self.edge == NULL or self.begins == NULL:
            raise MemoryError()
        # the library: edge_score = ones; edge_score[s_pre, s] += w[backoff + s * T + s_pre]
        for a in range(T):
            for b in range(T):
                self.edge[a * T + b] = 1.0 + self.weights[backoff + b * T + a]
        begins = meta["begins"]
        for a in range(T):
            self.begins[a] = 1 if begins[a] else 0

    def __dealloc__(self):
        free(self.edge)
        free(self.begins)
        free(self.tokens)
        free(self.windows)
        free(self.pair_rows)
        free(self.feature_buffer)
        free(self.chars)
        free(self.node_score)
        free(self.best)
        free(self.back)
        free(self.bounds)
        free(self.ends)

    cdef int _reserve(self, Py_ssize_t n) except -1:
        if n <= self.capacity:
            return 0
        cdef Py_ssize_t cap = max(n, 2 * self.capacity, 256)
        cdef int T = self.n_tags
        self.tokens = <int32_t*>realloc(self.tokens, cap * sizeof(int32_t))
        self.windows = <int32_t*>realloc(self.windows, cap * self.n_lengths * sizeof(int32_t))
        self.pair_rows = <int32_t*>realloc(self.pair_rows, cap * sizeof(int32_t))
        self.chars = <uint32_t*>realloc(self.chars, cap * sizeof(uint32_t))
        self.node_score = <double*>realloc(self.node_score, cap * T * sizeof(double))
        self.best = <double*>realloc(self.best, cap * T * sizeof(double))
        self.back = <int32_t*>realloc(self.back, cap * T * sizeof(int32_t))
        self.bounds = <Py_ssize_t*>realloc(self.bounds, (cap + 1) * sizeof(Py_ssize_t))
        self.ends = <uint64_t*>realloc(self.ends, cap * sizeof(uint64_t))
        if (self.ends == NULL or self.pair_rows == NULL or self.feature_buffer == NULL or self.tokens == NULL or self.windows == NULL or self.chars == NULL
                or self.node_score == NULL or self.best == NULL or self.back == NULL
                or self.bounds == NULL):
            self.capacity = 0
            raise MemoryError()
        self.capacity = cap
        return 0

    cdef inline int32_t _window(self, Py_ssize_t start, int length, Py_ssize_t n) noexcept nogil:
        # the word that text[start:start + length] spells, as get_slice_str sees it: out of
        # range gives "" (a word only if the model's unigram list holds "")
        if start < 0 or start + length > n:
            return self.out_of_range_word
        return self.windows[start * self.n_lengths + length - self.word_min]

    cdef void _find_pairs(self, Py_ssize_t n) noexcept nogil:
        """The bigram row of each pair of adjacent tokens (j, j + 1), or -1."""
        cdef Py_ssize_t j
        cdef int64_t V = self.n_tokens
        for j in range(n - 1):
            self.pair_rows[j] = _get(&self.bigram, <int64_t>self.tokens[j] * V + self.tokens[j + 1])

    cdef void _find_windows(self, Py_ssize_t n) noexcept nogil:
        cdef Py_ssize_t j, k
        cdef int32_t node
        cdef int L = self.n_lengths
        for j in range(n * L):
            self.windows[j] = 0
        for j in range(n):
            node = self.token_root[self.tokens[j]]
            for k in range(self.word_max):
                if k > 0:
                    if j + k >= n:
                        break
                    node = _get(&self.token_trie, <int64_t>node * self.n_tokens + self.tokens[j + k])
                if node < 0:
                    break
                if k + 1 >= self.word_min:
                    self.windows[j * L + k + 1 - self.word_min] = self.node_word[node]

    cdef int _features(self, Py_ssize_t i, Py_ssize_t n, int32_t* out) noexcept nogil:
        """The model features of node i, in spacy_pkuseg's order (feature_extractor.pyx)."""
        cdef int count = 0, k, a, b, l
        cdef int32_t pre, post
        cdef int64_t NW = self.n_words
        cdef const int32_t* tok = self.tokens
        cdef int32_t pre_in[MAX_LENGTHS]
        cdef int32_t post_in[MAX_LENGTHS]
        cdef int32_t pre_ex[MAX_LENGTHS]
        cdef int32_t post_ex[MAX_LENGTHS]
        cdef const int32_t* rows = self.pair_rows
        cdef const int32_t* uni = self.unigram
        cdef const int32_t* bi = self.bigram_features
        out[count] = 0          # '$$', always feature 0
        count += 1
        count = _add(out, count, uni[N_UNIGRAM_KINDS * tok[i]])
        if i > 0:
            count = _add(out, count, uni[N_UNIGRAM_KINDS * tok[i - 1] + 1])
            if rows[i - 1] >= 0:
                count = _add(out, count, bi[3 * rows[i - 1] + 0])
        if i + 1 < n:
            count = _add(out, count, uni[N_UNIGRAM_KINDS * tok[i + 1] + 2])
            if rows[i] >= 0:
                count = _add(out, count, bi[3 * rows[i] + 1])
        if i > 1:
            count = _add(out, count, uni[N_UNIGRAM_KINDS * tok[i - 2] + 3])
            if rows[i - 2] >= 0:
                count = _add(out, count, bi[3 * rows[i - 2] + 2])
        if i + 2 < n:
            count = _add(out, count, uni[N_UNIGRAM_KINDS * tok[i + 2] + 4])
        if not self.word_features:
            return count

        # word ids: 0 is "**noWord" (not in the unigram list), anything else is a word
        k = 0
        for l in range(self.word_max, self.word_min - 1, -1):
            pre = self._window(i - l + 1, l, n)
            if pre != 0:
                count = _add(out, count, self.word_feature[2 * pre])
            pre_in[k] = pre
            k += 1
        k = 0
        for l in range(self.word_max, self.word_min - 1, -1):
            post = self._window(i, l, n)
            if post != 0:
                count = _add(out, count, self.word_feature[2 * post + 1])
            post_in[k] = post
            pre_ex[k] = self._window(i - l, l, n)
            post_ex[k] = self._window(i + 1, l, n)
            k += 1
        # pairs of words around the node; word_flags says which ids occur in which slot,
        # so pairs that are in no feature are not looked up
        for a in range(self.n_lengths):
            if not (self.word_flags[pre_ex[a]] & 1):
                continue
            for b in range(self.n_lengths):
                if self.word_flags[post_in[b]] & 2:
                    count = _add(out, count, _get(&self.word_pairs, (0 * NW + pre_ex[a]) * NW + post_in[b]))
        for a in range(self.n_lengths):
            if not (self.word_flags[pre_in[a]] & 4):
                continue
            for b in range(self.n_lengths):
                if self.word_flags[post_ex[b]] & 8:
                    count = _add(out, count, _get(&self.word_pairs, (1 * NW + pre_in[a]) * NW + post_ex[b]))
        return count

    cdef Py_ssize_t _decode(self, Py_ssize_t n) noexcept nogil:
        """Emission scores and the library's backward Viterbi. Word starts go to bounds;
        returns the number of words."""
        cdef int T = self.n_tags, y, yp, tag, count, next_count, q
        cdef Py_ssize_t i, nb
        cdef int32_t* features
        cdef double sc, ma
        cdef double* node = self.node_score
        cdef double* best = self.best
        cdef int32_t* back = self.back
        cdef const double* row
        # emission scores: the features of node i + 1 are found (and their weights
        # fetched into the cache) while node i is summed; each tag's sum keeps the
        # library's feature order
        next_count = self._features(0, n, self.feature_buffer)
        for q in range(next_count):
            __builtin_prefetch(&self.weights[<int64_t>self.feature_buffer[q] * T])
        for i in range(n):
            features = self.feature_buffer + (i & 1) * MAX_FEATURES
            count = next_count
            if i + 1 < n:
                next_count = self._features(i + 1, n, self.feature_buffer + ((i + 1) & 1) * MAX_FEATURES)
                for q in range(next_count):
                    __builtin_prefetch(&self.weights[<int64_t>self.feature_buffer[((i + 1) & 1) * MAX_FEATURES + q] * T])
            for y in range(T):
                node[i * T + y] = 0.0
            for q in range(count):
                row = self.weights + <int64_t>features[q] * T
                for y in range(T):
                    node[i * T + y] = node[i * T + y] + row[y]
        for y in range(T):
            best[(n - 1) * T + y] = node[(n - 1) * T + y]
        for i in range(n - 2, -1, -1):
            for y in range(T):
                for yp in range(T):
                    sc = best[(i + 1) * T + yp] + node[i * T + y]
                    sc = sc + self.edge[y * T + yp]
                    if yp == 0 or sc >= best[i * T + y]:
                        best[i * T + y] = sc
                        back[i * T + y] = yp
        ma = best[0]
        tag = 0
        for y in range(1, T):
            if ma < best[y]:
                ma = best[y]
                tag = y
        self.bounds[0] = 0
        nb = 1
        for i in range(1, n):
            tag = back[(i - 1) * T + tag]
            if self.begins[tag]:
                self.bounds[nb] = i
                nb += 1
        self.bounds[nb] = n
        return nb

    cdef uint64_t _dictionary_ends(self, Py_ssize_t start, Py_ssize_t n) noexcept nogil:
        """Bit L-1 set: text[start:start + L] is a dictionary word (L <= 64)."""
        cdef uint64_t found = 0
        cdef int32_t node = self.dict_root[self.chars[start]]
        cdef Py_ssize_t k = start
        while node >= 0:
            if self.dict_final[node]:
                found |= (<uint64_t>1) << (k - start)
            k += 1
            if k >= n or k - start >= 64:
                break
            node = _get(&self.dict_trie, <int64_t>node * 0x110000 + <int64_t>self.chars[k])
        return found

    cdef bint _in_dictionary(self, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
        cdef Py_ssize_t length = end - start
        cdef int32_t node
        cdef Py_ssize_t k
        if length <= 64:
            # words start at boundaries only, and merging only removes boundaries
            return (self.ends[start] >> (length - 1)) & 1
        node = self.dict_root[self.chars[start]]
        for k in range(start + 1, end):
            if node < 0:
                return False
            node = _get(&self.dict_trie, <int64_t>node * 0x110000 + <int64_t>self.chars[k])
        return node >= 0 and self.dict_final[node] != 0

    cdef Py_ssize_t _merge(self, Py_ssize_t nb) noexcept nogil:
        """Postprocesser.post_process(check_seperated=True): a run of m words (m = 7..2)
        that spells a dictionary word is merged unless each of its words is one already."""
        cdef int m
        cdef Py_ssize_t i, k, end
        cdef bint separated
        cdef Py_ssize_t* B = self.bounds
        for k in range(nb):
            self.ends[B[k]] = self._dictionary_ends(B[k], B[nb])
        for m in range(MERGE_MAX, 1, -1):
            end = nb - m
            if end < 0:
                continue
            i = 0
            while i < end + 1:
                if self._in_dictionary(B[i], B[i + m]):
                    separated = True
                    for k in range(i, i + m):
                        if not self._in_dictionary(B[k], B[k + 1]):
                            separated = False
                            break
                    if not separated:
                        memmove(&B[i + 1], &B[i + m], (nb - i - m + 1) * sizeof(Py_ssize_t))
                        nb -= m - 1
                        end = nb - m
                i += 1
        return nb

    def cut(self, str text):
        """The words of one whitespace-free string (a piece between user-dictionary words)."""
        cdef Py_ssize_t n = len(text), i = 0, nb
        cdef Py_UCS4 ch
        if n == 0:
            return []
        self._reserve(n)
        for ch in text:
            self.chars[i] = <uint32_t>ch
            self.tokens[i] = self.norm[<uint32_t>ch] if <Py_ssize_t>ch < self.norm_size else 0
            i += 1
        with nogil:
            self._find_pairs(n)
            if self.word_features:
                self._find_windows(n)
            nb = self._decode(n)
            if self.merge_dictionary:
                nb = self._merge(nb)
        return [text[self.bounds[i]:self.bounds[i + 1]] for i in range(nb)]
