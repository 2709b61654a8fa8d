"""Run the stages over every input document and write the tables.

    ingest -> normalize -> articles -> pubdate -> sentences + tokens -> extraction -> tables

One failing document becomes a row of the `errors` table and a line on stderr; the others
go on. Tables are written once, at the end, atomically (see tables.py).

With `workers` > 1 the documents are processed by a pool of processes, each loading the
models once; rows are collected in input order and tables sorted by key, so the tables are
byte-identical to a one-worker run. An incremental run reuses the rows of documents whose
sha256, rules version and normaliser version are unchanged since the tables in `out_dir`.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import resource
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

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
from .schemas import TABLES, build_table
from .segment import Segmenter, split_sentences
from .tables import write_tables


@dataclass(frozen=True)
class Config:
    """What a Context is made from; small and picklable, so that workers can build theirs."""
    rules_dir: Path | None = None
    model_dir: Path | None = None
    manifest: Path | None = None
    with_tokens: bool = False
    ner_mode: str = "combined"
    segmenter: str = "compiled"      # or "spacy-pkuseg": the same words, slower (a check)


@dataclass
class Context:
    rules: Rules
    segmenter: Segmenter
    splitter: ArticleSplitter
    inferrer: PubDateInferrer
    extractors: Extractors
    manifest: dict | None = None
    with_tokens: bool = False
    timings: Counter = field(default_factory=Counter)   # seconds per stage
    load_seconds: float = 0.0

    @classmethod
    def create(cls, rules_dir: Path | None = None, model_dir: Path | None = None,
               manifest: Path | None = None, with_tokens: bool = False, ner_mode: str = "combined") -> "Context":
        return cls.from_config(Config(rules_dir, model_dir, manifest, with_tokens, ner_mode))

    @classmethod
    def from_config(cls, config: Config) -> "Context":
        t0 = time.perf_counter()
        rules_dir, model_dir, manifest, with_tokens, ner_mode = (
            config.rules_dir, config.model_dir, config.manifest, config.with_tokens, config.ner_mode)
        rules = load_rules(rules_dir)
        ctx = cls(rules=rules,
                   segmenter=Segmenter.load(model_dir, rules["segment"]["user_dict"], config.segmenter),
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
        ctx.load_seconds = time.perf_counter() - t0
        return ctx


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


def _stage(ctx: Context, name: str, fn, *args):
    t0 = time.perf_counter()
    try:
        return fn(*args)
    except Exception as exc:  # a stage may fail on one document; the run goes on
        raise StageError(name, exc) from exc
    finally:
        ctx.timings[name] += time.perf_counter() - t0


@dataclass
class PreparedDocument:
    """A document up to its sentences and words: what extraction starts from."""
    doc: RawDocument
    rows: DocumentRows
    text: str
    sentences: list[Sentence]
    bylines: list[Byline]
    pub_date: dt.date | None
    pub_year: int | None


def process_document(doc: RawDocument, ctx: Context) -> DocumentRows:
    """All stages on one document; a failing stage raises StageError."""
    return finish_document(prepare_document(doc, ctx), ctx)


def process_documents(docs: list[RawDocument], ctx: Context) -> list[tuple[RawDocument, DocumentRows | None,
                                                                           StageError | None]]:
    """process_document on each document, with the statistical NER model run once over the
    sentences of them all (it batches sentences of equal length: fewer, larger network
    calls, the same words). A failing document gives (doc, None, error); the others go on."""
    prepared: list[PreparedDocument | StageError] = []
    for doc in docs:
        try:
            prepared.append(prepare_document(doc, ctx))
        except StageError as exc:
            prepared.append(exc)
    model = ctx.extractors.ner_model
    if model is not None:
        # a failure here is left to each document's own extraction, which reports it
        with contextlib.suppress(Exception):
            model.prefetch([s.text for p in prepared if isinstance(p, PreparedDocument) for s in p.sentences])
    results = []
    try:
        for doc, p in zip(docs, prepared):
            if isinstance(p, StageError):
                results.append((doc, None, p))
                continue
            try:
                results.append((doc, finish_document(p, ctx), None))
            except StageError as exc:
                results.append((doc, None, exc))
    finally:
        if model is not None:
            model.forget()
    return results


def prepare_document(doc: RawDocument, ctx: Context) -> PreparedDocument:
    out = DocumentRows()
    norm = _stage(ctx, "normalize", normalize, doc.text)
    if not norm.text:
        raise StageError("normalize", ValueError("no text left after normalisation"))
    articles = _stage(ctx, "articles", ctx.splitter.split, norm, doc.text)
    pub = _stage(ctx, "pubdate", resolve_pub_date, doc.source, doc.source_id, doc.given_pub_date,
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
    docs = _stage(ctx, "segment", lambda: list(ctx.segmenter.docs(texts)))
    sentences: list[Sentence] = []
    for seq, ((article_id, s, e), sdoc) in enumerate(zip(spans, docs)):
        sentence_id = f"{doc.doc_id}-s{seq:04d}"
        out.sentences.append({"sentence_id": sentence_id, "doc_id": doc.doc_id,
                              "article_id": article_id, "seq": seq, "start": s, "end": e,
                              "text": norm.text[s:e]})
        offsets = sdoc.to_array(["IDX", "LENGTH"])   # no Token objects: this runs for every sentence
        bounds = sorted(set(offsets[:, 0].tolist()) | set((offsets[:, 0] + offsets[:, 1]).tolist()))
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
    return PreparedDocument(doc, out, norm.text, sentences, bylines, pub.date, pub.year)


def finish_document(p: PreparedDocument, ctx: Context) -> DocumentRows:
    mentions = _stage(ctx, "extract", extract_document, p.doc.doc_id, p.text, p.sentences, p.pub_date,
                      p.pub_year, ctx.extractors, p.bylines)
    for name in MentionRows.__dataclass_fields__:
        getattr(p.rows, name).extend(getattr(mentions, name))
    return p.rows


@dataclass
class RunSummary:
    documents: int = 0
    processed: int = 0
    reused: int = 0
    failed: int = 0
    warnings: int = 0
    articles: int = 0
    sentences: int = 0
    tokens: int = 0
    chars: int = 0
    seconds: float = 0.0
    load_seconds: float = 0.0
    workers: int = 1
    timings: Counter = field(default_factory=Counter)
    peak_rss_mb: list[float] = field(default_factory=list)   # per process that processed documents
    written: list[Path] = field(default_factory=list)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ---- worker processes: one Context each, built once --------------------------------------
_WORKER_CTX: Context | None = None
# Documents per task: the NER model batches the equal-length sentences of a whole chunk.
CHUNK_DOCS = 8


def _init_worker(config: Config) -> None:
    global _WORKER_CTX
    _exit_with_parent()
    _WORKER_CTX = Context.from_config(config)


def _exit_with_parent() -> None:
    """A worker whose parent was killed (kill -9 leaves it no chance to stop its pool) ends
    itself instead of holding its models in memory forever."""
    import threading

    parent = os.getppid()

    def watch():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _work(docs: list[RawDocument]):
    """Process a chunk of documents in a worker; also report the worker's running totals."""
    ctx = _WORKER_CTX
    return process_documents(docs, ctx), (os.getpid(), dict(ctx.timings), ctx.load_seconds, _peak_rss_mb())


