"""How overlapping mentions are settled: one named policy, replaceable.

Extractors that own their spans (dates, amounts, titles, projects: `owns_spans`) keep every
mention; the others (the NER's PERSON/ORG/LOC candidates) compete for what is left. A
policy is any object with `settle(mentions, owners) -> kept mentions`; `Extraction` takes
one (`OwnedSpansThenLongest` unless told otherwise; `ModelBaseline` for `--ner model`).
"""
from __future__ import annotations

from .base import Mention


class OwnedSpansThenLongest:
    """A candidate inside a span that an owning extractor found is dropped (金水区 inside a
    project's name), unless it was derived from that very mention (an official's name, the
    organisation before a title); of overlapping candidates the longest wins (金水区人民政府
    is one ORG), then the surer source, then the earlier."""

    name = "owned-spans-then-longest"
    # who wins when two candidates overlap and have the same length
    SOURCE_PRIORITY = {"officials": 0, "byline": 1, "rule": 2, "lac": 3, "gazetteer": 4}
    # candidates derived from an owner's mention may overlap owned spans
    DERIVED_SOURCES = ("officials",)

    def settle(self, mentions: list[Mention], owners: set[str]) -> list[Mention]:
        owned = [m for m in mentions if m.extractor in owners]
        candidates = [m for m in mentions if m.extractor not in owners]
        size = max([m.end for m in mentions] + [0]) + 1
        owned_at = bytearray(size)
        for m in owned:
            owned_at[m.start:m.end] = b"\x01" * (m.end - m.start)
        taken = bytearray(size)
        kept = []
        priority = self.SOURCE_PRIORITY
        for c in sorted(candidates, key=lambda c: (-(c.end - c.start), priority.get(c.source, 9), c.start)):
            if c.source not in self.DERIVED_SOURCES and any(owned_at[c.start:c.end]):
                continue
            if any(taken[c.start:c.end]):
                continue
            taken[c.start:c.end] = b"\x01" * (c.end - c.start)
            kept.append(c)
        return owned + kept


class ModelBaseline:
    """`--ner model`: the statistical model's entities exactly as it tags them, beside the
    dates and amounts; nothing that the rules derive (titles, projects) is kept."""

    name = "model-baseline"
    KEEP_EXTRACTORS = ("dates", "money", "ner")

    def settle(self, mentions: list[Mention], owners: set[str]) -> list[Mention]:
        return [m for m in mentions if m.extractor in self.KEEP_EXTRACTORS]


POLICIES = {p.name: p for p in (OwnedSpansThenLongest, ModelBaseline)}
