"""The extractor contract: one Mention type, the contexts an extractor sees, and the class
every extractor derives from.

An extractor is a module under pipeline/extract/ that defines one subclass of `Extractor`
and is listed once in `registry.EXTRACTOR_MODULES`. It declares, as class attributes:

  name          what the registry, the CLI and `Mention.extractor` call it ("dates")
  rules_file    its file in rules/ ("dates.yml"), validated by `rules_spec`
  table         the TableSpec of the table its mentions become (None: mentions only)
  labels        the entity labels it gives (DATE); `owns_spans`: a span it found is not
                also a PERSON/ORG/LOC (the overlap policy reads this)
  requires      labels or annotations other extractors provide, that it reads
  provides      what it adds besides its labels (an annotation such as "pos_tags")
  rule_ids      rule ids its code gives (pattern ids of its rules file come on top); each
                must be declared under `rule_ids:` in its rules file

and implements `find(sentence, context) -> list[Mention]`. Optional hooks, all no-ops by
default: `prepare` (a batch of sentence texts, before any find: the NER model tags them
together), `annotate` (a document's sentence annotations), `finish_article`,
`finish_document` (before the overlap policy), `link` (after it) and `row` (a table row).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar


@dataclass
class Mention:
    """A span of documents.norm_text that an extractor found, with what it means.

    start/end are document offsets (half-open). `value` holds the normalised fields the
    extractor's table stores (start_date, amount, person ...)."""
    start: int
    end: int
    label: str
    text: str
    rule: str
    source: str
    value: dict[str, Any] = field(default_factory=dict)
    extractor: str = ""
    article_id: str | None = None
    sentence_id: str | None = None
    # for a name (PERSON, ORG, LOC): the named entity it names, by its fullest name in the
    # document, and the rule that made a shorter form its alias (set in the `link` hook)
    entity: str | None = None
    alias_rule: str | None = None

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


@dataclass
class Sentence:
    sentence_id: str
    article_id: str
    start: int
    end: int
    text: str
    bounds: list[int]          # token boundaries, relative to the sentence

    def mention(self, start: int, end: int, label: str, rule: str, source: str, **value) -> Mention:
        """A mention at sentence offsets [start, end), placed in the document."""
        return Mention(self.start + start, self.start + end, label, self.text[start:end], rule, source,
                       value, "", self.article_id, self.sentence_id)


@dataclass
class Article:
    article_id: str
    start: int
    end: int
    byline_names: list[str] = field(default_factory=list)   # reporters, correspondents, photographers


@dataclass
class DocumentContext:
    """What every extractor may read of the document being extracted."""
    doc_id: str
    text: str
    pub_date: dt.date | None
    pub_year: int | None
    sentences: list[Sentence]
    articles: list[Article]
    # annotation name -> sentence_id -> value, filled by the extractors that provide them
    annotations: dict[str, dict[str, Any]] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)      # everything found so far
    warnings: list[str] = field(default_factory=list)          # become warning rows of `errors`

    def of(self, *, extractor: str | None = None, label: str | None = None) -> list[Mention]:
        return [m for m in self.mentions if (extractor is None or m.extractor == extractor)
                and (label is None or m.label == label)]


@dataclass
class ArticleContext:
    """One article being extracted: the document, the article, what was found in it so far,
    and facts and scratch state that hold for the article only."""
    doc: DocumentContext
    article: Article
    sentences: list[Sentence]
    found: dict[str, list[Mention]] = field(default_factory=dict)   # extractor -> its mentions here
    facts: dict[str, Any] = field(default_factory=dict)             # article_date, ...
    state: dict[str, dict] = field(default_factory=dict)            # extractor -> its scratch

    def of(self, extractor: str, sentence_id: str | None = None) -> list[Mention]:
        got = self.found.get(extractor, [])
        return got if sentence_id is None else [m for m in got if m.sentence_id == sentence_id]

    def annotation(self, name: str, sentence_id: str, default=None):
        return self.doc.annotations.get(name, {}).get(sentence_id, default)

    def scratch(self, extractor: str) -> dict:
        return self.state.setdefault(extractor, {})


class Extractor:
    name: ClassVar[str] = ""
    rules_file: ClassVar[str | None] = None
    rules_spec: ClassVar[Callable | None] = None
    pattern_values: ClassVar[tuple[str, ...]] = ()   # `value` normalisers its patterns may name
    # named groups a pattern of each value must have ("a|b": at least one of them)
    pattern_groups: ClassVar[dict[str, tuple[str, ...]]] = {}
    table: ClassVar[Any] = None                       # a schemas.TableSpec, or None
    labels: ClassVar[tuple[str, ...]] = ()
    owns_spans: ClassVar[bool] = True
    requires: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[str, ...]] = ()
    rule_ids: ClassVar[tuple[str, ...]] = ()

    def __init__(self, rules, options: dict | None = None):
        self.rules = rules
        self.options = options or {}

    # ---- the contract ----------------------------------------------------------------------
    def find(self, sentence: Sentence, ctx: ArticleContext) -> list[Mention]:
        raise NotImplementedError

    # ---- optional hooks --------------------------------------------------------------------
    def prepare(self, texts: list[str]) -> None:
        """Many documents' sentence texts at once, before any of them is extracted."""

    def release(self) -> None:
        """Drop what prepare kept."""

    def annotate(self, doc: DocumentContext) -> None:
        """Add this extractor's annotations of the document's sentences."""

    def finish_article(self, ctx: ArticleContext) -> None:
        """After find ran on every sentence of the article (ctx.found[self.name])."""

    def finish_document(self, doc: DocumentContext) -> None:
        """After every extractor ran on every article, before the overlap policy."""

    def link(self, doc: DocumentContext, kept: list[Mention]) -> None:
        """After the overlap policy: kept is every mention that stays."""

    def row(self, m: Mention, mention_id: str, index: int, doc_id: str) -> dict | None:
        """The row of self.table for mention m (mention_id: its row of mentions; index: rows of
        this table so far in the document), or None when m is folded into another mention's
        row (a project's alias)."""
        return {"mention_id": mention_id, "doc_id": doc_id, "article_id": m.article_id,
                "sentence_id": m.sentence_id, "start": m.start, "end": m.end, "text": m.text,
                **m.value, "rule": m.rule}

    def describe(self) -> str:
        return self.__class__.__doc__.strip().splitlines()[0] if self.__class__.__doc__ else ""