def chunks(items, size: int):
    """Lists of up to size consecutive items."""
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def table_path(out_dir: Path, name: str) -> Path | None:
    """Where a table lives in out_dir: one file (local runs) or a dataset folder (Dask)."""
    for p in (Path(out_dir) / f"{name}.parquet", Path(out_dir) / name):
        if p.exists():
            return p
    return None


def reusable_documents(out_dir: Path, rules_version: str, with_tokens: bool) -> dict[str, str]:
    """doc_id -> sha256 of documents whose rows in out_dir can be kept as they are."""
    path = table_path(out_dir, "documents")
    if path is None or (with_tokens and table_path(out_dir, "tokens") is None):
        return {}
    try:
        t = pq.read_table(path, columns=["doc_id", "sha256", "rules_version", "normalizer_version"])
    except Exception:  # unreadable old tables: process everything again
        return {}
    d = t.to_pydict()
    return {i: sha for i, sha, rv, nv in zip(d["doc_id"], d["sha256"], d["rules_version"], d["normalizer_version"])
            if rv == rules_version and nv == NORMALIZER_VERSION}


def old_rows(out_dir: Path, name: str, doc_ids: set[str]) -> pa.Table | None:
    """The rows of these documents in the table already in out_dir."""
    path = table_path(out_dir, name)
    if not doc_ids or path is None:
        return None
    t = pq.read_table(path, schema=TABLES[name].schema)
    return t.filter(pc.is_in(t["doc_id"], value_set=pa.array(sorted(doc_ids))))


