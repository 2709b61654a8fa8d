"""What the pipeline guarantees on hostile and careless input (README, "What the pipeline
guarantees"): nothing executed, nothing lost, nothing hangs, no silent damage."""
from __future__ import annotations

import math
import subprocess
import sys

import pandas as pd

from .conftest import cli


run_cli = cli   # a finished process: the tests look at its return code and output


def test_an_amount_beyond_any_budget_is_a_warning_row_never_inf(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "digits.txt").write_text("项目投资" + "1" * 400 + "元。另有一笔资金8亿元。\n", encoding="utf-8")
    (pages / "numerals.txt").write_text("投资" + "一" * 400 + "元。\n", encoding="utf-8")
    proc = run_cli("run", pages, "--out", tmp_path / "out", "--quiet", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    money = pd.read_parquet(tmp_path / "out" / "money.parquet")
    assert money["amount"].tolist() == [800000000.0]
    assert all(math.isfinite(v) for v in money["amount"])
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert sorted(errors["severity"]) == ["warning", "warning"]
    assert set(errors["stage"]) == {"extract"} and errors["message"].str.contains("not stored as an amount").all()
    assert "warning: " in proc.stderr and "2 warnings" in proc.stderr


def test_a_page_over_the_time_budget_is_an_error_row_and_the_run_goes_on(tmp_path):
    """A user's pattern that backtracks catastrophically (check-rules would refuse it; a run
    does not probe) stalls one page only: the page budget ends it."""
    import shutil

    from pipeline.paths import DEFAULT_RULES_DIR
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    with open(rules / "dates.yml", "a", encoding="utf-8") as fh:
        fh.write("  - id: date.slow\n    regex: (?P<relday>(?:今|今)+天)\n    value: relative_day\n"
                 "    examples: [今天]\n")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a_stall.txt").write_text("会议" + "今" * 60 + "日召开。\n", encoding="utf-8")
    (pages / "b_fine.txt").write_text("区委书记李富生出席会议，总投资8亿元。\n", encoding="utf-8")
    proc = run_cli("run", pages, "--out", tmp_path / "out", "--rules", rules, "--quiet", "--workers", "1",
                   "--page-budget", "2", timeout=120)
    assert proc.returncode == 1, proc.stderr
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    [row] = errors[errors["severity"] == "error"].to_dict("records")
    assert row["source"].endswith("a_stall.txt") and "page budget" in row["message"]
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert [s.rsplit("/", 1)[-1] for s in docs["source"]] == ["b_fine.txt"]


def test_a_page_on_one_line_is_processed_and_long_sentences_are_cut_with_a_warning(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    sentence = "区委书记李富生出席会议并讲话，总投资8亿元。"
    (pages / "one_line.txt").write_text(sentence * 10_000, encoding="utf-8")      # 220,000 characters
    (pages / "unpunctuated.txt").write_text("新建道路" + "和绿化" * 2_000 + "。\n", encoding="utf-8")
    proc = run_cli("run", pages, "--out", tmp_path / "out", "--quiet", "--workers", "1", timeout=600)
    assert proc.returncode == 0, proc.stderr
    sents = pd.read_parquet(tmp_path / "out" / "sentences.parquet")
    assert sents["text"].str.len().max() <= 500
    assert len(sents) >= 10_000
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    [warning] = errors.to_dict("records")
    assert warning["source"].endswith("unpunctuated.txt") and warning["stage"] == "segment"
    assert "longer than 500 characters cut" in warning["message"]


def test_work_per_page_grows_linearly_on_adversarial_pages(ctx):
    """Time ratios between sizes in one run (4x the page may take at most 6x the time):
    runs of digits and numerals, repeated titles, one long unpunctuated sentence."""
    import time

    from pipeline.ingest import document_from_text
    from pipeline.run import process_document

    def seconds(text):
        t0 = time.perf_counter()
        process_document(document_from_text(text), ctx)
        return time.perf_counter() - t0

    for unit in ("1", "一", "1、", "区委书记李富生、", "和绿化", "12月3日至"):
        small = min(seconds("投资" + unit * (4_000 // len(unit)) + "元") for _ in range(2))
        big = min(seconds("投资" + unit * (16_000 // len(unit)) + "元") for _ in range(2))
        assert big < 6 * small + 0.05, (unit, small, big)


# ---- nothing lost: incremental runs, the output folder, unreadable input ------------------------

def _pages(tmp_path, n=2):
    import shutil

    from .conftest import SEEDS
    pages = tmp_path / "pages"
    pages.mkdir()
    for p in sorted(SEEDS.glob("*.txt"))[:n]:
        shutil.copy(p, pages / p.name)
    return pages


def _run(pages, out, *extra):
    proc = run_cli("run", pages, "--out", out, "--quiet", "--workers", "1", *extra)
    return proc


def test_incremental_runs_reuse_rows_only_when_nothing_they_depend_on_changed(tmp_path):
    pages, out = _pages(tmp_path), tmp_path / "out"
    assert "(2 processed, 0 unchanged" in _run(pages, out).stderr
    assert "(0 processed, 2 unchanged" in _run(pages, out).stderr
    # a table deleted by hand: everything again, said on stderr, and the table is back
    n_money = len(pd.read_parquet(out / "money.parquet"))
    (out / "money.parquet").unlink()
    proc = _run(pages, out)
    assert "(2 processed, 0 unchanged" in proc.stderr and "processed again" in proc.stderr
    assert len(pd.read_parquet(out / "money.parquet")) == n_money > 0
    # a truncated table: the same, no crash
    data = (out / "entities.parquet").read_bytes()
    (out / "entities.parquet").write_bytes(data[: len(data) // 2])
    proc = _run(pages, out)
    assert proc.returncode == 0 and "(2 processed, 0 unchanged" in proc.stderr
    # another NER mode, tokens asked for: the rows would differ, so they are made again
    assert "(2 processed, 0 unchanged" in _run(pages, out, "--ner", "model").stderr
    assert "(2 processed, 0 unchanged" in _run(pages, out).stderr
    assert "(2 processed, 0 unchanged" in _run(pages, out, "--tokens").stderr
    assert "(0 processed, 2 unchanged" in _run(pages, out, "--tokens").stderr
    # a manifest that dates one page: that page alone is processed again, with its new date
    first = sorted(pages.glob("*.txt"))[0].name
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"source,pub_date\n{first},2023-03-07\n", encoding="utf-8")
    proc = _run(pages, out, "--tokens", "--manifest", manifest)
    assert "(1 processed, 1 unchanged" in proc.stderr
    docs = pd.read_parquet(out / "documents.parquet")
    assert docs.loc[docs["source"].str.endswith(first), "pub_date_basis"].tolist() == ["manifest"]


def test_a_run_killed_between_the_moves_of_its_tables_is_not_reused(tmp_path):
    import json
    pages, out = _pages(tmp_path), tmp_path / "out"
    _run(pages, out)
    manifest = json.loads((out / ".pipeline-tables.json").read_text(encoding="utf-8"))
    manifest["complete"] = False     # what a kill between two moves leaves
    (out / ".pipeline-tables.json").write_text(json.dumps(manifest), encoding="utf-8")
    proc = _run(pages, out)
    assert "(2 processed, 0 unchanged" in proc.stderr and "stopped while moving" in proc.stderr


def test_the_output_folder_replaces_only_what_the_pipeline_wrote(tmp_path):
    pages, out = _pages(tmp_path, 1), tmp_path / "out"
    out.mkdir()
    (out / "projects").mkdir()
    (out / "projects" / "notes.txt").write_text("mine", encoding="utf-8")
    (out / ".staging-mine").mkdir()
    (out / ".pipeline-staging-mine").mkdir()
    proc = run_cli("run", pages, "--out", out, "--quiet", "--engine", "dask", "--workers", "1")
    assert proc.returncode == 2 and "projects exists and was not written by this pipeline" in proc.stderr
    assert (out / "projects" / "notes.txt").read_text(encoding="utf-8") == "mine"
    (out / "projects" / "notes.txt").unlink()
    (out / "projects").rmdir()
    (out / "money.parquet").write_text("my own file", encoding="utf-8")
    proc = _run(pages, out)
    assert proc.returncode == 2 and "money.parquet exists and was not written" in proc.stderr
    (out / "money.parquet").unlink()
    assert _run(pages, out).returncode == 0
    assert (out / ".staging-mine").is_dir() and (out / ".pipeline-staging-mine").is_dir()
    assert not [p for p in out.iterdir() if p.name.startswith(".pipeline-staging-") and p.name != ".pipeline-staging-mine"]


def test_a_second_run_into_the_same_folder_is_kept_out_and_a_stale_lock_is_taken_over(tmp_path):
    import json
    import os
    import socket
    pages, out = _pages(tmp_path, 1), tmp_path / "out"
    out.mkdir()
    lock = out / ".pipeline.lock"
    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": "now"}), encoding="utf-8")
    proc = _run(pages, out)
    assert proc.returncode == 2 and f"another run (pid {os.getpid()}" in proc.stderr
    assert not (out / "documents.parquet").exists()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(), "started": "then"}),
                    encoding="utf-8")
    proc = _run(pages, out)
    assert proc.returncode == 0, proc.stderr
    assert not lock.exists()


def test_unreadable_or_empty_input_exits_2_and_leaves_the_tables_as_they_were(tmp_path):
    pages, out = _pages(tmp_path, 1), tmp_path / "out"
    assert _run(pages, out).returncode == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.parquet")}
    bad_parquet = tmp_path / "bad.parquet"
    bad_parquet.write_bytes(b"PAR1 this is not a table")
    no_text = tmp_path / "no_text.csv"
    no_text.write_text("id,body\n1,hello\n", encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    only_bad = tmp_path / "only_bad.jsonl"
    only_bad.write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    for source, said in ((bad_parquet, "cannot read the table"), (no_text, "no column(s) text"),
                         (empty, "the input is empty"), (only_bad, "2 unreadable")):
        proc = _run(source, out)
        assert proc.returncode == 2 and said in proc.stderr and "nothing was written" in proc.stderr, proc.stderr
        assert {p.name: p.read_bytes() for p in out.glob("*.parquet")} == before


def test_an_out_that_is_a_file_is_a_usage_error(tmp_path):
    pages = _pages(tmp_path, 1)
    (tmp_path / "out").write_text("x", encoding="utf-8")
    proc = _run(pages, tmp_path / "out")
    assert proc.returncode == 2 and "is a file, not a folder" in proc.stderr


def test_tables_that_cannot_be_written_exit_4_and_keep_the_previous_ones(tmp_path, monkeypatch, capsys):
    import errno

    from pipeline import cli, tables
    pages, out = _pages(tmp_path, 1), tmp_path / "out"
    assert cli.main(["run", str(pages), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.parquet")}

    def full_disk(table, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr(tables, "_write_parquet", full_disk)
    assert cli.main(["run", str(pages), "--out", str(out), "--quiet", "--workers", "1", "--force"]) == 4
    assert "No space left on device" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.glob("*.parquet")} == before
    assert not list(out.glob(".pipeline-staging-*"))


def test_a_file_name_that_is_not_utf8_is_shown_escaped_and_the_run_writes(tmp_path):
    import os
    pages = tmp_path / "pages"
    pages.mkdir()
    name = os.fsencode(pages) + b"/\xc4\xe3\xba\xc3.txt"      # GBK bytes in a file name
    with open(name, "wb") as fh:
        fh.write("区委书记李富生出席会议。\n".encode("utf-8"))
    proc = _run(pages, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs["source"].tolist()[0].endswith("\\xc4\\xe3\\xba\\xc3.txt")
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert "not UTF-8" in errors["message"].tolist()[0]


# ---- no silent damage: encodings and scripts -----------------------------------------------------

def test_big5_utf16_and_utf32_pages_are_decoded_not_turned_into_mojibake():
    from pipeline.ingest import decode
    traditional = "本報訊 市長今天在會議上說，這個項目已經開工，總投資八億元。我們將繼續推進發展。" * 2
    simplified = "本报讯 市长今天在会议上说，这个项目已经开工，总投资八亿元。我们将继续推进发展。" * 2
    assert decode(traditional.encode("big5")) == (traditional, "big5")
    assert decode(simplified.encode("gb18030")) == (simplified, "gb18030")
    assert decode(simplified.encode("utf-16")) == (simplified, "utf-16-le")
    assert decode(b"\xfe\xff" + simplified.encode("utf-16-be")) == (simplified, "utf-16-be")
    assert decode(simplified.encode("utf-32")) == (simplified, "utf-32-le")


def test_spaces_between_words_of_alphabetic_scripts_are_kept():
    from pipeline.normalize import normalize
    assert normalize("古巴诗人 José Martí 的诗").text == "古巴诗人José Martí的诗"
    assert normalize("Владимир Путин 访华").text == "Владимир Путин访华"
    assert normalize("José\nMartí").text == "José Martí"
    assert normalize("2 月 28 日").text == "2月28日"


# ---- nothing executed: model folders from anywhere ------------------------------------------------

def test_a_model_folder_with_an_unknown_pickle_is_refused_and_its_code_never_runs(tmp_path):
    import pickle
    import shutil

    from pipeline.paths import DEFAULT_MODEL_DIR
    model = tmp_path / "model"
    model.mkdir()
    shutil.copy(DEFAULT_MODEL_DIR / "weights.npz", model / "weights.npz")
    marker = tmp_path / "executed"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))
    (model / "features.pkl").write_bytes(pickle.dumps(Payload()))
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text("区委书记李富生出席会议。\n", encoding="utf-8")
    for engine in ("compiled", "spacy-pkuseg"):
        proc = run_cli("run", pages, "--out", tmp_path / "out", "--model", model, "--quiet", "--workers", "1",
                       "--segmenter", engine)
        assert proc.returncode == 2, (engine, proc.stderr)
        assert "refusing to read this features.pkl: a pickle can run code" in proc.stderr
        assert not marker.exists()
    assert not (tmp_path / "out").exists()


def test_damaged_compiled_tables_are_detected_before_the_kernel_reads_them(tmp_path):
    import shutil

    import pytest

    from pipeline.paths import DEFAULT_MODEL_DIR
    from pipeline.wordseg import CompileError, FastPkuseg
    model = tmp_path / "model"
    model.mkdir()
    for name in ("weights.npz", "features.msgpack"):
        (model / name).symlink_to(DEFAULT_MODEL_DIR / name)
    shutil.copytree(DEFAULT_MODEL_DIR / "compiled", model / "compiled")
    (model / "compiled" / "verified.json").unlink(missing_ok=True)
    # the same size, other bytes: what a bad copy leaves
    path = model / "compiled" / "bigram_features.npy"
    data = bytearray(path.read_bytes())
    data[len(data) // 2: len(data) // 2 + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    # the source files are links to the real ones: the stamp matches, so only the check stands between
    with pytest.raises(CompileError, match="checksum"):
        FastPkuseg.load(model, compile_missing=False)


def test_read_table_reads_the_manifest_first(tmp_path):
    import json

    import pytest

    from pipeline.tables import OutputError, read_table
    pages, out = _pages(tmp_path, 1), tmp_path / "out"
    assert _run(pages, out).returncode == 0
    assert len(read_table(out, "documents")) == 1
    manifest = json.loads((out / ".pipeline-tables.json").read_text(encoding="utf-8"))
    (out / ".pipeline-tables.json").write_text(json.dumps({**manifest, "complete": False}), encoding="utf-8")
    with pytest.raises(OutputError, match="stopped while moving"):
        read_table(out, "documents")
