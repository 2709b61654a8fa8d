"""Run the stages over every input document and write the tables.

    ingest -> normalize -> articles -> pubdate -> sentences + tokens -> extraction -> tables

Documents go in chunks through one function, `process_chunk`, whichever runs it: this
process (`InProcess`), a pool of local processes (`ProcessPool`) or a Dask cluster
(`distributed.DaskExecutor`); each is an executor with one method, `map(chunks)`, that
yields the chunks' results in input order. One writer (tables.write_tables) writes the
tables, as single files or as partitioned datasets.

One failing document becomes a row of the `errors` table and a line on stderr; the others
go on. Tables are written once, at the end, atomically (see tables.py). Rows are collected
in input order and tables sorted by key, so the tables do not depend on how many workers
ran. An incremental run reuses the rows of documents whose sha256, rules version and
normaliser version are unchanged since the tables in `out_dir`.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyarrow as pa
from tqdm import tqdm

from . import __version__
from .articles import ArticleSplitter
from .ingest import IngestError, InputError, RawDocument, read_inputs
from .mentions import Article, DocumentContext, Extraction, Sentence
from .normalize import NORMALIZER_VERSION, normalize
from .procstats import peak_rss_mb, private_mb
from .pubdate import PubDateInferrer, load_manifest, manifest_entry, resolve_pub_date
from .records import RECORD_TABLE_NAMES, build_records, manifest_homes
from .rules import Rules, load_rules
from .schemas import SCHEMA_VERSION, build_table, concat_tables
from .segment import MAX_SENTENCE_CHARS, Segmenter, cap_sentences, split_sentences
from .tables import OutputFolder

# the tables of the stages before extraction; extraction adds mentions, entities and its extractors'
FRONT_TABLES = ("documents", "articles", "sentences", "tokens")


# A page that takes longer than this (every pattern is linear and sentences are capped, so
# only a user's pattern or a pathological page gets near it) becomes an error row.
DEFAULT_PAGE_SECONDS = 60.0


@dataclass(frozen=True)
class Config:
    """What a Context is made from; small and picklable, so that workers can build theirs."""
    rules_dir: Path | None = None
    model_dir: Path | None = None
    manifest: Path | None = None
    with_tokens: bool = False
    ner_mode: str = "combined"
    segmenter: str = "compiled"      # or "spacy-pkuseg": the same words, slower (a check)
    page_seconds: float = DEFAULT_PAGE_SECONDS   # a page that takes longer is an error row; 0: no limit


@dataclass
class Context:
    rules: Rules
    segmenter: Segmenter
    splitter: ArticleSplitter
    inferrer: PubDateInferrer
    extraction: Extraction
    manifest: dict | None = None
    manifest_path: Path | None = None   # its `home` column gives pages their home (records.py)
    with_tokens: bool = False
    timings: Counter = field(default_factory=Counter)   # seconds per stage
    load_seconds: float = 0.0
    page_seconds: float = DEFAULT_PAGE_SECONDS
    ner_mode: str = "combined"
    config: Config | None = None     # what it was made from (spawned workers rebuild it)

    @classmethod
    def create(cls, rules_dir: Path | None = None, model_dir: Path | None = None,
               manifest: Path | None = None, with_tokens: bool = False, ner_mode: str = "combined") -> "Context":
        return cls.from_config(Config(rules_dir, model_dir, manifest, with_tokens, ner_mode))

    @classmethod
    def from_config(cls, config: Config) -> "Context":
        t0 = time.perf_counter()
        rules = load_rules(config.rules_dir)
        extraction = Extraction.from_rules(rules, config.ner_mode)
        ctx = cls(rules=rules,
                  segmenter=Segmenter.load(config.model_dir, rules["segment"]["user_dict"], config.segmenter),
                  splitter=ArticleSplitter(rules["articles"]),
                  # the publication date reads the page with the dates extractor's own patterns
                  inferrer=PubDateInferrer(rules["pubdate"], extraction.by_name["dates"].dates.find),
                  extraction=extraction,
                  manifest=load_manifest(config.manifest) if config.manifest else None,
                  manifest_path=config.manifest,
                  with_tokens=config.with_tokens, page_seconds=config.page_seconds, ner_mode=config.ner_mode,
                  config=config)
        ctx.load_seconds = time.perf_counter() - t0
        return ctx

    def tables(self) -> list[str]:
        """The tables a run writes (errors aside), in order."""
        return [n for n in FRONT_TABLES if n != "tokens" or self.with_tokens] + self.extraction.tables()


class StageError(Exception):
    def __init__(self, stage: str, exc: Exception | str):
        self.stage = stage
        super().__init__(exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}")

    def __reduce__(self):
        # a worker sends it to the parent pickled: rebuilt from its stage and message
        return StageError, (self.stage, str(self))


class PageTimeout(Exception):
    pass


@contextlib.contextmanager
def page_budget(seconds: float | None):
    """Raise PageTimeout in the code running when `seconds` have passed (a regex included:
    the regex module checks for signals). Signals reach a process's main thread only: on a
    worker thread (a Dask worker with several threads) the budget is not enforced."""
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise PageTimeout(f"the page took more than {seconds:g} s (the page budget, --page-budget)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _within_budget(ctx: "Context", stage: str, fn, *args):
    """fn(*args) under the page budget; a page over budget fails as a StageError of stage."""
    try:
        with page_budget(ctx.page_seconds):
            return fn(*args)
    except PageTimeout as exc:
        raise StageError(stage, exc) from exc


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
    rows: dict[str, list[dict]]
    text: str
    sentences: list[Sentence]
    articles: list[Article]
    pub_date: dt.date | None
    pub_year: int | None


def process_document(doc: RawDocument, ctx: Context) -> dict[str, list[dict]]:
    """All stages on one document: its rows, table by table. A failing stage raises StageError."""
    return finish_document(prepare_document(doc, ctx), ctx)


def process_documents(docs: list[RawDocument], ctx: Context) -> list[tuple[RawDocument, dict | None,
                                                                           StageError | None]]:
    """process_document on each document, with what the extractors batch (the NER model's
    sentences of equal length) done once over them all. A failing document gives
    (doc, None, error); the others go on."""
    prepared: list[PreparedDocument | StageError] = []
    for doc in docs:
        try:
            prepared.append(_within_budget(ctx, "prepare", prepare_document, doc, ctx))
        except StageError as exc:
            prepared.append(exc)
    t0 = time.perf_counter()
    try:
        ctx.extraction.prepare([s.text for p in prepared if isinstance(p, PreparedDocument) for s in p.sentences])
    except Exception:   # left to each document's own extraction, which reports it
        pass
    ctx.timings["ner model"] += time.perf_counter() - t0
    results = []
    try:
        for doc, p in zip(docs, prepared):
            if isinstance(p, StageError):
                results.append((doc, None, p))
                continue
            try:
                results.append((doc, _within_budget(ctx, "extract", finish_document, p, ctx), None))
            except StageError as exc:
                results.append((doc, None, exc))
    finally:
        ctx.extraction.release()
    return results


def prepare_document(doc: RawDocument, ctx: Context) -> PreparedDocument:
    out: dict[str, list[dict]] = {name: [] for name in (*FRONT_TABLES, "errors")}
    norm = _stage(ctx, "normalize", normalize, doc.text, ctx.rules["articles"]["block_openers"])
    if not norm.text:
        raise StageError("normalize", ValueError("no text left after normalisation"))
    articles = _stage(ctx, "articles", ctx.splitter.split, norm, doc.text)
    pub = _stage(ctx, "pubdate", resolve_pub_date, doc.source, doc.source_id, doc.given_pub_date,
                 norm.text, ctx.inferrer, ctx.manifest)
    norm_at, raw_at = norm.offset_segments()
    out["documents"].append({
        "doc_id": doc.doc_id, "source": doc.source, "source_id": doc.source_id,
        "sha256": doc.sha256, "encoding": doc.encoding,
        "n_raw_chars": len(doc.text), "n_chars": len(norm.text), "norm_text": norm.text,
        "offset_norm": norm_at, "offset_raw": raw_at,
        "pub_date": pub.date, "pub_year": pub.year, "pub_date_basis": pub.basis,
        "pub_date_evidence": pub.evidence, "n_articles": len(articles),
        "normalizer_version": NORMALIZER_VERSION, "rules_version": ctx.rules.version,
        "reuse_key": reuse_key(doc, ctx.ner_mode, ctx.manifest),
    })

    spans: list[tuple[str, int, int]] = []   # (article_id, start, end) of every sentence
    n_cut = 0
    for a in articles:
        article_id = f"{doc.doc_id}-a{a.seq:03d}"
        out["articles"].append({
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
            pieces, cut = cap_sentences(norm.text, _without_datelines(ctx, norm.text,
                                                                     split_sentences(norm.text, start, p.end)))
            n_cut += cut
            spans += [(article_id, s, e) for s, e in pieces]
    spans.sort(key=lambda t: (t[1], t[2]))
    if n_cut:
        out["errors"].append(_warning(doc, "segment", f"{n_cut} sentence(s) longer than {MAX_SENTENCE_CHARS} "
                                                      f"characters cut at clause marks (or at the limit)"))

    texts = [norm.text[s:e] for _, s, e in spans]
    # the tokens as offsets: no spaCy Doc is built (the same tokens, see Segmenter.spans)
    token_spans = _stage(ctx, "segment", lambda: [ctx.segmenter.spans(t) for t in texts])
    sentences: list[Sentence] = []
    for seq, ((article_id, s, e), tokens) in enumerate(zip(spans, token_spans)):
        sentence_id = f"{doc.doc_id}-s{seq:04d}"
        text = norm.text[s:e]
        out["sentences"].append({"sentence_id": sentence_id, "doc_id": doc.doc_id,
                                 "article_id": article_id, "seq": seq, "start": s, "end": e,
                                 "text": text})
        bounds = sorted({b for span in tokens for b in span})
        sentences.append(Sentence(sentence_id, article_id, s, e, text, bounds))
        if ctx.with_tokens:
            for i, (a, b) in enumerate(tokens):
                if text[a:b].isspace():
                    continue
                out["tokens"].append({"doc_id": doc.doc_id, "sentence_id": sentence_id, "i": i,
                                      "start": s + a, "end": s + b, "text": text[a:b]})
    arts = [Article(f"{doc.doc_id}-a{a.seq:03d}", a.start, a.end, a.reporters + a.correspondents + a.photographers)
            for a in articles]
    return PreparedDocument(doc, out, norm.text, sentences, arts, pub.date, pub.year)


def _without_datelines(ctx: Context, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans with an opening dateline made a sentence of its own."""
    out = []
    for s, e in spans:
        cut = ctx.splitter.dateline_end(text, s, e)
        out += [(s, cut), (cut, e)] if cut > s else [(s, e)]
    return out