def run(input_path: Path, out_dir: Path, ctx: Context | Config, *, progress: bool = True,
        workers: int = 1, incremental: bool = False) -> RunSummary:
    """Process every document of input_path and write the tables to out_dir.

    ctx: a Context (one process), or a Config from which each worker builds its own.
    incremental: keep the rows of documents unchanged since the tables in out_dir."""
    t0 = time.perf_counter()
    config = ctx if isinstance(ctx, Config) else None
    local = ctx if isinstance(ctx, Context) else None
    rules_version = (local.rules if local else load_rules(config.rules_dir)).version
    with_tokens = local.with_tokens if local else config.with_tokens
    reusable = reusable_documents(out_dir, rules_version, with_tokens) if incremental else {}
    summary = RunSummary(workers=workers)
    rows = DocumentRows()
    errors: list[dict] = []
    seen: set[str] = set()
    reused: set[str] = set()

    def documents():
        for item in read_inputs(input_path):
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
            if reusable.get(item.doc_id) == item.sha256:
                reused.add(item.doc_id)
                continue
            yield item

    def collect(doc: RawDocument, got: DocumentRows | None, exc: StageError | None) -> None:
        if exc is not None:
            errors.append({"source": doc.source, "source_id": doc.source_id,
                           "stage": exc.stage, "severity": "error", "message": str(exc)})
            where = doc.source + (f" (id {doc.source_id})" if doc.source_id else "")
            tqdm.write(f"error: {where}: {exc.stage}: {exc}", file=sys.stderr)
            return
        for name in DocumentRows.TABLES:
            getattr(rows, name).extend(getattr(got, name))
        summary.chars += len(doc.text)
        summary.processed += 1

    bar = tqdm(desc="pages", unit="doc", disable=not progress, file=sys.stderr)
    if workers <= 1:
        local = local or Context.from_config(config)
        for chunk in chunks(documents(), CHUNK_DOCS):
            for doc, got, exc in process_documents(chunk, local):
                collect(doc, got, exc)
                bar.update()
        summary.timings, summary.load_seconds = local.timings, local.load_seconds
        summary.peak_rss_mb = [_peak_rss_mb()]
    else:
        if config is None:
            raise ValueError("several workers need a Config to build their own Context from")
        stats: dict[int, tuple] = {}
        # spawned, not forked: a worker starts clean (no copy of this process's memory or
        # threads) and loads its own models once
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(config,),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            for results, (pid, *rest) in pool.map(_work, chunks(documents(), CHUNK_DOCS)):
                for doc, got, exc in results:
                    collect(doc, got, exc)
                    bar.update()
                stats[pid] = rest
        for timings, load, rss in stats.values():
            summary.timings.update(timings)
            summary.load_seconds = max(summary.load_seconds, load)
            summary.peak_rss_mb.append(rss)
    bar.close()

    names = [n for n in DocumentRows.TABLES if n != "tokens" or with_tokens]
    tables = {}
    for name in names:
        t = build_table(name, getattr(rows, name))
        old = old_rows(out_dir, name, reused)
        if old is not None and old.num_rows:
            t = pa.concat_tables([t, old]).sort_by([(k, "ascending") for k in TABLES[name].primary_key])
        tables[name] = t
    tables["errors"] = build_table("errors", errors)
    summary.written = write_tables(out_dir, tables)
    summary.documents = tables["documents"].num_rows
    summary.reused = len(reused)
    summary.failed = sum(1 for e in errors if e["severity"] == "error")
    summary.warnings = len(errors) - summary.failed
    summary.articles = tables["articles"].num_rows
    summary.sentences = tables["sentences"].num_rows
    summary.tokens = tables["tokens"].num_rows if "tokens" in tables else 0
    summary.seconds = time.perf_counter() - t0
    return summary


__all__ = ["Context", "run", "process_document", "process_documents", "RunSummary", "__version__"]
