"""`python -m pipeline bench`: throughput, stage times, memory and model load, in one run.

Builds a corpus of at least --size-mb MB from the seed pages (each copy shifts every digit,
so dates and amounts vary and nothing is cached), then measures on the same machine in the
same run: segmentation alone on the pipeline's own sentences (spacy-pkuseg and the compiled
segmenter, each in a fresh process), start-up, the whole pipeline as `python -m pipeline run`
runs it (wall time from a fresh interpreter) with one worker and with --workers, the time
per stage and memory per worker; with --model-options, what ONNX Runtime's options do to the
NER model (bench_model.py). Prints figures; asserts nothing.
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import regex

from .normalize import normalize
from .paths import PROJECT_ROOT
from .run import Config, Context, run
from .schemas import TABLES
from .procstats import peak_rss_mb, resident_mb
from .segment import ENGINES, Segmenter, split_sentences


_SENTENCE_HEAD = regex.compile(r"(^|[。！？；!?;…\n][”’」』）)\"'\s]*[“‘「『（(\"'□]*)(\p{Han})", regex.M)


def _vary(text: str, k: int) -> str:
    """Copy k of a page: digits shifted and the first character of every sentence moved k
    places in the CJK block, so that no sentence repeats an earlier copy's (the NER model
    tags a text it has seen once) while lengths and layout stay those of real pages."""
    if k == 0:
        return text
    text = text.translate(str.maketrans("0123456789", "".join(str((d + k) % 10) for d in range(10))))
    return _SENTENCE_HEAD.sub(lambda m: m.group(1) + chr(0x4E00 + (ord(m.group(2)) - 0x4E00 + k) % 0x5200), text)


def corpus_pages(seeds: Path, size_mb: float):
    """Varied copies of the seed pages, (name, text), until they hold size_mb MB of UTF-8."""
    pages = [p.read_text(encoding="utf-8-sig") for p in sorted(seeds.glob("*.txt"))]
    total_bytes = 0
    k = 0
    while total_bytes < size_mb * 1_000_000:
        for i, page in enumerate(pages):
            text = _vary(page, k)
            total_bytes += len(text.encode("utf-8"))
            yield f"{k:04d}_{i}.txt", text
        k += 1


def build_corpus(folder: Path, size_mb: float, seeds: Path) -> tuple[int, int]:
    """The corpus as .txt files in folder: (pages, bytes)."""
    n = total_bytes = 0
    for name, text in corpus_pages(seeds, size_mb):
        (folder / name).write_text(text, encoding="utf-8")
        total_bytes += len(text.encode("utf-8"))
        n += 1
    return n, total_bytes


def segment_alone(engine: str, sentences: list[str], passes: int = 1) -> dict:
    """Load one segmenter and cut every sentence: rate, memory, a digest of the words (to
    compare engines). Its load time is measured from a fresh interpreter (_LOAD_SEGMENTER)."""
    from .rules import load_rules

    user_words = load_rules()["segment"]["user_dict"]
    base = resident_mb()
    seg = Segmenter.load(user_words=user_words, engine=engine)
    cut = seg.cut
    best = float("inf")
    for _ in range(passes):
        digest = hashlib.sha256()
        seconds = 0.0
        for k in range(0, len(sentences), 1000):
            t0 = time.perf_counter()
            words = [cut(s) for s in sentences[k:k + 1000]]
            seconds += time.perf_counter() - t0
            for w in words:              # the digest is not timed
                digest.update(" ".join(w).encode() + b"\n")
        best = min(best, seconds)
    return {"rate": sum(map(len, sentences)) / best, "base_mb": base,
            "peak_mb": peak_rss_mb(), "digest": digest.hexdigest()}


def _tag_seconds(sentences: list[str]) -> float:
    """The NER model's time on sentences, after a warm-up (in a process of its own)."""
    from .extract.lac import StatisticalNER

    model = StatisticalNER()
    model._tag(sentences[:50])
    t0 = time.perf_counter()
    model._tag(sentences)
    return time.perf_counter() - t0


