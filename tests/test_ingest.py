from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.ingest import IngestError, InputError, RawDocument, make_doc_id, read_inputs

PAGE = "本报讯（记者 王嘉晨）2月28日，区财政局宣讲团成员深入社区宣讲。\n"


def docs(path):
    return list(read_inputs(path))


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("gbk", b"")])
def test_txt_encodings(tmp_path, encoding, bom):
    (tmp_path / "p.txt").write_bytes(bom + PAGE.encode(encoding))
    [d] = docs(tmp_path)
    assert isinstance(d, RawDocument) and d.text == PAGE


def test_bad_files_are_errors_and_the_rest_goes_on(tmp_path):
    (tmp_path / "a_good.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 50)
    (tmp_path / "d_good.txt").write_text(PAGE + "又一段。", encoding="utf-8")
    got = docs(tmp_path)
    assert [type(x).__name__ for x in got] == ["RawDocument", "IngestError", "IngestError", "RawDocument"]
    assert got[1].source.endswith("b_empty.txt") and "empty" in got[1].message
    assert got[2].source.endswith("c_binary.txt")


def test_jsonl_with_pub_date_and_bad_lines(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "a", "text": PAGE, "pub_date": "2023-03-04"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "text": PAGE}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    a, bad1, bad2, d = docs(path)
    assert a.source_id == "a" and str(a.given_pub_date) == "2023-03-04" 
    assert isinstance(bad1, IngestError) and bad1.source.endswith("in.jsonl:2")
    assert isinstance(bad2, IngestError) and bad2.source.endswith("in.jsonl:3")
    assert d.given_pub_date is None
    assert a.doc_id != d.doc_id  # same text, different record id


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_tables(tmp_path, suffix):
    df = pd.DataFrame({"id": ["x", "y"], "text": [PAGE, PAGE + "。"], "pub_date": ["2022-10-09", ""]})
    path = tmp_path / f"in{suffix}"
    df.to_csv(path, index=False) if suffix == ".csv" else df.to_parquet(path)
    x, y = docs(path)
    assert (x.source_id, str(x.given_pub_date)) == ("x", "2022-10-09") and y.given_pub_date is None


def test_table_without_text_column(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame({"id": ["x"], "body": ["a"]}).to_csv(path, index=False)
    with pytest.raises(InputError, match="no column.*text"):
        docs(path)


def test_unusable_inputs(tmp_path):
    with pytest.raises(InputError):
        docs(tmp_path / "missing")
    with pytest.raises(InputError):
        docs(tmp_path)  # no .txt files
    (tmp_path / "x.docx").write_bytes(b"PK")
    with pytest.raises(InputError):
        docs(tmp_path / "x.docx")


def test_doc_id_is_stable_and_depends_on_name_and_content():
    a = make_doc_id("seeds/a.txt", None, "0" * 64)
    assert a == make_doc_id("/elsewhere/a.txt", None, "0" * 64)
    assert a != make_doc_id("seeds/b.txt", None, "0" * 64)
    assert a != make_doc_id("seeds/a.txt", None, "1" * 64)
