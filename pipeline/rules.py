"""Load and validate the user-editable rules files in `rules/`.

Every rules file is YAML with a fixed set of top-level keys, declared here in SPECS. The
loader walks the YAML node tree, so every error names the file and line:

    rules/articles.yml:14: roles.reporters[2]: expected a non-empty string, got 3

Errors from all files are collected and raised together as one RulesError, so a user sees
every problem in one run; the CLI turns it into exit code 2 before anything is written.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import regex
import yaml

from .paths import DEFAULT_RULES_DIR


class RulesError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# --- a small schema language: each check returns problems as (path, line, message) -------

Check = Callable[[Any, str, "LineMap"], list[tuple[str, int, str]]]


class LineMap(dict):
    """path string -> 1-based line of the YAML node at that path."""

    def at(self, path: str) -> int:
        while path and path not in self:
            path = path.rsplit(".", 1)[0] if "." in path else ""
        return self.get(path, 1)


def _problem(path: str, lines: LineMap, msg: str) -> list[tuple[str, int, str]]:
    return [(path, lines.at(path), msg)]


def string(*, pattern: bool = False) -> Check:
    def check(v, path, lines):
        if not isinstance(v, str) or not v.strip():
            return _problem(path, lines, f"expected a non-empty string, got {v!r}")
        if pattern:
            try:
                regex.compile(v)
            except regex.error as exc:
                return _problem(path, lines, f"regex does not compile: {exc}")
        return []
    return check


def integer(v, path, lines):
    if not isinstance(v, int) or isinstance(v, bool):
        return _problem(path, lines, f"expected an integer, got {v!r}")
    return []


def date_string(v, path, lines):
    import datetime as dt
    try:
        dt.date.fromisoformat(str(v))
    except ValueError:
        return _problem(path, lines, f"expected a date YYYY-MM-DD, got {v!r}")
    return []


def list_of(item: Check, *, unique: bool = True) -> Check:
    def check(v, path, lines):
        if not isinstance(v, list):
            return _problem(path, lines, f"expected a list, got {type(v).__name__}")
        out, seen = [], set()
        for i, x in enumerate(v):
            p = f"{path}[{i}]"
            out += item(x, p, lines)
            key = repr(x)
            if unique and key in seen:
                out += _problem(p, lines, f"duplicate item {x!r}")
            seen.add(key)
        return out
    return check


def mapping(fields: dict[str, Check], *, required: tuple[str, ...] = ()) -> Check:
    def check(v, path, lines):
        if not isinstance(v, dict):
            return _problem(path, lines, f"expected a mapping, got {type(v).__name__}")
        out = []
        for k in v:
            if k not in fields:
                out += _problem(f"{path}.{k}" if path else str(k), lines,
                                f"unknown key {k!r} (known: {', '.join(fields)})")
        for k in required:
            if k not in v:
                out += _problem(path, lines, f"missing key {k!r}")
        for k, sub in fields.items():
            if k in v:
                out += sub(v[k], f"{path}.{k}" if path else k, lines)
        return out
    return check


def dict_of(value: Check, *, keys: tuple[str, ...] | None = None) -> Check:
    def check(v, path, lines):
        if not isinstance(v, dict):
            return _problem(path, lines, f"expected a mapping, got {type(v).__name__}")
        out = []
        for k, x in v.items():
            p = f"{path}.{k}"
            if keys is not None and k not in keys:
                out += _problem(p, lines, f"unknown key {k!r} (known: {', '.join(keys)})")
            out += value(x, p, lines)
        return out
    return check


# --- the rules files ----------------------------------------------------------------------

WORDS = list_of(string())

SPECS: dict[str, Check] = {
    "segment.yml": mapping({"user_dict": WORDS}, required=("user_dict",)),
    "articles.yml": mapping({
        "news_openers": WORDS,
        "box_markers": WORDS,
        "roles": dict_of(WORDS, keys=("reporters", "correspondents", "photographers")),
        "text_and_photo": WORDS,
        "photo_credit": WORDS,
        "section_labels": WORDS,
        "kicker_suffixes": WORDS,
    }, required=("news_openers", "box_markers", "roles", "text_and_photo", "photo_credit",
                 "section_labels", "kicker_suffixes")),
    "pubdate.yml": mapping({
        "events": list_of(mapping({
            "name": string(),
            "date": date_string,
            "upcoming": list_of(string(pattern=True)),
            "after": list_of(string(pattern=True)),
            "window_days": integer,
        }, required=("name", "date"))),
        "anniversaries": list_of(mapping({
            "name": string(),
            "base_year": integer,
            "pattern": string(pattern=True),
        }, required=("name", "base_year", "pattern"))),
        "future_context": list_of(string(pattern=True)),
    }, required=("events", "anniversaries", "future_context")),
}


def _construct(node: yaml.Node, path: str, lines: LineMap) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for k_node, v_node in node.value:
            key = k_node.value
            p = f"{path}.{key}" if path else str(key)
            lines[p] = k_node.start_mark.line + 1
            out[key] = _construct(v_node, p, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, f"{path}[{i}]", lines) for i, v in enumerate(node.value)]
    # scalars: PyYAML's safe constructor resolves the tag (int, bool, date, str ...)
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def load_file(path: Path) -> tuple[Any, LineMap]:
    lines = LineMap()
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except UnicodeDecodeError as exc:
        raise RulesError([f"{path}:1: not UTF-8: {exc}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise RulesError([f"{path}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}"]) from None
    if node is None:
        return {}, lines
    return _construct(node, "", lines), lines


@dataclass
class Rules:
    """All rules files of one folder, validated. `version` changes when any file changes."""
    folder: Path
    data: dict[str, Any] = field(default_factory=dict)
    version: str = ""

    def __getitem__(self, name: str) -> Any:
        return self.data[name]


def load_rules(folder: Path | None = None) -> Rules:
    folder = Path(folder or DEFAULT_RULES_DIR)
    problems: list[str] = []
    data: dict[str, Any] = {}
    digest = hashlib.sha256()
    if not folder.is_dir():
        raise RulesError([f"{folder}: rules folder not found"])
    for name, spec in SPECS.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{path}:1: rules file missing")
            continue
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        try:
            value, lines = load_file(path)
        except RulesError as exc:
            problems += exc.problems
            continue
        problems += [f"{path}:{line}: {p}: {msg}" if p else f"{path}:{line}: {msg}"
                     for p, line, msg in spec(value, "", lines)]
        data[name.removesuffix(".yml")] = value
    for path in sorted(folder.glob("*.y*ml")):
        if path.name not in SPECS:
            problems.append(f"{path}:1: unknown rules file (known: {', '.join(SPECS)})")
    if problems:
        raise RulesError(problems)
    return Rules(folder, data, digest.hexdigest()[:16])
