"""Read input documents: a folder (or file) of .txt pages, a .jsonl file, or a Parquet/CSV
table with `id` and `text` columns.

Each input record becomes a RawDocument, or an IngestError naming the file (and line for
JSONL) when it cannot be read; one bad record never stops the others.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import regex
from charset_normalizer import from_bytes

from .fragments import COMMON_CHARS


# Limits past which an input is not a newspaper page (a page is about 15,000 characters)
MAX_DOC_CHARS = 2_000_000
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class RawDocument:
    doc_id: str
    source: str                 # the input file, as given (relative paths stay relative)
    source_id: str | None       # the record's id for JSONL and tabular inputs
    text: str
    sha256: str                 # of the decoded text, UTF-8 encoded
    encoding: str
    given_pub_date: dt.date | None = None     # from the record's pub_date field or column
    warnings: list[str] = field(default_factory=list)   # processed anyway, but worth a look


@dataclass
class IngestError:
    source: str
    source_id: str | None
    message: str


class InputError(ValueError):
    """The input path itself cannot be used (missing, unknown format)."""


def make_doc_id(source: str, source_id: str | None, sha256: str) -> str:
    """Stable id from the source's file name, the record id and the content: moving the
    input folder keeps ids, editing a page changes its id."""
    key = f"{Path(source).name}\x00{source_id or ''}\x00{sha256}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# byte order marks of the UTF encodings that are not ASCII-compatible (longest first)
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


_HAN = regex.compile(r"\p{Han}")


def _plausibility(text: str) -> float:
    """Share of the characters that are among the most frequent of written Chinese."""
    han = _HAN.findall(text)
    return sum(c in COMMON_CHARS for c in han) / len(han) if han else 0.0


def decode(data: bytes) -> tuple[str, str]:
    """Decode page bytes: UTF-32/16 with a BOM, UTF-8 (with or without BOM), then GB18030 or
    Big5 (whichever reads as Chinese: Big5 bytes mostly decode as GB18030 too, into nonsense),
    then a detector. Raises ValueError when the bytes are not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ValueError(f"invalid {encoding.upper()} at byte {exc.start + len(bom)}") from None
    if b"\x00" in data[:4096]:
        raise ValueError("binary data (NUL bytes), not a text page")
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], True
    else:
        bom = False
    try:
        return data.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" or bom or _mostly_utf8(data, exc.start):
            raise ValueError(f"invalid UTF-8 at byte {exc.start + (3 if bom else 0)}: "
                             f"{'truncated multi-byte character' if exc.reason == 'unexpected end of data' else exc.reason}") from None
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            candidates.append((data.decode(encoding), encoding))
        except UnicodeDecodeError:
            pass
    if candidates:
        # GB18030 unless Big5 reads clearly better (the common characters of both scripts)
        text, encoding = max(candidates, key=lambda c: _plausibility(c[0]) - (0.1 if c[1] == "big5" else 0.0))
        return text, encoding
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ValueError("cannot detect the text encoding")
    return str(best), best.encoding


def _mostly_utf8(data: bytes, bad_at: int) -> bool:
    """UTF-8 that breaks late, after plenty of valid multi-byte text, is damaged UTF-8, not
    GB18030 (which would decode it into nonsense)."""
    head = data[:bad_at]
    return bad_at > 64 and sum(1 for b in head if b >= 0xC0) >= 16


def _parse_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        import pandas as pd
        if pd.isna(value):
            return None
        return pd.Timestamp(str(value)).date()
    except (ValueError, TypeError):
        raise ValueError(f"pub_date {value!r} is not a date") from None


def _document(source: str, source_id: str | None, text: str, encoding: str,
              pub_date=None) -> RawDocument:
    if not text.strip():
        raise ValueError("empty document")
    if "\x00" in text:
        raise ValueError("binary data (NUL characters), not a text page")
    if len(text) > MAX_DOC_CHARS:
        raise ValueError(f"{len(text):,} characters: not a page (limit {MAX_DOC_CHARS:,})")
    warnings = []
    n_control = len(_CONTROL.findall(text))
    if n_control:
        warnings.append(f"{n_control} control character(s) removed")
    sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    given = _parse_date(pub_date)
    return RawDocument(make_doc_id(source, source_id, sha), source, source_id, text, sha,
                       encoding, given, warnings)


def document_from_text(text: str, source: str = "<text>", pub_date=None) -> RawDocument:
    """A document from a text in memory (explain, tests), checked as a page read from a file."""
    return _document(source, None, text, "utf-8", pub_date)


def _read_txt(path: Path, shown: str) -> Iterator[RawDocument | IngestError]:
    try:
        text, enc = decode(path.read_bytes())
        yield _document(shown, None, text, enc)
    except (OSError, ValueError) as exc:
        yield IngestError(shown, None, str(exc))


def _read_jsonl(path: Path, shown: str) -> Iterator[RawDocument | IngestError]:
    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{shown}:{lineno}"
            try:
                rec = json.loads(line.decode("utf-8"))
                if not isinstance(rec, dict) or "text" not in rec or "id" not in rec:
                    raise ValueError("a record needs 'id' and 'text'")
                if not isinstance(rec["text"], str):
                    raise ValueError("'text' must be a string")
                yield _document(shown, str(rec["id"]), rec["text"], "utf-8", rec.get("pub_date"))
            except (ValueError, UnicodeDecodeError) as exc:
                rid = None
                yield IngestError(where, rid, str(exc))


def _read_table(path: Path, shown: str) -> Iterator[RawDocument | IngestError]:
    import pandas as pd
    try:
        df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # pandas raises many kinds for a broken file
        raise InputError(f"{shown}: cannot read the table: {exc}") from None
    missing = {"id", "text"} - set(df.columns)
    if missing:
        raise InputError(f"{shown}: the table has no column(s) {', '.join(sorted(missing))} "
                         f"(it has {', '.join(map(str, df.columns))})")
    has_date = "pub_date" in df.columns
    for row in df.itertuples(index=False):
        rid = str(row.id)
        try:
            if not isinstance(row.text, str):
                raise ValueError("'text' is not a string")
            yield _document(shown, rid, row.text, "utf-8", row.pub_date if has_date else None)
        except ValueError as exc:
            yield IngestError(shown, rid, str(exc))


def shown_name(path: Path) -> str:
    """A path as text that any table can hold: bytes of a file name that are not UTF-8 are
    shown escaped (\\xNN) instead of failing the run when the tables are written."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_inputs(path: Path) -> Iterator[RawDocument | IngestError]:
    """Every document under `path`, in a stable order."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.txt") if p.is_file())
        if not files:
            raise InputError(f"{path}: no .txt files found")
        for f in files:
            shown = shown_name(f)
            for item in _read_txt(f, shown):
                if shown != str(f) and isinstance(item, RawDocument):
                    item.warnings.append("the file name is not UTF-8: its bytes are shown escaped")
                yield item
        return
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    suffix = path.suffix.lower()
    if suffix == ".txt":
        yield from _read_txt(path, str(path))
    elif suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path, str(path))
    elif suffix in (".parquet", ".csv"):
        yield from _read_table(path, str(path))
    else:
        raise InputError(f"{path}: unknown input format (expected a folder of .txt, .jsonl, .parquet or .csv)")
