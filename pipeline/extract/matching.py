"""Run a rules file's patterns over a text and keep the best non-overlapping matches."""
from __future__ import annotations

from dataclasses import dataclass

import regex

from ..rules import Pattern


@dataclass
class Match:
    start: int
    end: int
    pattern: Pattern
    m: regex.Match

    @property
    def text(self) -> str:
        return self.m.group(0)

    def group(self, name: str) -> str | None:
        try:
            return self.m.group(name)
        except IndexError:
            return None


def find_all(patterns: list[Pattern], text: str) -> list[Match]:
    """Every match of every pattern; where matches overlap the longest wins, then the
    higher priority, then the earlier pattern in the file. Returned in text order."""
    found: list[tuple[int, int, int, int, Match]] = []
    for order, p in enumerate(patterns):
        for m in p.regex.finditer(text, overlapped=False):
            if m.end() > m.start():
                found.append((-(m.end() - m.start()), -p.priority, order, m.start(), Match(m.start(), m.end(), p, m)))
    found.sort(key=lambda t: t[:4])
    taken: list[Match] = []
    occupied = bytearray(len(text) + 1)
    for *_, mt in found:
        if any(occupied[mt.start:mt.end]):
            continue
        occupied[mt.start:mt.end] = b"\x01" * (mt.end - mt.start)
        taken.append(mt)
    return sorted(taken, key=lambda x: x.start)
