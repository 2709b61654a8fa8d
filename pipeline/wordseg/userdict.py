"""The user dictionary: words cut out of the text before the model runs, as spacy_pkuseg's
``Preprocesser`` does it, quirk included.

The quirk: at a position where user words start, the library walks its trie as far as the
text follows it. If the walk stops on a character that leaves the trie, the piece cut out
runs up to that character, not to the end of the longest user word seen: with the words
"AB" and "ABCD", "ABCX" gives the piece "ABC". Only at the end of the text does it fall
back to the longest word. spaCy's tokenizer uses that class, so we keep its behaviour.
"""
from __future__ import annotations

import re


class _Node:
    __slots__ = ("children", "isword")

    def __init__(self):
        self.children: dict[str, _Node] = {}
        self.isword = False


class UserDictionary:
    """Same trie and the same walk as spacy_pkuseg.Preprocesser; positions whose character
    starts no user word are skipped with one regex search instead of a Python step each."""

    def __init__(self, words=()):
        self.root = _Node()
        self._starts: re.Pattern | None = None
        self._stale = False
        for word in words:
            self.insert(word)

    def insert(self, word: str, usertag: str = "") -> None:
        """Add a word (the signature spaCy's pkuseg_update_user_dict calls; tags unused)."""
        node = self.root
        for ch in word:
            node = node.children.setdefault(ch, _Node())
        node.isword = True
        self._stale = True

    def _start_pattern(self) -> re.Pattern | None:
        if self._stale:
            chars = sorted(self.root.children)
            self._starts = (re.compile("[" + "".join(f"\\U{ord(c):08x}" for c in chars) + "]")
                            if chars else None)
            self._stale = False
        return self._starts

    def pieces(self, text: str) -> list[tuple[str, bool]]:
        """(piece, is_user_word) in order; the pieces join back to text."""
        starts = self._start_pattern()
        if starts is None:
            return [(text, False)] if text else []
        out: list[tuple[str, bool]] = []
        n = len(text)
        last = i = 0
        root = self.root
        while i < n:
            m = starts.search(text, i)
            if m is None:
                break
            i = m.start()
            node, j, end_of_word, found = root, i, -1, False
            while True:
                child = node.children.get(text[j])
                if child is None:
                    found = end_of_word != -1        # the quirk: the piece ends at j
                    break
                node = child
                if node.isword:
                    end_of_word = j
                j += 1
                if j == n:
                    if end_of_word != -1:
                        j, found = end_of_word + 1, True
                    break
            if found:
                if last != i:
                    out.append((text[last:i], False))
                out.append((text[i:j], True))
                last = i = j
            else:
                i += 1
        if last < n:
            out.append((text[last:], False))
        return out
