"""The extraction stage: the registered extractors over a document's sentences, article by
article, the overlap policy, and the rows of the mentions table, of the named entities
it groups them into, and of each extractor's table.

Every extractor sees one sentence at a time through the same call, `find(sentence,
context)`; the context carries the document, the article, what the extractors before it
found there, and annotations (the NER model's words). Which extractors there are and in
which order they run comes from the registry (extract/registry.py); how overlapping
mentions are settled, from the policy (extract/overlaps.py). Ids are deterministic:
`{doc_id}-mNNNN` for mentions in text order, `{doc_id}-eNNNN` for named entities in order of
first mention.
"""
from __future__ import annotations

import time
from collections import Counter

from .extract.base import (Article, ArticleContext, DocumentContext, Extractor, Mention,  # noqa: F401
                           Sentence)
from .extract.overlaps import ModelBaseline, OwnedSpansThenLongest
from .extract.registry import extractor_classes


class ExtractionError(Exception):
    pass


class Extraction:
    """The extractors of the registry, built from one rules folder, and the overlap policy."""

    def __init__(self, extractors: list[Extractor], policy=None):
        self.extractors = list(extractors)
        self.by_name = {e.name: e for e in self.extractors}
        self.policy = policy or OwnedSpansThenLongest()
        self.owners = {e.name for e in self.extractors if e.owns_spans and e.labels}
        self.seconds: Counter = Counter()   # per extractor, for the benchmark
        # rule ids a mention may carry: those the extractors' code gives (declared in their rules
        # files, load_rules checks) and their patterns' ids
        self.known_rules = {rid for e in self.extractors for rid in e.rule_ids}
        for e in self.extractors:
            data = e.rules.data.get((e.rules_file or "").removesuffix(".yml")) or {}
            self.known_rules |= {p["id"] for p in data.get("patterns", [])}

    @classmethod
    def from_rules(cls, rules, ner_mode: str = "combined", **options) -> "Extraction":
        options = {"ner_mode": ner_mode, **options}
        policy = ModelBaseline() if ner_mode == "model" else OwnedSpansThenLongest()
        return cls([c(rules, options) for c in extractor_classes()], policy)

    @staticmethod
    def table_names() -> list[str]:
        """The tables extraction writes: mentions, entities, then each extractor's, in running order."""
        return ["mentions", "entities"] + [c.table.name for c in extractor_classes() if c.table is not None]

    def tables(self) -> list[str]:
        return ["mentions", "entities"] + [e.table.name for e in self.extractors if e.table is not None]

    # ---- batching across documents -----------------------------------------------------
    def prepare(self, texts: list[str]) -> None:
        for e in self.extractors:
            e.prepare(texts)

    def release(self) -> None:
        for e in self.extractors:
            e.release()

    # ---- one document ----------------------------------------------------------------------
    def mentions(self, doc: DocumentContext) -> list[Mention]:
        """Every mention of the document that the policy keeps."""
        clock = time.perf_counter
        for e in self.extractors:
            t0 = clock()
            e.annotate(doc)
            self.seconds[e.name] += clock() - t0
        by_article: dict[str, list[Sentence]] = {}
        for s in doc.sentences:
            by_article.setdefault(s.article_id, []).append(s)
        articles = {a.article_id: a for a in doc.articles}
        for article_id, sents in by_article.items():
            actx = ArticleContext(doc, articles.get(article_id) or Article(article_id, sents[0].start, sents[-1].end),
                                  sents)
            for e in self.extractors:
                t0 = clock()
                got = actx.found.setdefault(e.name, [])
                for s in sents:
                    for m in e.find(s, actx):
                        m.extractor = e.name
                        got.append(m)
                e.finish_article(actx)
                doc.mentions.extend(got)
                self.seconds[e.name] += clock() - t0
        for e in self.extractors:
            t0 = clock()
            e.finish_document(doc)
            self.seconds[e.name] += clock() - t0
        for m in doc.mentions:
            if m.rule not in self.known_rules:
                raise ExtractionError(f"extractor {m.extractor} gave rule id {m.rule!r}, which its rules file "
                                      f"does not declare")
        kept = self.policy.settle(doc.mentions, self.owners)
        for e in self.extractors:
            t0 = clock()
            e.link(doc, kept)
            self.seconds[e.name] += clock() - t0
        return kept

    def rows(self, doc_id: str, kept: list[Mention]) -> dict[str, list[dict]]:
        """Rows of mentions, of entities and of each extractor's table. One mention per (span,
        label): a person named with two titles is one PERSON mention and two officials rows.
        One entity per (label, name) of the names the extractors' link hook gave."""
        rows: dict[str, list[dict]] = {name: [] for name in self.tables()}
        seen: set[tuple[int, int, str]] = set()
        entities: dict[tuple[str, str], dict] = {}
        mention_id = ""
        for m in sorted(kept, key=lambda m: (m.start, m.end, m.label, m.rule)):
            key = (m.start, m.end, m.label)
            if key not in seen:
                seen.add(key)
                mention_id = f"{doc_id}-m{len(seen) - 1:04d}"
                entity_id = None
                if m.entity is not None:
                    entity = entities.get((m.label, m.entity))
                    if entity is None:
                        entity = entities[(m.label, m.entity)] = {
                            "entity_id": f"{doc_id}-e{len(entities):04d}", "doc_id": doc_id, "label": m.label,
                            "text": m.entity, "aliases": [], "n_mentions": 0, "first_mention_id": mention_id,
                            "alias_rules": []}
                    entity["n_mentions"] += 1
                    if m.text != m.entity and m.text not in entity["aliases"]:
                        entity["aliases"].append(m.text)
                        entity["alias_rules"].append(m.alias_rule or "")
                    entity_id = entity["entity_id"]
                rows["mentions"].append({
                    "mention_id": mention_id, "doc_id": doc_id, "article_id": m.article_id,
                    "sentence_id": m.sentence_id, "label": m.label, "start": m.start, "end": m.end,
                    "text": m.text, "source": m.source, "rule": m.rule, "entity_id": entity_id})
            e = self.by_name[m.extractor]
            if e.table is not None:
                table = rows[e.table.name]
                row = e.row(m, mention_id, len(table), doc_id)
                if row is not None:   # None: the mention is folded into another row
                    table.append(row)
        rows["entities"] = list(entities.values())
        return rows

    def extract(self, doc: DocumentContext) -> dict[str, list[dict]]:
        return self.rows(doc.doc_id, self.mentions(doc))