def finish_document(p: PreparedDocument, ctx: Context) -> dict[str, list[dict]]:
    doc = DocumentContext(p.doc.doc_id, p.text, p.pub_date, p.pub_year, p.sentences, p.articles)
    p.rows.update(_stage(ctx, "extract", ctx.extraction.extract, doc))
    p.rows["errors"] += [_warning(p.doc, "extract", w) for w in doc.warnings]
    return p.rows


def _warning(doc: RawDocument, stage: str, message: str) -> dict:
    """A row of the errors table for a document that was processed, with something to say."""
    return {"source": doc.source, "source_id": doc.source_id, "stage": stage, "severity": "warning",
            "message": message}


def extract_text(ctx: Context, text: str, pub_date: dt.date | None = None) -> dict[str, list[dict]]:
    """The extraction stage alone on a text taken as one sentence of one article (an opening
    dateline aside), as given (no layout repair, so offsets index the text itself): for
    sentence-level sets such as People's Daily, and for the extractors' cases. Rows by table."""
    spans = _without_datelines(ctx, text, [(0, len(text))])
    sentences = []
    for k, (s, e) in enumerate(spans):
        bounds = sorted({b for span in ctx.segmenter.spans(text[s:e]) for b in span})
        sentences.append(Sentence(f"x-s{k:04d}", "x-a000", s, e, text[s:e], bounds))
    doc = DocumentContext("x", text, pub_date, pub_date.year if pub_date else None, sentences,
                          [Article("x-a000", 0, len(text))])
    ctx.extraction.prepare([s.text for s in sentences])
    try:
        return ctx.extraction.extract(doc)
    finally:
        ctx.extraction.release()


