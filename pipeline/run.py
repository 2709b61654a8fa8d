"""Run the stages over every input document and write the tables.

    ingest -> normalize -> articles -> pubdate -> sentences + tokens -> tables

One failing document becomes a row of the `errors` table and a line on stderr; the others
go on. Tables are written once, at the end, atomically (see tables.py).
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from . import __version__
from .articles import ArticleSplitter
from .extract.dates import DateExtractor
from .extract.money import MoneyExtractor
from .extract.officials import OfficialExtractor
from .extract.projects import ProjectExtractor
from .extract.ner import RuleCorrector, StatisticalNER
from .mentions import Byline, Extractors, MentionRows, Sentence, extract_document
from .ingest import IngestError, RawDocument, read_inputs
from .normalize import NORMALIZER_VERSION, normalize
from .pubdate import PubDateInferrer, load_manifest, resolve_pub_date
from .rules import Rules, load_rules
from .schemas import build_table
from .segment import Segmenter, split_sentences
from .tables import write_tables


@dataclass
class Context:
    rules: Rules
    segmenter: Segmenter
    splitter: ArticleSplitter
    inferrer: PubDateInferrer
    extractors: Extractors
    manifest: dict | None = None
    with_tokens: bool = False

    @classmethod
    def create(cls, rules_dir: Path | None = None, model_dir: Path | None = None,
               manifest: Path | None = None, with_tokens: bool = False, ner_mode: str = "combined") -> "Context":
        rules = load_rules(rules_dir)
        return cls(rules=rules,
                   segmenter=Segmenter.load(model_dir, rules["segment"]["user_dict"]),
                   splitter=ArticleSplitter(rules["articles"]),
                   inferrer=PubDateInferrer(rules["pubdate"]),
                   extractors=Extractors(
                       DateExtractor(rules["dates"]), MoneyExtractor(rules["money"]),
                       OfficialExtractor(rules["titles"]), ProjectExtractor(rules["projects"]),
                       StatisticalNER(),
                       RuleCorrector(rules["ner"], set(rules["titles"]["lexicons"]["surname"]),
                                     set(rules["titles"]["lexicons"]["compound_surname"])),
                       ner_mode),
                   manifest=load_manifest(manifest) if manifest else None,
                   with_tokens=with_tokens)


@dataclass
class DocumentRows(MentionRows):
    documents: list[dict] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)
    sentences: list[dict] = field(default_factory=list)
    tokens: list[dict] = field(default_factory=list)

    TABLES = ("documents", "articles", "sentences", "tokens", "entities", "dates", "money",
              "officials", "projects")


class StageError(Exception):
    def __init__(self, stage: str, exc: Exception):
        self.stage = stage
        super().__init__(f"{type(exc).__name__}: {exc}")


def _stage(name: str, fn, *args):
    try:
        return fn(*args)
    except Exception as exc:  # a stage may fail on one document; the run goes on
        raise StageError(name, exc) from exc


def process_document(doc: RawDocument, ctx: Context) -> DocumentRows:
    out = DocumentRows()
    norm = _stage("normalize", normalize, doc.text)
    if not norm.text:
        raise StageError("normalize", ValueError("no text left after normalisation"))
    articles = _stage("articles", ctx.splitter.split, norm, doc.text)
    pub = _stage("pubdate", resolve_pub_date, doc.source, doc.source_id, doc.given_pub_date,
                 norm.text, ctx.inferrer, ctx.manifest)
    norm_at, raw_at = norm.offset_segments()
    out.documents.append({
        "doc_id": doc.doc_id, "source": doc.source, "source_id": doc.source_id,
        "sha256": doc.sha256, "encoding": doc.encoding,
        "n_raw_chars": len(doc.text), "n_chars": len(norm.text), "norm_text": norm.text,
        "offset_norm": norm_at, "offset_raw": raw_at,
        "pub_date": pub.date, "pub_year": pub.year, "pub_date_basis": pub.basis,
        "pub_date_evidence": pub.evidence, "n_articles": len(articles),
        "normalizer_version": NORMALIZER_VERSION, "rules_version": ctx.rules.version,
    })

    spans: list[tuple[str, int, int]] = []   # (article_id, start, end) of every sentence
    for a in articles:
        article_id = f"{doc.doc_id}-a{a.seq:03d}"
        out.articles.append({
            "article_id": article_id, "doc_id": doc.doc_id, "seq": a.seq, "kind": a.kind,
            "headline": a.headline, "kicker": a.kicker, "subtitle": a.subtitle,
            "start": a.start, "end": a.end, "body_start": a.body_start,
            "reporters": a.reporters, "correspondents": a.correspondents,
            "photographers": a.photographers,
        })
        for pi in a.paragraphs:
            if pi == a.byline_paragraph:
                continue  # "□本报记者 X": names, not a sentence
            p = norm.paragraphs[pi]
            start = p.start
            if a.body_start is not None and p.start < a.body_start < p.end:
                start = a.body_start  # skip the "本报讯（记者 X）" ahead of the body
            spans += [(article_id, s, e) for s, e in split_sentences(norm.text, start, p.end)]
    spans.sort(key=lambda t: (t[1], t[2]))

    texts = [norm.text[s:e] for _, s, e in spans]
    docs = _stage("segment", lambda: list(ctx.segmenter.docs(texts)))
    sentences: list[Sentence] = []
    for seq, ((article_id, s, e), sdoc) in enumerate(zip(spans, docs)):
        sentence_id = f"{doc.doc_id}-s{seq:04d}"
        out.sentences.append({"sentence_id": sentence_id, "doc_id": doc.doc_id,
                              "article_id": article_id, "seq": seq, "start": s, "end": e,
                              "text": norm.text[s:e]})
        bounds = sorted({t.idx for t in sdoc} | {t.idx + len(t.text) for t in sdoc})
        sentences.append(Sentence(sentence_id, article_id, s, e, norm.text[s:e], bounds))
        if ctx.with_tokens:
            for tok in sdoc:
                if tok.is_space:
                    continue
                out.tokens.append({"doc_id": doc.doc_id, "sentence_id": sentence_id, "i": tok.i,
                                   "start": s + tok.idx, "end": s + tok.idx + len(tok.text),
                                   "text": tok.text})
    bylines = [Byline(f"{doc.doc_id}-a{a.seq:03d}", a.start, a.end,
                      a.reporters + a.correspondents + a.photographers) for a in articles]
    mentions = _stage("extract", extract_document, doc.doc_id, norm.text, sentences, pub.date, pub.year,
                      ctx.extractors, bylines)
    for name in MentionRows.__dataclass_fields__:
        getattr(out, name).extend(getattr(mentions, name))
    return out


@dataclass
class RunSummary:
    documents: int = 0
    failed: int = 0
    warnings: int = 0
    articles: int = 0
    sentences: int = 0
    tokens: int = 0
    chars: int = 0
    seconds: float = 0.0
    written: list[Path] = field(default_factory=list)


def run(input_path: Path, out_dir: Path, ctx: Context, *, progress: bool = True) -> RunSummary:
    t0 = time.perf_counter()
    rows = DocumentRows()
    errors: list[dict] = []
    summary = RunSummary()
    seen: set[str] = set()
    bar = tqdm(read_inputs(input_path), desc="pages", unit="doc", disable=not progress, file=sys.stderr)
    for item in bar:
        if isinstance(item, IngestError):
            errors.append({"source": item.source, "source_id": item.source_id,
                           "stage": "ingest", "severity": "error", "message": item.message})
            tqdm.write(f"error: {item.source}: {item.message}", file=sys.stderr)
            continue
        if item.doc_id in seen:  # the same record twice in one input: keep the first
            continue
        seen.add(item.doc_id)
        for w in item.warnings:
            errors.append({"source": item.source, "source_id": item.source_id,
                           "stage": "ingest", "severity": "warning", "message": w})
            tqdm.write(f"warning: {item.source}: {w}", file=sys.stderr)
        try:
            got = process_document(item, ctx)
        except StageError as exc:
            errors.append({"source": item.source, "source_id": item.source_id,
                           "stage": exc.stage, "severity": "error", "message": str(exc)})
            where = item.source + (f" (id {item.source_id})" if item.source_id else "")
            tqdm.write(f"error: {where}: {exc.stage}: {exc}", file=sys.stderr)
            continue
        for name in DocumentRows.TABLES:
            getattr(rows, name).extend(getattr(got, name))
        summary.chars += len(item.text)
    names = [n for n in DocumentRows.TABLES if n != "tokens" or ctx.with_tokens]
    tables = {name: build_table(name, getattr(rows, name)) for name in names}
    tables["errors"] = build_table("errors", errors)
    summary.written = write_tables(out_dir, tables)
    summary.documents = len(rows.documents)
    summary.failed = sum(1 for e in errors if e["severity"] == "error")
    summary.warnings = len(errors) - summary.failed
    summary.articles = len(rows.articles)
    summary.sentences = len(rows.sentences)
    summary.tokens = len(rows.tokens)
    summary.seconds = time.perf_counter() - t0
    return summary


__all__ = ["Context", "run", "process_document", "RunSummary", "__version__"]
