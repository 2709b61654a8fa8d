"""The one place that declares every output table: columns, types, descriptions, keys.

Tables are built from rows (dicts) with `build_table`, which refuses a row with a missing
or unknown column, a value of the wrong type, or a duplicate/null primary key, and sorts
rows by the primary key so that the same input always gives byte-identical Parquet.

Join keys: every table carries `doc_id`; `article_id` and `sentence_id` link sentences,
tokens and mentions to their article and sentence; `mention_id` links an extractor's row
(dates, money, ...) to its row of `mentions`, and `entity_id` a name's mention to its named
entity. Offsets `start`/`end` are half-open character offsets into `documents.norm_text`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa

SCHEMA_VERSION = "2"   # 2: mentions table; entities = named entities per document


def f(name: str, type_: pa.DataType, description: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


NAMES = pa.list_(pa.string())
DOC_ID = f("doc_id", pa.string(), "document id: sha256 of file name, record id and content (16 hex)", False)
MENTION_ID = f("mention_id", pa.string(), "doc_id-mNNNN, in text order", False)
ARTICLE_ID = f("article_id", pa.string(), "article the mention is in", False)
SENTENCE_ID = f("sentence_id", pa.string(), "sentence the mention is in", False)
START = f("start", pa.int32(), "start offset in documents.norm_text (inclusive)", False)
END = f("end", pa.int32(), "end offset in documents.norm_text (exclusive)", False)


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    schema: pa.Schema
    primary_key: tuple[str, ...]


def table_spec(name: str, description: str, fields: list[pa.Field], primary_key: tuple[str, ...]) -> TableSpec:
    schema = pa.schema(fields, metadata={
        "table": name, "description": description,
        "primary_key": ",".join(primary_key), "schema_version": SCHEMA_VERSION})
    return TableSpec(name, description, schema, primary_key)


CORE_TABLES: dict[str, TableSpec] = {t.name: t for t in [
    table_spec("documents", "one row per input page or record", [
        DOC_ID,
        f("source", pa.string(), "input file the document came from", False),
        f("source_id", pa.string(), "record id in a JSONL/Parquet/CSV input; null for .txt pages"),
        f("sha256", pa.string(), "sha256 of the decoded text (UTF-8)", False),
        f("encoding", pa.string(), "encoding the input was decoded with", False),
        f("n_raw_chars", pa.int32(), "characters in the decoded input text", False),
        f("n_chars", pa.int32(), "characters in norm_text", False),
        f("norm_text", pa.string(), "normalised text that all offsets index into", False),
        f("offset_norm", pa.list_(pa.int32()), "offset map: norm_text offsets where the mapping jumps", False),
        f("offset_raw", pa.list_(pa.int32()),
          "offset map: the decoded input offset at each offset_norm; between breakpoints "
          "characters map one to one", False),
        f("pub_date", pa.date32(), "publication date (estimated to the latest page date when inferred)"),
        f("pub_year", pa.int16(), "publication year"),
        f("pub_date_basis", pa.string(), "manifest | input | filename | printed | inferred | none", False),
        f("pub_date_evidence", pa.string(), "what the publication date rests on", False),
        f("n_articles", pa.int16(), "articles found on the page", False),
        f("normalizer_version", pa.string(), "version of the layout repair", False),
        f("rules_version", pa.string(), "hash of the rules files used", False),
        f("reuse_key", pa.string(), "hash of what else the document's rows depend on (its text, the pipeline "
          "and normaliser versions, the NER mode, a date given by the input or the manifest): an incremental "
          "run reuses the rows only when it and rules_version are unchanged", False),
    ], ("doc_id",)),
    table_spec("articles", "articles, headers and photo captions of each page", [
        f("article_id", pa.string(), "doc_id-aNNN", False),
        DOC_ID,
        f("seq", pa.int16(), "position on the page, from 0", False),
        f("kind", pa.string(), "news | feature | photo_caption | header | other", False),
        f("headline", pa.string(), "headline (for a header: the label)"),
        f("kicker", pa.string(), "short label above the headline (an office or place)"),
        f("subtitle", pa.string(), "subtitle below the headline"),
        START, END,
        f("body_start", pa.int32(), "where the body text starts (after headline and byline)"),
        f("reporters", NAMES, "reporters named in the byline", False),
        f("correspondents", NAMES, "correspondents (通讯员) named in the byline", False),
        f("photographers", NAMES, "photographers from photo credits or 文/图", False),
    ], ("article_id",)),
    table_spec("sentences", "sentences of each article's headline and body (bylines excluded)", [
        f("sentence_id", pa.string(), "doc_id-sNNNN", False),
        DOC_ID,
        f("article_id", pa.string(), "article the sentence belongs to", False),
        f("seq", pa.int32(), "position in the document, from 0", False),
        START, END,
        f("text", pa.string(), "norm_text[start:end]", False),
    ], ("sentence_id",)),
    table_spec("tokens", "pkuseg words of each sentence (written with --tokens)", [
        DOC_ID,
        f("sentence_id", pa.string(), "sentence the token belongs to", False),
        f("i", pa.int32(), "position in the sentence, from 0", False),
        START, END,
        f("text", pa.string(), "norm_text[start:end]", False),
    ], ("sentence_id", "i")),
    table_spec("mentions", "every mention found, one row per span and label, whatever its label", [
        MENTION_ID, DOC_ID, ARTICLE_ID,
        f("sentence_id", pa.string(), "sentence the mention is in; null for names in a byline or photo credit"),
        f("label", pa.string(), "the label its extractor gives (DATE, MONEY, PERSON, ORG, LOC, TITLE, PROJECT ...: "
          "python -m pipeline extractors lists them)", False),
        START, END,
        f("text", pa.string(), "norm_text[start:end]", False),
        f("source", pa.string(), "what decided it: the extractor's name, or for names byline, lac (the model), rule, gazetteer",
          False),
        f("rule", pa.string(), "id of the rule that found it (rules/*.yml)", False),
        f("entity_id", pa.string(), "the named entity a PERSON, ORG or LOC mention names (entities); null for other labels"),
    ], ("mention_id",)),
    table_spec("entities", "named entities of each page: its persons, organisations and places, each once, "
               "under the fullest name the page writes (a place and its short form are one place)", [
        f("entity_id", pa.string(), "doc_id-eNNNN, in order of first mention", False),
        DOC_ID,
        f("label", pa.string(), "PERSON | ORG | LOC", False),
        f("text", pa.string(), "the name: its fullest form written on the page", False),
        f("aliases", NAMES, "its other forms on the page (南京 for 南京市), in order of first mention", False),
        f("n_mentions", pa.int32(), "mentions of it (mentions rows with this entity_id)", False),
        f("first_mention_id", pa.string(), "its first mention (mentions.mention_id)", False),
        f("alias_rules", NAMES, "ids of the rules that joined an alias to the name (rules/ner.yml), one per alias", False),
    ], ("entity_id",)),
    table_spec("errors", "documents that could not be processed (error), or were processed with a warning", [
        f("source", pa.string(), "input file (with :line for JSONL)", False),
        f("source_id", pa.string(), "record id, when known"),
        f("stage", pa.string(), "ingest | normalize | articles | pubdate | segment | extract", False),
        f("severity", pa.string(), "error: the document is not in the tables; warning: it is", False),
        f("message", pa.string(), "what went wrong", False),
    ], ("source", "source_id", "stage", "message")),
]}


# Tables across pages, built from the per-document tables after every run (pipeline/records.py)
RECORD_TABLES: dict[str, TableSpec] = {t.name: t for t in [
    table_spec("people", "one row per person across the pages: a name and the positions that make one career", [
        f("person_key", pa.string(), "the name, with #2, #3 … for namesakes whose careers cannot be one", False),
        f("person", pa.string(), "the name as written", False),
        f("first_date", pa.date32(), "date of the first official mention"),
        f("last_date", pa.date32(), "date of the last official mention"),
        f("n_docs", pa.int32(), "pages that name the person with a position", False),
        f("n_mentions", pa.int32(), "official rows of the person", False),
        f("titles", NAMES, "positions held: org_name + title, in order of first appearance", False),
    ], ("person_key",)),
    table_spec("positions", "spells: one person in one position of one organisation, first to last page showing it", [
        f("position_id", pa.string(), "p- and 12 hex of person_key, org_key and title", False),
        f("person_key", pa.string(), "people.person_key", False),
        f("person", pa.string(), "the name as written", False),
        f("title", pa.string(), "the position noun (officials.title)", False),
        f("org_key", pa.string(), "the organisation's key: home jurisdiction and full organ name (北关区财政局)"),
        f("org_name", pa.string(), "the organisation's full name as the key spells it"),
        f("first_date", pa.date32(), "date of the first mention of the spell (officials.date)"),
        f("last_date", pa.date32(), "date of the last mention of the spell"),
        f("n_docs", pa.int32(), "pages that show the spell", False),
        f("official_ids", NAMES, "the evidence: officials.official_id rows", False),
    ], ("position_id",)),
    table_spec("project_records", "one row per project across the pages, under its fullest name", [
        f("project_key", pa.string(), "j- and 12 hex of the fullest name's key", False),
        f("name", pa.string(), "the fullest name", False),
        f("aliases", NAMES, "other names of it: short forms, with and without 项目", False),
        f("first_date", pa.date32(), "publication date of the first page naming it"),
        f("last_date", pa.date32(), "publication date of the last page naming it"),
        f("location", pa.string(), "the place stated for it most often"),
        f("investment", pa.float64(), "the largest investment stated for it, in its currency's main unit"),
        f("currency", pa.string(), "ISO 4217 code of that investment"),
        f("statuses", pa.list_(pa.struct([pa.field("status", pa.string()), pa.field("date", pa.date32())])),
          "each status stated and the first date it was, in date order", False),
        f("n_docs", pa.int32(), "pages naming it", False),
        f("project_ids", NAMES, "the evidence: projects.project_id rows", False),
    ], ("project_key",)),
]}


class _Tables(Mapping):
    """Every table: the core ones above, then each registered extractor's (declared in its
    module), in running order. Read lazily: the extractors import this module."""

    def _all(self) -> dict[str, TableSpec]:
        from .extract.registry import extractor_classes
        tables = {k: v for k, v in CORE_TABLES.items() if k != "errors"}
        for cls in extractor_classes():
            if cls.table is not None:
                tables[cls.table.name] = cls.table
        tables.update(RECORD_TABLES)
        tables["errors"] = CORE_TABLES["errors"]
        return tables

    def __getitem__(self, name: str) -> TableSpec:
        return CORE_TABLES[name] if name in CORE_TABLES else self._all()[name]

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


TABLES: Mapping[str, TableSpec] = _Tables()


class SchemaError(ValueError):
    pass


def concat_tables(name: str, parts: list[pa.Table]) -> pa.Table:
    """Tables of the same schema (chunks of a run, rows kept from an earlier run) as one,
    sorted by primary key, as build_table would give for all their rows."""
    spec = TABLES[name]
    parts = [p for p in parts if p.num_rows] or [spec.schema.empty_table()]
    table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    if len(parts) == 1:
        return table
    # one chunk: the file written does not depend on how the rows were split into parts
    table = table.sort_by([(k, "ascending") for k in spec.primary_key]).combine_chunks()
    keys = table.select(list(spec.primary_key)).to_pandas()
    if name != "errors" and keys.duplicated().any():
        raise SchemaError(f"{name}: duplicate primary key {keys[keys.duplicated()].iloc[0].to_dict()}")
    return table


def build_table(name: str, rows: list[dict]) -> pa.Table:
    """Rows -> an Arrow table of the declared schema, sorted by primary key."""
    spec = TABLES[name]
    names = spec.schema.names
    expected = set(names)
    for i, row in enumerate(rows):
        keys = set(row)
        if keys != expected:
            raise SchemaError(f"{name} row {i}: missing {sorted(expected - keys)}, unknown {sorted(keys - expected)}")
    pk = spec.primary_key

    def sort_key(row):
        return tuple("" if row[k] is None else row[k] for k in pk)

    rows = sorted(rows, key=sort_key)
    seen = set()
    for row in rows:
        key = tuple(row[k] for k in pk)
        if name != "errors" and any(v is None for v in key):
            raise SchemaError(f"{name}: null primary key {dict(zip(pk, key))}")
        if name != "errors" and key in seen:
            raise SchemaError(f"{name}: duplicate primary key {dict(zip(pk, key))}")
        seen.add(key)
    try:
        return pa.Table.from_pylist(rows, schema=spec.schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise SchemaError(f"{name}: {exc}") from None
