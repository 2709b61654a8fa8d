"""Command line: python -m pipeline {run,extractors,explain,check-rules,fetch-model,...} ...

Exit codes
  0  every document was processed and the tables were written
  1  the tables were written, but some documents failed (see the `errors` table and stderr);
     warnings (a document processed with control characters removed) do not change the code
  2  bad usage, a bad rules file or an unreadable input/manifest: nothing was written
  3  the segmentation model is missing: nothing was written (the message says how to fetch it)
  4  the documents were processed but the tables could not be written (disk full, permissions):
     the previous tables are as they were
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .paths import DEFAULT_MODEL_DIR, DEFAULT_OUT_DIR, DEFAULT_RULES_DIR

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_NO_MODEL, EXIT_NOT_WRITTEN = 0, 1, 2, 3, 4


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Information extraction from Chinese local-government newspaper pages.",
        epilog=__doc__.split("\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run the pipeline on INPUT and write Parquet tables",
                       description="Run the pipeline on a folder of .txt pages, a .jsonl file "
                       "(id, text, optional pub_date) or a Parquet/CSV table with id and text columns.")
    r.add_argument("input", type=Path, help="folder of .txt pages, .txt, .jsonl, .parquet or .csv")
    r.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR, help=f"output folder (default {DEFAULT_OUT_DIR})")
    r.add_argument("--rules", type=Path, default=DEFAULT_RULES_DIR, help="rules folder (default rules/)")
    r.add_argument("--model", type=Path, default=None, help=f"pkuseg model folder (default {DEFAULT_MODEL_DIR})")
    r.add_argument("--manifest", type=Path, default=None,
                   help="CSV/JSONL with source (file name) or id, and pub_date")
    r.add_argument("--tokens", action="store_true", help="also write the tokens table")
    r.add_argument("--home", default=None,
                   help="home jurisdiction of every page: a bare district organ on a page is that "
                        "district's (positions, people); default: each page's most named district or county")
    r.add_argument("--ner", choices=("combined", "model"), default="combined",
                   help="combined: the model corrected by rules/ner.yml (default); model: the statistical "
                        "model's entities alone, as a baseline")
    r.add_argument("--segmenter", choices=("compiled", "spacy-pkuseg"), default="compiled",
                   help="compiled: pipeline.wordseg (default); spacy-pkuseg: the library itself, "
                        "slower, the same words (to check)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="processes that each load the models once (default: the machine's cores)")
    r.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: a process pool on this machine (default); dask: a Dask cluster, "
                        "a LocalCluster of --workers processes unless --scheduler is given")
    r.add_argument("--scheduler", default=None,
                   help="address of a running Dask scheduler (tcp://host:port); implies --engine dask")
    r.add_argument("--page-budget", type=float, default=None, metavar="SECONDS",
                   help="a page that takes longer becomes an error row and the run goes on "
                        "(default 60; 0: no limit)")
    r.add_argument("--force", action="store_true",
                   help="process every document again, even those unchanged since the tables in --out")

    fm = sub.add_parser("fetch-model", help="fetch the pkuseg mixed model into data/models/")
    fm.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    fm.add_argument("--force", action="store_true", help="fetch again even if present")

    cr = sub.add_parser("check-rules", help="validate the rules files and print a summary")
    cr.add_argument("--rules", type=Path, default=DEFAULT_RULES_DIR)

    sub.add_parser("extractors", help="list the registered extractors: rules file, table, labels, requires")

    ev = sub.add_parser("evaluate", help="score the seeds, gold-dev and People's Daily dev in one table")
    ev.add_argument("--shared", type=Path, default=None, help="the shared folder (default ../shared)")
    ev.add_argument("--workers", type=int, default=1)

    sn = sub.add_parser("score-ner", help="P/R/F1 per label against a JSONL of sentences with gold entities",
                        description="Each line: {\"text\": ..., \"entities\": [{\"start\", \"end\", \"label\"}]}; "
                        "labels PER/PERSON, ORG, LOC/GPE. Spans count when start, end and label all match.")
    sn.add_argument("gold", type=Path)
    sn.add_argument("--ner", choices=("combined", "model", "both"), default="both")
    sn.add_argument("--rules", type=Path, default=DEFAULT_RULES_DIR)
    sn.add_argument("--model", type=Path, default=None)

    ex = sub.add_parser("explain", help="show every mention found in TEXT with the rule that found it",
                        description="Runs TEXT (or --file) through exactly what `run` does with a page and "
                        "prints every mention, its rule and its normalised value.")
    ex.add_argument("text", nargs="?", help="a snippet of page text")
    ex.add_argument("--file", type=Path, default=None, help="a page (.txt, UTF-8) instead of TEXT")
    ex.add_argument("--pub-date", type=lambda v: __import__("datetime").date.fromisoformat(v), default=None,
                    help="publication date for relative dates (YYYY-MM-DD)")
    ex.add_argument("--rules", type=Path, default=DEFAULT_RULES_DIR)
    ex.add_argument("--model", type=Path, default=None)

    bn = sub.add_parser("bench", help="throughput, stage times, memory and model load on a corpus built from seeds/")
    bn.add_argument("--size-mb", type=float, default=2.0, help="corpus size (default 2 MB)")
    bn.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    bn.add_argument("--repeat", type=int, default=1,
                    help="run each measurement this many times and keep the fastest (timings vary)")
    bn.add_argument("--model-options", action="store_true",
                    help="also measure ONNX Runtime's options on the NER model (speed, and whether its tags change)")

    for cmd, arg, what in (("who", "name", "a person's positions over time, with the pages that show them"),
                           ("holders", "position", 'the holders of a position in date order ("ORGANISATION TITLE")'),
                           ("project", "name", "a project's record and timeline")):
        q = sub.add_parser(cmd, help=what)
        q.add_argument(arg)
        q.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR, help=f"tables of a run (default {DEFAULT_OUT_DIR})")
    sh = sub.add_parser("show", help="write a static HTML site to audit a run: every mention on its page")
    sh.add_argument("out", type=Path, help="the tables of a run")
    sh.add_argument("--html", type=Path, required=True, help="folder for the site (open DIR/index.html)")
    sh.add_argument("--doc", action="append", default=None, help="only this document (source, file name, id); repeatable")
    br = sub.add_parser("bench-recognizers", help="score dates, money and numerals on Recognizers-Text cases")
    br.add_argument("bench", type=Path, nargs="?", default=Path("../shared/bench"),
                    help="folder with dates_/money_/numbers_recognizers.jsonl")
    br.add_argument("--rules", type=Path, default=DEFAULT_RULES_DIR)
    return ap


def _setup(fn):
    """Run fn, turning the set-up failures every command shares into their exit codes."""
    from .model import ModelMissingError
    from .rules import RulesError
    try:
        return fn()
    except RulesError as exc:
        print("rules error:\n" + "\n".join(exc.problems), file=sys.stderr)
        return EXIT_USAGE
    except ModelMissingError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_NO_MODEL
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _cmd_run(args) -> int:
    from .ingest import InputError
    from .tables import OutputError, WriteError
    from .model import compile_segmenter, locate_model
    from .pubdate import load_manifest
    from .rules import load_rules
    from .run import DEFAULT_PAGE_SECONDS, Config, Context, run

    config = Config(args.rules, args.model, args.manifest, args.tokens, args.ner, args.segmenter,
                    DEFAULT_PAGE_SECONDS if args.page_budget is None else args.page_budget)
    if args.engine == "dask" or args.scheduler:
        # check in this process what every Dask worker needs, so that a bad rules file or a
        # missing model is reported once, before any work (local workers fork from the
        # Context built here)
        ctx = _setup(lambda: (load_rules(args.rules), compile_segmenter(locate_model(args.model)),
                              load_manifest(args.manifest) if args.manifest else None) and config)
    else:
        ctx = _setup(lambda: Context.from_config(config))
    if isinstance(ctx, int):
        return ctx
    try:
        executor = None
        if args.engine == "dask" or args.scheduler:
            from .distributed import DaskExecutor
            executor = DaskExecutor(config, args.scheduler, args.workers)
        summary = run(args.input, args.out, ctx, progress=not args.quiet, workers=args.workers,
                      incremental=not args.force, executor=executor, home=args.home)
    except InputError as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    except WriteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOT_WRITTEN
    except OutputError as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    rate = summary.chars / summary.seconds if summary.seconds else 0.0
    print(f"{summary.documents} documents ({summary.processed} processed, {summary.reused} unchanged, "
          f"{summary.failed} failed, {summary.warnings} warnings), {summary.articles} articles, "
          f"{summary.sentences} sentences" + (f", {summary.tokens} tokens" if args.tokens else "")
          + f" in {summary.seconds:.1f} s ({rate:,.0f} chars/s, "
          + (f"{summary.workers} workers" if summary.workers > 1 else "one process") + f") -> {args.out}", file=sys.stderr)
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def _cmd_fetch_model(args) -> int:
    from .model import fetch_model
    try:
        fetch_model(args.model, force=args.force)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_MODEL
    return EXIT_OK


def _cmd_check_rules(args) -> int:
    from .rules import RulesError, load_rules
    try:
        rules = load_rules(args.rules, probe=True)
    except RulesError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return EXIT_USAGE
    print(f"rules in {rules.folder} are valid (version {rules.version})")
    for name, value in rules.data.items():
        parts = []
        for key, v in value.items():
            n = len(v) if isinstance(v, (list, dict)) else 1
            parts.append(f"{key}: {n}")
        print(f"  {name}.yml  " + ", ".join(parts))
    return EXIT_OK


def _cmd_bench_recognizers(args) -> int:
    from .bench_recognizers import main as bench
    return bench(args.bench, args.rules)


def _cmd_score_ner(args) -> int:
    from .score_ner import main as score
    return _setup(lambda: score(args.gold, args.ner, args.rules, args.model))


def _cmd_explain(args) -> int:
    from .explain import explain
    from .run import Context

    if (args.text is None) == (args.file is None):
        print("error: give TEXT or --file, not both", file=sys.stderr)
        return EXIT_USAGE

    def go():
        text = args.text if args.file is None else args.file.read_text(encoding="utf-8-sig")
        ctx = Context.create(args.rules, args.model)
        print("\n".join(explain(ctx, text, args.pub_date)))
        return EXIT_OK
    return _setup(go)


def _cmd_evaluate(args) -> int:
    from .evaluate import DEFAULT_SHARED, main as evaluate
    return _setup(lambda: evaluate(args.shared or DEFAULT_SHARED, args.workers))


def _cmd_extractors(args) -> int:
    from .extract.registry import extractor_classes
    rows = [("name", "rules file", "table", "labels", "requires", "provides")]
    for c in extractor_classes():
        rows.append((c.name, f"rules/{c.rules_file}" if c.rules_file else "-", c.table.name if c.table else "-",
                     ", ".join(c.labels) or "-", ", ".join(c.requires) or "-", ", ".join(c.provides) or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    print("\nin running order; every extractor finds mentions with find(sentence, context) "
          "(pipeline/extract/base.py)")
    return EXIT_OK


def _cmd_bench(args) -> int:
    from .bench import main as bench
    return _setup(lambda: bench(args.size_mb, args.workers, repeat=max(1, args.repeat), model_options=args.model_options))


def _cmd_records(args) -> int:
    """who / holders / project: questions to the tables across pages of a run."""
    from . import records
    from .tables import OutputError
    try:
        print({"who": lambda: records.who(args.out, args.name),
               "holders": lambda: records.holders(args.out, args.position),
               "project": lambda: records.project(args.out, args.name)}[args.command]())
    except OutputError as exc:
        print(f"error: {args.out}: {exc} (run the pipeline first)", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _cmd_show(args) -> int:
    from .show import main
    return main(args.out, args.html, args.doc)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"run": _cmd_run, "fetch-model": _cmd_fetch_model, "check-rules": _cmd_check_rules,
            "score-ner": _cmd_score_ner, "explain": _cmd_explain, "extractors": _cmd_extractors, "evaluate": _cmd_evaluate, "bench": _cmd_bench,
            "bench-recognizers": _cmd_bench_recognizers, "who": _cmd_records, "holders": _cmd_records,
            "project": _cmd_records, "show": _cmd_show}[args.command](args)