# ---- one chunk of documents: the unit every executor runs ---------------------------------
# Documents per chunk: the NER model batches the equal-length sentences of a whole chunk.
CHUNK_DOCS = 16
# An input of at most this many documents runs in this process, whatever --workers says
SMALL_INPUT_DOCS = 8


@dataclass
class ChunkResult:
    """A chunk of documents as Arrow tables (compact to send between processes and to hold
    until the end of the run), what happened to each document, and the running totals of
    the process that ran it."""
    tables: dict[str, pa.Table]
    outcomes: list[tuple[str, str | None, int, StageError | None]]   # source, source_id, chars, error
    # pid, timings, ready at, peak resident MB, private MB now (None where unknown)
    worker: tuple[int, dict, float, float, float | None] = (0, {}, 0.0, 0.0, None)


def process_chunk(docs: list[RawDocument], ctx: Context, ready_at: float = 0.0) -> ChunkResult:
    rows: dict[str, list[dict]] = {name: [] for name in (*ctx.tables(), "errors")}   # errors: warnings
    outcomes = []
    for doc, got, exc in process_documents(docs, ctx):
        outcomes.append((doc.source, doc.source_id, len(doc.text), exc))
        if got is not None:
            for name in rows:
                rows[name].extend(got[name])
    return ChunkResult({name: build_table(name, r) for name, r in rows.items()}, outcomes,
                       (os.getpid(), dict(ctx.timings), ready_at, peak_rss_mb(), private_mb()))


