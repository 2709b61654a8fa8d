"""The whole pipeline on seeds/, through the command line, as a user runs it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.paths import DEFAULT_RULES_DIR
from pipeline.schemas import TABLES

from .conftest import GOLD, ROOT, SEEDS, cli

SCORER = ROOT.parent / "shared" / "eval" / "score.py"


run_cli = cli   # a finished process: the tests look at its return code and output


def table(out, name):
    return pd.read_parquet(out / f"{name}.parquet")


def test_every_table_has_its_declared_schema_and_key(out):
    for name in TABLES:
        t = pq.read_table(out / f"{name}.parquet")
        assert t.schema.equals(TABLES[name].schema, check_metadata=False), name
        df = t.to_pandas()
        if name != "errors":
            assert not df.duplicated(list(TABLES[name].primary_key)).any(), name


def test_documents(out):
    docs = table(out, "documents")
    assert len(docs) == 5
    assert set(docs["pub_date_basis"]) == {"inferred"}
    assert docs["pub_year"].notna().all()
    assert (docs["n_chars"] == docs["norm_text"].str.len()).all()
    for rec in docs.to_dict("records"):
        raw = Path(rec["source"]).read_text(encoding="utf-8-sig") if Path(rec["source"]).is_absolute() \
            else (ROOT / rec["source"]).read_text(encoding="utf-8-sig")
        assert rec["n_raw_chars"] == len(raw)
        norm_at, raw_at = list(rec["offset_norm"]), list(rec["offset_raw"])
        # spot-check the offset map: a mapped character is the same character in the raw text
        from pipeline.normalize import NormText, fold_char
        full = NormText.expand_segments(norm_at, raw_at, rec["n_chars"])
        for i in range(0, rec["n_chars"], 97):
            ch = rec["norm_text"][i]
            if ch not in "\n ":
                assert fold_char(raw[full[i]]) == ch


def test_articles_and_sentences_join(out):
    docs = table(out, "documents").set_index("doc_id")
    arts = table(out, "articles")
    sents = table(out, "sentences")
    assert set(arts["doc_id"]) <= set(docs.index)
    assert set(sents["article_id"]) <= set(arts["article_id"])
    assert set(arts["kind"]) <= {"news", "feature", "photo_caption", "header", "other"}
    for rec in sents.to_dict("records"):
        assert docs.loc[rec["doc_id"], "norm_text"][rec["start"]:rec["end"]] == rec["text"]
    merged = sents.merge(arts[["article_id", "start", "end"]], on="article_id", suffixes=("", "_a"))
    assert ((merged["start"] >= merged["start_a"]) & (merged["end"] <= merged["end_a"])).all()
    # bylines are not sentences
    assert not sents["text"].str.startswith(("本报讯", "□本报记者")).any()
    # sentences do not overlap
    s = sents.sort_values(["doc_id", "start"])
    assert (s.groupby("doc_id")["start"].shift(-1).fillna(10**9) >= s["end"]).all()


def test_mentions_join_to_their_tables_sentences_and_text(out):
    docs = table(out, "documents").set_index("doc_id")
    sents = table(out, "sentences").set_index("sentence_id")
    ents = table(out, "mentions")
    from pipeline.extract.registry import extractor_classes
    # every extractor whose table is keyed by its mentions' ids, one label each
    keyed = [(c.table.name, c.labels[0]) for c in extractor_classes()
             if c.table is not None and c.table.primary_key == ("mention_id",) and len(c.labels) == 1]
    assert ("dates", "DATE") in keyed and ("money", "MONEY") in keyed
    for name, label in keyed:
        t = table(out, name)
        assert len(t) > 0, name
        sub = ents[ents["label"] == label]
        assert sorted(t["mention_id"]) == sorted(sub["mention_id"])
    assert {"PERSON", "ORG", "LOC", "TITLE", "PROJECT", "DATE", "MONEY"} <= set(ents["label"])
    for rec in ents.to_dict("records"):
        assert docs.loc[rec["doc_id"], "norm_text"][rec["start"]:rec["end"]] == rec["text"]
        if pd.isna(rec["sentence_id"]):   # a name in a byline or photo credit
            assert (rec["label"], rec["source"]) == ("PERSON", "byline")
            continue
        s = sents.loc[rec["sentence_id"]]
        assert s["start"] <= rec["start"] < rec["end"] <= s["end"]
        assert s["article_id"] == rec["article_id"]
    dates = table(out, "dates")
    resolved = dates[dates["grain"] != "unresolved"]
    assert (resolved["start_date"] <= resolved["end_date"]).all()
    money = table(out, "money")
    assert set(money["currency"]) == {"CNY"}


def test_named_entities_group_their_mentions(out):
    mentions = table(out, "mentions")
    entities = table(out, "entities").set_index("entity_id")
    names = mentions[mentions["label"].isin(["PERSON", "ORG", "LOC"])]
    # every name names one entity of its label and document; nothing else names one
    assert names["entity_id"].notna().all()
    assert mentions[~mentions.index.isin(names.index)]["entity_id"].isna().all()
    assert set(names["entity_id"]) == set(entities.index)
    for entity_id, group in names.groupby("entity_id"):
        e = entities.loc[entity_id]
        assert (group["doc_id"] == e["doc_id"]).all() and (group["label"] == e["label"]).all()
        assert e["n_mentions"] == len(group)
        assert set(group["text"]) == {e["text"], *e["aliases"]}
        assert len(e["aliases"]) == len(e["alias_rules"]) and all(r.startswith("ner.alias_") for r in e["alias_rules"])
        assert e["first_mention_id"] == min(group["mention_id"])
    # one name per entity of a page: no two entities of a document share a label and a name
    assert not entities.duplicated(["doc_id", "label", "text"]).any()
    # a page that writes a place with and without its unit names it once, in full
    aliased = entities[entities["aliases"].map(len) > 0]
    assert len(aliased) > 0
    for e in aliased.to_dict("records"):
        assert all(len(a) < len(e["text"]) for a in e["aliases"])


def test_officials_and_projects(out):
    docs = table(out, "documents").set_index("doc_id")
    ents = table(out, "mentions").set_index("mention_id")
    officials = table(out, "officials")
    assert len(officials) > 0
    for rec in officials.to_dict("records"):
        text = docs.loc[rec["doc_id"], "norm_text"]
        assert text[rec["person_start"]:rec["person_end"]] == rec["person"]
        assert rec["title_span"] in text[rec["start"]:rec["end"]]
        assert rec["title_span"].endswith(rec["title"])
    persons = ents[ents["label"] == "PERSON"]
    assert set(officials["person"]) <= set(persons["text"])
    projects = table(out, "projects")
    assert set(projects["project_id"]) <= set(ents.index)
    assert (projects["name"] == projects["text"]).all()
    # bylines are not officials
    arts = table(out, "articles")
    reporters = {n for names in arts["reporters"] for n in names}
    assert not (set(officials["person"]) & reporters)


def test_tokens_cover_their_sentences(out):
    sents = table(out, "sentences").set_index("sentence_id")
    toks = table(out, "tokens")
    docs = table(out, "documents").set_index("doc_id")
    joined = toks.groupby("sentence_id")["text"].apply("".join)
    for sid, text in joined.items():
        assert text == sents.loc[sid, "text"].replace(" ", "")
    sample = toks.sample(200, random_state=0)
    for rec in sample.to_dict("records"):
        assert docs.loc[rec["doc_id"], "norm_text"][rec["start"]:rec["end"]] == rec["text"]


def test_runs_are_byte_identical(out, tmp_path):
    proc = run_cli("run", SEEDS, "--out", tmp_path, "--tokens", "--quiet")
    assert proc.returncode == 0, proc.stderr
    for name in TABLES:
        assert (out / f"{name}.parquet").read_bytes() == (tmp_path / f"{name}.parquet").read_bytes(), name


def test_the_library_segmenter_gives_the_same_tables(out, tmp_path):
    # --segmenter spacy-pkuseg runs the library itself: every table, tokens included, is the
    # same to the byte as with the compiled segmenter
    proc = run_cli("run", SEEDS, "--out", tmp_path, "--tokens", "--quiet", "--segmenter", "spacy-pkuseg",
                   "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    for name in TABLES:
        assert (out / f"{name}.parquet").read_bytes() == (tmp_path / f"{name}.parquet").read_bytes(), name


def test_bad_documents_fail_alone(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(SEEDS, pages)
    (pages / "zz_binary.txt").write_bytes(b"\x00\xff\x00\xfe" * 100)
    (pages / "zz_empty.txt").write_bytes(b"   \n")
    out = tmp_path / "out"
    proc = run_cli("run", pages, "--out", out, "--quiet")
    assert proc.returncode == 1
    assert "zz_binary.txt" in proc.stderr and "zz_empty.txt" in proc.stderr
    assert len(table(out, "documents")) == 5
    errors = table(out, "errors")
    assert sorted(Path(s).name for s in errors["source"]) == ["zz_binary.txt", "zz_empty.txt"]


def test_bad_rules_write_nothing(tmp_path, out):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    with open(rules / "articles.yml", "a", encoding="utf-8") as fh:
        fh.write("no_such_key: [1]\n")
    target = tmp_path / "out"
    shutil.copytree(out, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    proc = run_cli("run", SEEDS, "--out", target, "--rules", rules, "--quiet")
    assert proc.returncode == 2
    assert "articles.yml:" in proc.stderr and "no_such_key" in proc.stderr
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_missing_model_exit_code(tmp_path):
    proc = run_cli("run", SEEDS, "--out", tmp_path / "o", "--model", tmp_path / "none", "--quiet")
    assert proc.returncode == 3 and "fetch-model" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_jsonl_input(tmp_path):
    src = tmp_path / "in.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for i, page in enumerate(sorted(SEEDS.glob("*.txt"))[:2]):
            rec = {"id": f"r{i}", "text": page.read_text(encoding="utf-8-sig"), "pub_date": "2024-01-0%d" % (i + 1)}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    proc = run_cli("run", src, "--out", tmp_path / "o", "--quiet")
    assert proc.returncode == 0, proc.stderr
    docs = table(tmp_path / "o", "documents").sort_values("source_id")
    assert list(docs["source_id"]) == ["r0", "r1"]
    assert list(docs["pub_date_basis"]) == ["input", "input"]
    assert str(docs["pub_date"].iloc[1]) == "2024-01-02"


@pytest.mark.skipif(not (SCORER.exists() and GOLD.exists()), reason="shared/ scorer and gold not beside the project")
def test_scorer_on_visible_gold(out):
    proc = subprocess.run([sys.executable, str(SCORER), "--tables", str(out), "--gold", str(GOLD), "--json"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    scores = json.loads(proc.stdout)
    assert scores["publication_year"]["f1"] == 1.0
    assert scores["bylines"]["f1"] >= 0.95
    assert scores["headlines"]["f1"] >= 0.85
    assert scores["dates_A"]["f1"] >= 0.95
    assert scores["dates_B"]["f1"] >= 0.80
    assert scores["money"]["f1"] >= 0.97
    assert scores["officials"]["f1"] >= 0.90
    assert scores["projects"]["f1"] >= 0.80
    assert scores["project_investment"]["f1"] >= 0.80
    assert scores["persons"]["f1"] >= 0.90
    assert scores["organizations"]["f1"] >= 0.70
    assert scores["locations"]["f1"] >= 0.75


def test_score_ner_command():
    proc = run_cli("score-ner", ROOT / "tests" / "data" / "ner_sample.jsonl", "--ner", "combined")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("combined (3 texts)")
    for label in ("PERSON", "ORG", "LOC", "ALL"):
        assert any(line.strip().startswith(label) and "F1=" in line for line in lines), label


def test_model_only_ner_is_a_baseline(tmp_path):
    proc = run_cli("run", SEEDS, "--out", tmp_path, "--ner", "model", "--quiet")
    assert proc.returncode == 0, proc.stderr
    ents = table(tmp_path, "mentions")
    ner = ents[ents["label"].isin(["PERSON", "ORG", "LOC"])]
    assert len(ner) > 0 and set(ner["source"]) == {"lac"}


def test_explain_shows_each_mention_with_its_rule():
    proc = run_cli("explain", "区委副书记、区长路录平 2月28日至3月1日主持会议，总投资约8亿元。", "--pub-date", "2023-03-05")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "2月28日至3月1日" in out and "start_date=2023-02-28 end_date=2023-03-01" in out and "rule=date.md" in out
    assert "约8亿元" in out and "amount=800000000.0" in out and "rule=money.amount" in out
    assert "OFFICIAL person=路录平 title=区长" in out


def test_explain_shows_what_run_writes_for_every_seed_page(out, ctx):
    """explain runs the path of run: the same mentions, rules and values, page by page."""
    from pipeline.explain import explain_rows
    docs = table(out, "documents")
    assert len(docs) == len(list(SEEDS.glob("*.txt")))
    for rec in docs.to_dict("records"):
        raw = (ROOT / rec["source"]).read_text(encoding="utf-8-sig") if not Path(rec["source"]).is_absolute() \
            else Path(rec["source"]).read_text(encoding="utf-8-sig")
        rows = explain_rows(ctx, raw, source=Path(rec["source"]).name)
        assert rows["documents"][0]["pub_date"] == rec["pub_date"]
        for name in ctx.extraction.tables():
            written = table(out, name)
            written = written[written["doc_id"] == rec["doc_id"]].drop(columns=["doc_id"])
            shown = pd.DataFrame(rows[name], columns=list(written.columns) + ["doc_id"]).drop(columns=["doc_id"])
            key = [c for c in written.columns if c.endswith("_id")]
            strip = lambda df: df.drop(columns=key).astype(str).reset_index(drop=True)  # ids carry the doc_id
            assert len(shown) == len(written), name
            assert strip(shown).equals(strip(written)), name


def test_notebook_runs_headless_on_the_seed_tables(out, monkeypatch):
    import nbformat
    from nbclient import NotebookClient
    monkeypatch.setenv("PIPELINE_OUT", str(out))
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the notebook draws a plot"
    assert (out / "projects_investment.png").stat().st_size > 1000


def test_explain_shows_a_projects_location_and_investment():
    proc = run_cli("explain", "位于新华镇的锦绣新城项目开工建设，总投资5亿元。", "--pub-date", "2023-03-05")
    assert proc.returncode == 0, proc.stderr
    line = next(l for l in proc.stdout.splitlines() if l.startswith("PROJECT"))
    assert "锦绣新城项目" in line and "investment=500000000.0" in line
    assert "status=started" in line and "location=新华镇" in line


def test_evaluate_prints_one_table_for_seeds_gold_dev_and_peoples_daily(tmp_path):
    shared = ROOT.parent / "shared"
    small = tmp_path / "shared"
    shutil.copytree(shared / "eval", small / "eval")
    shutil.copytree(shared / "gold", small / "gold")
    page = sorted((shared / "gold-dev" / "texts").glob("*.txt"))[0]
    (small / "gold-dev" / "texts").mkdir(parents=True)
    (small / "gold-dev" / "gold").mkdir()
    shutil.copy(page, small / "gold-dev" / "texts")
    shutil.copy(shared / "gold-dev" / "gold" / (page.stem + ".json"), small / "gold-dev" / "gold")
    (small / "bench").mkdir()
    (small / "bench" / "ner_peoplesdaily_dev.jsonl").write_text(
        "\n".join((shared / "bench" / "ner_peoplesdaily_dev.jsonl").read_text(encoding="utf-8").splitlines()[:20]),
        encoding="utf-8")
    proc = run_cli("evaluate", "--shared", small)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["field", "(F1)", "seeds", "gold-dev", "dev-wrapped"]
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[1:] if ln.strip() and not ln.startswith("People")}
    assert rows["publication_year"][0] == "1.000" and rows["bylines"][0] == "1.000"
    # the page cut into a narrow column reads as the clean page
    assert rows["money"][1] == rows["money"][2] and rows["headlines"][1] == rows["headlines"][2]
    assert "People's Daily dev (20 sentences), F1" in proc.stdout
    assert rows["ALL"] and all(0.0 <= float(v) <= 1.0 for v in rows["PERSON"])


def test_rewrap_cuts_body_paragraphs_into_a_column():
    from pipeline.evaluate import rewrap
    page = "标题一行不切开\n\n正文第一段很长很长很长很长。\n\n第二段。"
    assert rewrap(page, 5) == "标题一行不切开\n\n正文第一段\n很长很长很\n长很长。\n\n第二段。"


def test_evaluate_says_what_is_missing(tmp_path):
    proc = run_cli("evaluate", "--shared", tmp_path)
    assert proc.returncode == 2 and "not found" in proc.stderr


PEOPLES_DAILY_DEV = ROOT.parent / "shared" / "bench" / "ner_peoplesdaily_dev.jsonl"


@pytest.mark.skipif(not PEOPLES_DAILY_DEV.exists(), reason="shared/bench not beside the project")
def test_rules_never_make_the_model_worse_on_peoples_daily():
    """The rules correct the statistical model, they do not gate it: on People's Daily dev the
    combined F1 is at least the model's alone for each of PERSON, ORG and LOC."""
    from pipeline.run import Context
    from pipeline.score_ner import read_gold, score

    gold = read_gold(PEOPLES_DAILY_DEV)
    model = score(Context.create(ner_mode="model"), gold)
    combined = score(Context.create(ner_mode="combined"), gold)
    for label in ("PERSON", "ORG", "LOC", "ALL"):
        assert combined[label][2] >= model[label][2], (label, model[label], combined[label])


def test_bench_prints_every_figure_of_one_run():
    """`bench` on a small corpus: every figure the README's table quotes, from one run."""
    from . import conftest

    out = conftest.run_cli("bench", "--size-mb", "0.15", "--workers", "2")   # pages enough for a pool
    for line in ("segmentation alone:", "compiled / spacy-pkuseg:", "same words: True",
                 "Segmenter.load()", "seed pages, wall", "pipeline, 1 worker, wall",
                 "load included on both sides", "pipeline, 2 workers, wall", "time per stage",
                 "statistical NER model", "peak memory per worker", "tables identical to the 1-worker run: True",
                 "processes at once", "    dates "):
        assert line in out, line