def _contention(sentences: list[str], workers: int) -> tuple[float, list[float]]:
    """The model alone in one process, and in `workers` processes at once: how much the
    cores slow each other down on this work (shared caches, memory, vector units)."""
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        alone = pool.submit(_tag_seconds, sentences).result()
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        together = list(pool.map(_tag_seconds, [sentences] * workers))
    return alone, together


def _pool_run(corpus: Path, out: Path, workers: int):
    return run(corpus, out, Config(), progress=False, workers=workers, incremental=False)


def _in_fresh_process(fn, *args):
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(fn, *args).result()


# what a user runs, timed from a fresh interpreter: imports and model loads included
_LOAD_SEGMENTER = ("import time; t0 = time.perf_counter(); from pipeline.segment import Segmenter; "
                   "Segmenter.load(engine={engine!r}); print(time.perf_counter() - t0)")


def _python_seconds(code: str) -> float:
    """What `code` prints: seconds it measured in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _cli_wall(*args) -> float:
    """Wall time of `python -m pipeline run ARGS`: interpreter, imports, models, work, tables."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "run", *map(str, args), "--quiet", "--force"],
                   cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0


def main(size_mb: float = 2.0, workers: int = 2, seeds: Path | None = None, repeat: int = 1,
         model_options: bool = False) -> int:
    seeds = seeds or PROJECT_ROOT / "seeds"
    tmp = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    try:
        corpus = tmp / "corpus"
        corpus.mkdir()
        n_pages, n_bytes = build_corpus(corpus, size_mb, seeds)
        texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
        n_chars = sum(map(len, texts))
        print(f"corpus: {n_pages} pages, {n_bytes / 1e6:.2f} MB, {n_chars:,} characters "
              f"(cores: {os.cpu_count()}; {time.strftime('%Y-%m-%d')})")

        # 1. segmentation alone, on the sentences the pipeline gives it: each segmenter in a
        # fresh process of its own, so that load time and memory are its own
        sentences = []
        for text in texts:
            norm = normalize(text)
            sentences += [norm.text[s:e] for p in norm.paragraphs for s, e in split_sentences(norm.text, p.start, p.end)]
        seg_chars = sum(map(len, sentences))
        print(f"segmentation alone: {len(sentences):,} sentences, {seg_chars:,} characters")
        alone = {}
        for engine in ENGINES:
            # the library takes ~15 s a pass: one; the compiled one: the fastest of --repeat
            r = alone[engine] = _in_fresh_process(segment_alone, engine, sentences,
                                                  repeat if engine == "compiled" else 1)
            r["cold_load"] = min(_python_seconds(_LOAD_SEGMENTER.format(engine=engine)) for _ in range(repeat))
            print(f"  {engine:13s} {r['rate']:>11,.0f} chars/s   load {r['cold_load']:5.2f} s with imports   "
                  f"resident {r['peak_mb']:,.0f} MB peak ({r['peak_mb'] - r['base_mb']:,.0f} MB "
                  f"over the {r['base_mb']:,.0f} MB before loading)")
        fast, ref = alone["compiled"], alone["spacy-pkuseg"]
        print(f"  compiled / spacy-pkuseg: {fast['rate'] / ref['rate']:.1f}x the characters/s "
              f"(target >= 20x); same words: {fast['digest'] == ref['digest']}")
        # what a user would run before any extraction: spacy-pkuseg loaded and cutting the text
        ref_total = ref["cold_load"] + seg_chars / ref["rate"]
        print(f"  spacy-pkuseg on this corpus, load and imports included: {ref_total:.1f} s")

        # 2. start-up, each in a fresh interpreter
        seeds_wall = min(_cli_wall(seeds, "--out", tmp / "seeds-out") for _ in range(repeat))
        print("start-up (fresh interpreter, imports included):")
        print(f"  Segmenter.load()                {fast['cold_load']:5.2f} s (target <= 1 s)")
        print(f"  `run` on the {len(list(seeds.glob('*.txt')))} seed pages, wall  {seeds_wall:5.2f} s "
              f"(target <= spacy-pkuseg's load alone, {ref['cold_load']:.2f} s)")

        # 3. the whole pipeline as a user runs it: `python -m pipeline run`, wall time
        wall1 = min(_cli_wall(corpus, "--out", tmp / "cli1", "--workers", 1) for _ in range(repeat))
        print(f"pipeline, 1 worker, wall (interpreter, imports, models, work, tables): {wall1:.1f} s = "
              f"{n_chars / wall1:,.0f} chars/s; {ref_total / wall1:.2f}x spacy-pkuseg's segmentation alone, "
              f"load included on both sides (target >= 2.5x)")
        if workers > 1:
            wall_n = min(_cli_wall(corpus, "--out", tmp / "cliN", "--workers", workers) for _ in range(repeat))
            print(f"pipeline, {workers} workers, wall: {wall_n:.1f} s; {wall1 / wall_n:.2f}x one worker, "
                  f"start-up included (target >= 1.8x)")

        # 4. where the time goes: in this process, one worker; with --repeat the fastest run
        best1 = best_n = None
        for _ in range(repeat):
            # a fresh Context each time, as the workers of the other run start fresh
            ctx = Context.from_config(Config())
            summary = run(corpus, tmp / "out1", ctx, progress=False, workers=1, incremental=False)
            lac = ctx.extraction.by_name.get("lac")
            ner = lac.model.seconds if lac is not None else 0.0
            if best1 is None or summary.seconds < best1[0].seconds:
                rule_seconds = {k: v for k, v in ctx.extraction.seconds.items() if k != "lac"}
                best1 = (summary, dict(summary.timings), ner, ctx.load_seconds, rule_seconds)
            if workers > 1:
                # from a fresh process, as a user's run: the workers fork from a parent that
                # holds the models and nothing else (this one holds the runs so far)
                summary_n = _in_fresh_process(_pool_run, corpus, tmp / "outN", workers)
                if best_n is None or summary_n.seconds < best_n.seconds:
                    best_n = summary_n
        summary, stages, ner, load, per_extractor = best1
        work = sum(stages.values())
        print(f"time per stage, 1 worker in this process: {summary.seconds:.1f} s of work after {load:.2f} s "
              f"loading the models; peak memory {peak_rss_mb():,.0f} MB (this process, all runs)")
        # the model runs ahead of extraction for a chunk of pages ("ner model"), and inside
        # it for what was not run ahead: count it all as one stage
        if ner:
            stages["extract"] = stages.get("extract", 0.0) - (ner - stages.pop("ner model", 0.0))
            stages["statistical NER model"] = ner
        for name, sec in sorted(stages.items(), key=lambda kv: -kv[1]):
            print(f"  {name:32s} {sec:7.1f} s  {100 * sec / work:5.1f}%")
            if name == "extract":   # its rule extractors (the model's own time is the line above)
                for ex, ex_sec in sorted(per_extractor.items(), key=lambda kv: -kv[1]):
                    print(f"    {ex:30s} {ex_sec:7.2f} s")
        print(f"  {'writing tables and the rest':32s} {summary.seconds - work:7.1f} s")

        if best_n is not None:
            print(f"{workers} workers, pool of a fresh process: {best_n.seconds:.1f} s, of which "
                  f"{best_n.load_seconds:.2f} s before every worker was ready (models loaded here, "
                  f"workers forked)")
            print("  peak memory per worker: " + ", ".join(
                f"{m:,.0f} MB resident ({p:,.0f} MB its own)" if p is not None else f"{m:,.0f} MB resident"
                for m, p in zip(best_n.peak_rss_mb, best_n.private_mb))
                + " (target <= 500 MB; resident counts the models shared with the parent)")
            same = all((tmp / "out1" / f"{n}.parquet").read_bytes() == (tmp / "outN" / f"{n}.parquet").read_bytes()
                       for n in TABLES if n != "tokens")
            print(f"  tables identical to the 1-worker run: {same}")
            alone, together = _contention(sentences[:3000], workers)
            print(f"  the NER model on 3,000 sentences: {alone:.2f} s alone, "
                  + ", ".join(f"{t:.2f}" for t in together)
                  + f" s in {workers} processes at once ({sum(together) / len(together) / alone:.2f}x slower each: "
                  f"the ceiling of the speed-up is {workers * alone / max(together):.2f}x)")
        if model_options:
            from .bench_model import main as bench_model
            bench_model(sentences)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0