def chunks(items, size: int, workers: int = 1):
    """Lists of up to size consecutive items. Towards the end the lists get shorter, so
    that the workers finish together instead of one of them doing a last long chunk
    alone; items are read at most 2 * workers * size ahead."""
    it = iter(items)
    buffer: deque = deque()
    exhausted = False
    while True:
        while not exhausted and len(buffer) < 2 * workers * size:
            try:
                buffer.append(next(it))
            except StopIteration:
                exhausted = True
        if not buffer:
            return
        n = size if not exhausted else max(1, min(size, -(-len(buffer) // (2 * workers))))
        yield [buffer.popleft() for _ in range(min(n, len(buffer)))]


def in_order(chunk_lists: Iterable[list], submit: Callable, wait_first: Callable, window: int) -> Iterator:
    """Results of submit(chunk) for every chunk, in input order, with at most `window`
    chunks in flight (the input is not read all at once). submit returns a future;
    wait_first(futures) returns those done."""
    tasks = enumerate(chunk_lists)
    running = {submit(c): i for i, c in itertools.islice(tasks, window)}
    finished: dict[int, object] = {}
    next_index = 0
    while running:
        done = wait_first(list(running))
        for future in done:
            finished[running.pop(future)] = future.result()
        for i, c in itertools.islice(tasks, len(done)):
            running[submit(c)] = i
        while next_index in finished:
            yield finished.pop(next_index)
            next_index += 1


class Executor:
    """Runs process_chunk on chunks of documents: `map(chunks)` yields ChunkResults in input
    order. `workers` is how many run at once (it shapes the chunks' tail)."""
    workers = 1
    layout = "file"      # how the writer lays the tables out: single files, or datasets of parts

    def map(self, chunk_lists: Iterable[list[RawDocument]]) -> Iterator[ChunkResult]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class InProcess(Executor):
    """This process, with one Context: small inputs, tests, `explain`."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def map(self, chunk_lists):
        for c in chunk_lists:
            yield process_chunk(c, self.ctx, time.time())


# ---- worker processes of the local pool ------------------------------------------------------
_WORKER_CTX: Context | None = None
_WORKER_READY = 0.0


def _init_worker(ctx_or_config: Context | Config) -> None:
    """A forked worker receives the parent's Context as it is (fork passes initargs without
    pickling); a spawned one builds its own from the Config."""
    global _WORKER_CTX, _WORKER_READY
    _exit_with_parent()
    if isinstance(ctx_or_config, Context):
        _WORKER_CTX = ctx_or_config
        _WORKER_CTX.timings = Counter()    # this worker's own, not the parent's so far
    else:
        _WORKER_CTX = Context.from_config(ctx_or_config)
    _WORKER_READY = time.time()


def _exit_with_parent() -> None:
    """A worker whose parent was killed (kill -9 leaves it no chance to stop its pool) ends
    itself instead of holding its models in memory forever."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _work(docs: list[RawDocument]) -> ChunkResult:
    return process_chunk(docs, _WORKER_CTX, _WORKER_READY)


def _ready() -> int:
    return os.getpid()


class ProcessPool(Executor):
    """Local worker processes that start from this process's Context, loaded once.

    Where the platform can fork (Linux), the workers are forked from this process as soon as
    the pool is made: they start in milliseconds with the models already in memory, shared
    copy-on-write. It is safe because at that moment this process runs no thread that holds
    a lock the workers need: the pool's own threads, the progress bar and the workers' watch
    threads start after the fork; the library threads that exist by then are idle pools
    that re-create themselves in a child (OpenBLAS, jemalloc: both register fork handlers);
    ONNX Runtime's session has one intra- and one inter-op thread, i.e. no thread pool, and
    its state is plain memory, copied with the rest. Elsewhere the workers are spawned and
    each builds its own Context from ctx.config.
    """

    def __init__(self, ctx: Context, workers: int):
        self.workers = workers
        if "fork" in multiprocessing.get_all_start_methods():
            mp_context, arg = multiprocessing.get_context("fork"), ctx
        elif ctx.config is not None:
            mp_context, arg = multiprocessing.get_context("spawn"), ctx.config
        else:
            raise ValueError("this platform cannot fork: several workers need a Config to build their Context from")
        self.pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(arg,),
                                        mp_context=mp_context)
        # the first task starts every forked worker: now, before this process starts a thread
        self.pool.submit(_ready).result()

    def map(self, chunk_lists):
        return in_order(chunk_lists, lambda c: self.pool.submit(_work, c),
                        lambda fs: wait(fs, return_when=FIRST_COMPLETED)[0], 2 * self.workers)

    def close(self) -> None:
        self.pool.shutdown()


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
    load_seconds: float = 0.0    # until every worker was ready: process start, imports, models
    workers: int = 1
    timings: Counter = field(default_factory=Counter)
    peak_rss_mb: list[float] = field(default_factory=list)   # per process that processed documents
    private_mb: list[float | None] = field(default_factory=list)   # the same processes' own memory at the end
    written: list[Path] = field(default_factory=list)


def reuse_key(doc: RawDocument, ner_mode: str, manifest: dict | None) -> str:
    """What a document's rows depend on besides the rules: its text, the pipeline and
    normaliser versions, the NER mode, a publication date given by the input or the manifest."""
    entry = manifest_entry(manifest, doc.source, doc.source_id)
    given = entry[1] if entry else doc.given_pub_date
    key = "\0".join(map(str, (doc.sha256, __version__, NORMALIZER_VERSION, SCHEMA_VERSION, ner_mode, given)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def run(input_path: Path, out_dir: Path, ctx: Context | Config, *, progress: bool = True,
        workers: int = 1, incremental: bool = False, executor: Executor | None = None,
        home: str | None = None) -> RunSummary:
    """Process every document of input_path and write the tables to out_dir.

    ctx: a Context, or a Config to build one from (local workers start from it).
    executor: what runs the chunks (default: this process for one worker, else a local
    pool of `workers` processes). incremental: keep the rows of documents unchanged since
    the tables in out_dir. home: the home jurisdiction of every page (区委 = <home>委), instead
    of each page's own (records.py)."""
    t0 = time.perf_counter()
    started = time.time()
    config = ctx if isinstance(ctx, Config) else None
    local = ctx if isinstance(ctx, Context) else None
    rules = local.rules if local else load_rules(config.rules_dir)
    with_tokens = local.with_tokens if local else config.with_tokens
    ner_mode = local.ner_mode if local else config.ner_mode
    manifest = local.manifest if local else (load_manifest(config.manifest) if config.manifest else None)
    names = [n for n in FRONT_TABLES if n != "tokens" or with_tokens] + Extraction.table_names()
    layout = executor.layout if executor is not None else "file"
    plan = _Plan(Path(input_path), OutputFolder(out_dir), local, config, rules, with_tokens, ner_mode, manifest,
                 names, t0, started, home)
    # before any work: --out is usable and ours
    plan.folder.check(names + list(RECORD_TABLE_NAMES) + ["errors"], layout)
    with plan.folder.locked():
        return _run_locked(plan, progress=progress, workers=workers, incremental=incremental, executor=executor)


@dataclass
class _Plan:
    """What a run works from, settled before it takes the output folder's lock."""
    input_path: Path
    folder: OutputFolder
    local: Context | None
    config: Config | None
    rules: Rules
    with_tokens: bool
    ner_mode: str
    manifest: dict | None
    names: list[str]
    t0: float
    started: float
    home: str | None = None


def _run_locked(plan: _Plan, *, progress: bool, workers: int, incremental: bool,
                executor: Executor | None) -> RunSummary:
    input_path, folder, local, config, rules = plan.input_path, plan.folder, plan.local, plan.config, plan.rules
    with_tokens, ner_mode, manifest, names, t0, started = (plan.with_tokens, plan.ner_mode, plan.manifest, plan.names,
                                                           plan.t0, plan.started)
    reusable: dict[str, str] = {}
    if incremental:
        why = folder.unusable(names)
        if why is None:
            d = folder.read_columns("documents", ["doc_id", "rules_version", "reuse_key"]).to_pydict()
            reusable = {i: k for i, rv, k in zip(d["doc_id"], d["rules_version"], d["reuse_key"]) if rv == rules.version}
        elif why != "no earlier tables":
            tqdm.write(f"note: every document is processed again: {why}", file=sys.stderr)
    summary = RunSummary(workers=workers)
    parts: dict[str, list[pa.Table]] = {name: [] for name in (*names, "errors")}
    errors: list[dict] = []
    seen: set[str] = set()
    reused: set[str] = set()
    stats: dict[int, tuple] = {}

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
            if item.doc_id in reusable and reusable[item.doc_id] == reuse_key(item, ner_mode, manifest):
                reused.add(item.doc_id)
                continue
            yield item

    stream = documents()
    if executor is None:
        ctx = local or Context.from_config(config)
        # a small input runs here: a pool would only add its start and the results' transfer
        head = list(itertools.islice(stream, SMALL_INPUT_DOCS + 1))
        stream = itertools.chain(head, stream)
        if workers <= 1 or len(head) <= SMALL_INPUT_DOCS:
            executor = InProcess(ctx)
        else:
            executor = ProcessPool(ctx, workers)
    summary.workers = executor.workers
    bar = tqdm(desc="pages", unit="doc", disable=not progress, file=sys.stderr)
    try:
        for chunk in executor.map(chunks(stream, CHUNK_DOCS, executor.workers)):
            for name, table in chunk.tables.items():
                parts[name].append(table)
            for w in chunk.tables["errors"].to_pylist():   # documents processed with a warning
                tqdm.write(f"warning: {w['source']}: {w['stage']}: {w['message']}", file=sys.stderr)
                summary.warnings += 1
            pid, timings, ready_at, rss, private = chunk.worker
            # running totals: keep the latest (largest) of each worker
            if pid not in stats or sum(timings.values()) >= sum(stats[pid][0].values()):
                stats[pid] = (timings, ready_at, rss, private)
            for source, source_id, chars, exc in chunk.outcomes:
                bar.update()
                if exc is not None:
                    errors.append({"source": source, "source_id": source_id,
                                   "stage": exc.stage, "severity": "error", "message": str(exc)})
                    where = source + (f" (id {source_id})" if source_id else "")
                    tqdm.write(f"error: {where}: {exc.stage}: {exc}", file=sys.stderr)
                    continue
                summary.chars += chars
                summary.processed += 1
    finally:
        executor.close()
        bar.close()
    if isinstance(executor, InProcess):
        summary.timings, summary.load_seconds = executor.ctx.timings, executor.ctx.load_seconds
        summary.peak_rss_mb, summary.private_mb = [peak_rss_mb()], [private_mb()]
    else:
        for timings, ready_at, rss, private in stats.values():
            summary.timings.update(timings)
            # until the last worker was ready: the models' load here (forked workers) or in
            # each worker (spawned: an interpreter, imports, models)
            summary.load_seconds = max(summary.load_seconds, ready_at - started)
            summary.peak_rss_mb.append(rss)
            summary.private_mb.append(private)

    if not seen:   # nothing read: the previous tables stay as they are
        raise InputError(f"{input_path}: no document could be read"
                         + (f" ({len(errors)} unreadable)" if errors else " (the input is empty)"))
    for name in names:   # unchanged documents keep their rows
        old = folder.old_rows(name, reused)
        if old is not None:
            parts[name].append(old)
    # across pages: built from every document's rows, reused ones included, however the run ran
    for name in ("documents", "officials", "projects", "mentions"):
        parts[name] = [concat_tables(name, parts[name])]
    manifest_path = plan.config.manifest if plan.config else plan.local.manifest_path
    records = build_records({n: parts[n][0] for n in ("documents", "officials", "projects", "mentions")},
                            rules["orgs"], plan.home, manifest_homes(manifest_path) if manifest_path else None)
    for name, table in records.items():
        parts[name] = [table]
    parts["errors"].append(build_table("errors", errors))
    summary.written, counts = folder.write(parts, layout=executor.layout, options={
        "ner_mode": ner_mode, "tokens": with_tokens, "rules_version": rules.version, "version": __version__})
    summary.documents = counts["documents"]
    summary.reused = len(reused)
    summary.failed = sum(1 for e in errors if e["severity"] == "error")
    summary.warnings += len(errors) - summary.failed
    summary.articles = counts["articles"]
    summary.sentences = counts["sentences"]
    summary.tokens = counts.get("tokens", 0)
    summary.seconds = time.perf_counter() - t0
    return summary


__all__ = ["Context", "Config", "run", "process_document", "process_documents", "process_chunk", "Executor",
           "InProcess", "ProcessPool", "RunSummary", "__version__"]
