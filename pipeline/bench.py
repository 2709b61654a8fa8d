"""`python -m pipeline bench`: throughput, stage times, memory and model load, in one run.

Builds a corpus of at least --size-mb MB from the seed pages (each copy shifts every digit,
so dates and amounts vary and nothing is cached), then measures on the same machine in the
same run: pkuseg segmentation alone on the pipeline's own sentences, the whole pipeline
with one worker, and with --workers workers. Prints figures; asserts nothing.
"""
from __future__ import annotations

import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from .normalize import normalize
from .paths import PROJECT_ROOT
from .run import Config, Context, run
from .segment import Segmenter, split_sentences


def corpus_pages(seeds: Path, size_mb: float):
    """Copies of the seed pages with shifted digits, (name, text), until they hold size_mb
    MB of UTF-8."""
    pages = [p.read_text(encoding="utf-8-sig") for p in sorted(seeds.glob("*.txt"))]
    total_bytes = 0
    k = 0
    while total_bytes < size_mb * 1_000_000:
        shift = str.maketrans("0123456789", "".join(str((d + k) % 10) for d in range(10)))
        for i, page in enumerate(pages):
            text = page.translate(shift)
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


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(size_mb: float = 2.0, workers: int = 2, seeds: Path | None = None) -> int:
    seeds = seeds or PROJECT_ROOT / "seeds"
    tmp = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    try:
        corpus = tmp / "corpus"
        corpus.mkdir()
        n_pages, n_bytes = build_corpus(corpus, size_mb, seeds)
        texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
        n_chars = sum(map(len, texts))
        print(f"corpus: {n_pages} pages, {n_bytes / 1e6:.2f} MB, {n_chars:,} characters "
              f"(cores: {os.cpu_count()})")

        # 1. segmentation alone, on the sentences the pipeline gives it
        t0 = time.perf_counter()
        seg = Segmenter.load()
        seg_load = time.perf_counter() - t0
        sentences = []
        for text in texts:
            norm = normalize(text)
            sentences += [norm.text[s:e] for p in norm.paragraphs for s, e in split_sentences(norm.text, p.start, p.end)]
        seg_chars = sum(map(len, sentences))
        t0 = time.perf_counter()
        for s in sentences:
            seg.cut(s)
        seg_seconds = time.perf_counter() - t0
        seg_rate = seg_chars / seg_seconds
        print(f"pkuseg alone: {seg_chars:,} characters of sentences in {seg_seconds:.1f} s = "
              f"{seg_rate:,.0f} chars/s; model load {seg_load:.1f} s")
        del seg

        # 2. the whole pipeline, one worker (this process)
        ctx = Context.from_config(Config())
        summary = run(corpus, tmp / "out1", ctx, progress=False, workers=1, incremental=False)
        work = sum(summary.timings.values())
        rate1 = n_chars / summary.seconds
        print(f"pipeline, 1 worker: {summary.seconds:.1f} s = {rate1:,.0f} chars/s of page text "
              f"(model load {ctx.load_seconds:.1f} s, not counted); peak memory {_rss_mb():,.0f} MB")
        print(f"  ratio to segmentation alone: {rate1 / seg_rate:.2f} (target >= 0.8)")
        ner = ctx.extractors.ner_model.seconds if ctx.extractors.ner_model else 0.0
        stages = dict(summary.timings)
        if "extract" in stages and ner:
            stages["extract"] -= ner
            stages["extract: statistical NER model"] = ner
        for name, sec in sorted(stages.items(), key=lambda kv: -kv[1]):
            print(f"  {name:32s} {sec:7.1f} s  {100 * sec / work:5.1f}%")
        print(f"  {'writing tables and the rest':32s} {summary.seconds - work:7.1f} s")

        # 3. the whole pipeline, several workers
        if workers > 1:
            summary_n = run(corpus, tmp / "outN", Config(), progress=False, workers=workers, incremental=False)
            # the workers load their models in parallel; count the run as a user sees it
            rate_n = n_chars / (summary_n.seconds - summary_n.load_seconds)
            print(f"pipeline, {workers} workers: {summary_n.seconds:.1f} s including {summary_n.load_seconds:.1f} s "
                  f"of model load = {rate_n:,.0f} chars/s after load; speed-up {rate_n / rate1:.2f}x "
                  f"(target >= 1.7x on 2 cores)")
            print("  peak memory per worker: " + ", ".join(f"{m:,.0f} MB" for m in summary_n.peak_rss_mb)
                  + " (target <= 1,200 MB)")
            same = all((tmp / "out1" / f"{n}.parquet").read_bytes() == (tmp / "outN" / f"{n}.parquet").read_bytes()
                       for n in ("documents", "articles", "sentences", "entities", "officials", "projects"))
            print(f"  tables identical to the 1-worker run: {same}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0
