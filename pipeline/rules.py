"""Load and validate the user-editable rules files in `rules/`.

Every rules file is YAML with a fixed set of top-level keys, declared here in CORE_SPECS for the stages before
extraction and by each extractor for its own file (see extract/registry.py). The
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

from . import fragments
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


def number(v, path, lines):
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return _problem(path, lines, f"expected a number, got {v!r}")
    return []


def one_of(*choices: str) -> Check:
    def check(v, path, lines):
        if v not in choices:
            return _problem(path, lines, f"expected one of {', '.join(choices)}, got {v!r}")
        return []
    return check


def pair(item: Check) -> Check:
    def check(v, path, lines):
        if not isinstance(v, list) or len(v) != 2:
            return _problem(path, lines, f"expected a pair [first, last], got {v!r}")
        return item(v[0], f"{path}[0]", lines) + item(v[1], f"{path}[1]", lines)
    return check


def month_day(v, path, lines):
    import datetime as dt
    try:
        dt.date.fromisoformat(f"2000-{v}")
    except (ValueError, TypeError):
        return _problem(path, lines, f"expected a month-day MM-DD, got {v!r}")
    return []


# --- patterns: {placeholders}, compilation, examples ----------------------------------------

# Built-in fragments every pattern may use besides its file's lexicons.
BUILTINS = {
    "num": fragments.NUMBER,
    "arabic": fragments.ARABIC,
    "cn_num": fragments.CHINESE,
    "year": fragments.YEAR,
    "month": fragments.MONTH,
    "day": fragments.DAY,
}
PLACEHOLDER = regex.compile(r"\{([a-z_][a-z0-9_]*)\}")


def lexicon_alternation(value) -> str:
    """A regex alternation of the words of a lexicon (any collection of words), longest first."""
    words = [] if isinstance(value, (str, bytes)) or value is None else list(value)
    return "|".join(regex.escape(str(w)) for w in sorted(words, key=lambda w: (-len(str(w)), str(w))))


def expand(pattern: str, lexicons: dict) -> str:
    """Replace {name} by the lexicon's alternation or a built-in fragment.
    Raises KeyError(name) for an unknown name."""
    def sub(m):
        name = m.group(1)
        if name in lexicons:
            return f"(?:{lexicon_alternation(lexicons[name])})"
        if name in BUILTINS:
            return f"(?:{BUILTINS[name]})"
        raise KeyError(name)
    return PLACEHOLDER.sub(sub, pattern)


@dataclass
class Pattern:
    id: str
    regex: regex.Pattern
    value: str
    priority: int = 0


def compile_patterns(data: dict) -> list[Pattern]:
    """The validated patterns of a rules file, compiled (validation has run at load)."""
    lex = data.get("lexicons", {})
    return [Pattern(p["id"], regex.compile(expand(p["regex"], lex)), p["value"], p.get("priority", 0))
            for p in data.get("patterns", [])]


def _check_patterns(data: dict, lines: LineMap, values: tuple[str, ...],
                    groups: dict[str, tuple[str, ...]] | None = None) -> list[tuple[str, int, str]]:
    out = []
    lex = data.get("lexicons", {}) if isinstance(data.get("lexicons"), dict) else {}
    seen: set[str] = set()
    for i, p in enumerate(data.get("patterns", []) or []):
        path = f"patterns[{i}]"
        if not isinstance(p, dict) or not isinstance(p.get("regex"), str):
            continue  # reported by the schema check
        if p.get("id") in seen:
            out += _problem(f"{path}.id", lines, f"duplicate pattern id {p.get('id')!r}")
        seen.add(p.get("id"))
        if p.get("value") not in values:
            out += _problem(f"{path}.value", lines, f"unknown value {p.get('value')!r} (known: {', '.join(values)})")
        try:
            compiled = regex.compile(expand(p["regex"], lex))
        except KeyError as exc:
            known = ", ".join(sorted(set(lex) | set(BUILTINS)))
            out += _problem(f"{path}.regex", lines, f"pattern {p.get('id')!r}: unknown lexicon {{{exc.args[0]}}} (known: {known})")
            continue
        except regex.error as exc:
            out += _problem(f"{path}.regex", lines, f"pattern {p.get('id')!r}: regex does not compile: {exc}")
            continue
        for need in (groups or {}).get(p.get("value"), ()):
            if not any(g in compiled.groupindex for g in need.split("|")):
                out += _problem(f"{path}.regex", lines, f"pattern {p.get('id')!r}: a {p.get('value')} pattern needs "
                                f"the named group {' or '.join(f'(?P<{g}>…)' for g in need.split('|'))}")
        for j, ex in enumerate(p.get("examples", []) or []):
            if not isinstance(ex, str):
                continue
            text, _, want = ex.partition(" => ")
            m = compiled.search(text) if want else compiled.fullmatch(text)
            if m is None or (want and m.group(0) != want):
                out += _problem(f"{path}.examples[{j}]", lines,
                                f"pattern {p.get('id')!r} does not match its example {ex!r}")
    return out


# --- the rules files ----------------------------------------------------------------------

WORDS = list_of(string())
PATTERNS = list_of(mapping({
    "id": string(),
    "regex": string(),
    "value": string(),
    "priority": integer,
    "examples": list_of(string()),
}, required=("id", "regex", "value")), unique=False)
# rules files of the stages before extraction; each extractor declares its own
# (rules_file, rules_spec, pattern_values) and the registry adds them
CORE_SPECS: dict[str, Check] = {
    "segment.yml": mapping({"user_dict": WORDS}, required=("user_dict",)),
    "articles.yml": mapping({
        "news_openers": WORDS,
        "box_markers": WORDS,
        "roles": dict_of(WORDS, keys=("reporters", "correspondents", "photographers")),
        "text_and_photo": WORDS,
        "photo_credit": WORDS,
        "section_labels": WORDS,
        "kicker_suffixes": WORDS,
        "name_trailer": WORDS,
        "paper_suffix": WORDS,
        "block_openers": WORDS,
        "dateline_agencies": WORDS,
        "dateline_marks": WORDS,
        "dateline_channels": WORDS,
        "reported": WORDS,
    }, required=("news_openers", "box_markers", "roles", "text_and_photo", "photo_credit",
                 "section_labels", "kicker_suffixes", "name_trailer", "paper_suffix", "block_openers",
                 "dateline_agencies", "dateline_marks", "dateline_channels", "reported")),
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
    "orgs.yml": mapping({
        "jurisdiction_chars": WORDS, "party_prefix": WORDS, "home_suffix": WORDS, "zone_end": WORDS,
        "abbreviations": dict_of(string()), "status_order": WORDS, "min_days_between_districts": integer,
    }, required=("jurisdiction_chars", "party_prefix", "home_suffix", "zone_end", "abbreviations", "status_order",
                 "min_days_between_districts")),
}
# rule ids that code gives, declared with what they mean: `rule_ids: {ner.gazetteer: ...}`
RULE_IDS = dict_of(string())


def rules_specs() -> tuple[dict[str, Check], dict[str, tuple[str, ...]], dict[str, dict]]:
    """Every rules file's check, the `value` normalisers each patterned file knows, and the
    named groups a pattern of each value needs."""
    from .extract.registry import extractor_classes
    specs, values, groups = dict(CORE_SPECS), {}, {}
    for cls in extractor_classes():
        if cls.rules_file:
            specs[cls.rules_file] = cls.rules_spec
            if cls.pattern_values:
                values[cls.rules_file] = cls.pattern_values
                groups[cls.rules_file] = cls.pattern_groups
    return specs, values, groups


def undeclared_rule_ids(data: dict) -> list[str]:
    """Rule ids an extractor's code gives that its rules file does not declare."""
    from .extract.registry import extractor_classes
    out = []
    for cls in extractor_classes():
        if not cls.rules_file or cls.rules_file.removesuffix(".yml") not in data:
            continue
        declared = set((data[cls.rules_file.removesuffix(".yml")] or {}).get("rule_ids", {}) or {})
        for rid in cls.rule_ids:
            if rid not in declared:
                out.append(f"{cls.rules_file}:1: rule id {rid!r} is given by the {cls.name} extractor "
                           f"and declared nowhere (add it under rule_ids:)")
    return out


class _PlainLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: rules files never need them, and an alias bomb (a few
    hundred bytes that expand to gigabytes) or a recursive alias must not load."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            what = "an alias (*name)" if isinstance(event, yaml.AliasEvent) else "an anchor (&name)"
            raise yaml.composer.ComposerError(None, None, f"{what} is not allowed in rules files: write the "
                                              f"value out", event.start_mark)
        return super().compose_node(parent, index)


def _construct(node: yaml.Node, path: str, lines: LineMap, problems: list[tuple[int, str]]) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for k_node, v_node in node.value:
            key = k_node.value
            p = f"{path}.{key}" if path else str(key)
            if key in out:   # YAML would keep the last silently: the first list would be lost
                problems.append((k_node.start_mark.line + 1, f"duplicate key {p!r} (first on line {lines[p]})"))
                continue
            lines[p] = k_node.start_mark.line + 1
            out[key] = _construct(v_node, p, lines, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, f"{path}[{i}]", lines, problems) for i, v in enumerate(node.value)]
    # scalars: PyYAML's safe constructor resolves the tag (int, bool, date, str ...)
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def load_file(path: Path) -> tuple[Any, LineMap]:
    lines = LineMap()
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=_PlainLoader)
    except UnicodeDecodeError as exc:
        raise RulesError([f"{path}:1: not UTF-8: {exc}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise RulesError([f"{path}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}"]) from None
    if node is None:
        return {}, lines
    problems: list[tuple[int, str]] = []
    value = _construct(node, "", lines, problems)
    if problems:
        raise RulesError([f"{path}:{line}: {msg}" for line, msg in problems])
    return value, lines


@dataclass
class Rules:
    """All rules files of one folder, validated. `version` changes when any file changes."""
    folder: Path
    data: dict[str, Any] = field(default_factory=dict)
    version: str = ""

    def __getitem__(self, name: str) -> Any:
        return self.data[name]


# check-rules runs each pattern on long runs of its examples and their characters: time that
# grows much faster than the input (nested or overlapping repetition: "(?:今|今)+天") is a
# pattern that would stall a run on one unlucky page
PROBE_SIZES = (500, 2000)
PROBE_TIMEOUT = 1.0
PROBE_MIN_SECONDS = 0.02


def _probe_patterns(data: dict, lines: LineMap) -> list[tuple[str, int, str]]:
    import time

    out = []
    lex = data.get("lexicons", {})
    for i, p in enumerate(data.get("patterns", []) or []):
        compiled = regex.compile(expand(p["regex"], lex))
        texts = [str(ex).partition(" => ")[0] for ex in p.get("examples", []) or []]
        # each example, its characters and its pairs of characters ("1、" of "3万、5万元")
        units = list(dict.fromkeys(texts + [c for t in texts for c in t] + [t[k:k + 2] for t in texts
                                                                           for k in range(len(t) - 1)] + list(fragments.NUMERAL_UNITS)))
        for unit in units:
            seconds = []
            for size in PROBE_SIZES:
                probe = (unit * (size // len(unit) + 1))[:size] + "#"
                t0 = time.perf_counter()
                try:
                    for _ in compiled.finditer(probe, timeout=PROBE_TIMEOUT):
                        pass
                except TimeoutError:
                    seconds.append(float("inf"))
                    break
                seconds.append(time.perf_counter() - t0)
            slow = seconds[-1] == float("inf") or (
                seconds[-1] > PROBE_MIN_SECONDS and seconds[-1] > 10 * max(seconds[0], 1e-6))
            if slow:
                shown = (unit * 3)[:12]
                took = "more than %.0f s" % PROBE_TIMEOUT if seconds[-1] == float("inf") else f"{seconds[-1]:.2f} s"
                out += _problem(f"patterns[{i}].regex", lines,
                                f"pattern {p.get('id')!r} takes {took} on {PROBE_SIZES[-1]:,} characters of "
                                f"{shown!r}…, far more than on {PROBE_SIZES[0]:,}: nested or overlapping "
                                f"repetition would stall a run (bound the repetition or anchor it with a "
                                f"lookbehind)")
                break
    return out


def load_rules(folder: Path | None = None, probe: bool = False) -> Rules:
    """The rules of folder, validated. probe: also time every pattern on long adversarial
    inputs (check-rules does; a run relies on the per-page time budget instead)."""
    folder = Path(folder or DEFAULT_RULES_DIR)
    problems: list[str] = []
    data: dict[str, Any] = {}
    digest = hashlib.sha256()
    if not folder.is_dir():
        raise RulesError([f"{folder}: rules folder not found"])
    specs, pattern_values, pattern_groups = rules_specs()
    for name, spec in specs.items():
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
        found = spec(value, "", lines)
        if not found and name in pattern_values:
            found = _check_patterns(value, lines, pattern_values[name], pattern_groups.get(name))
            if not found and probe:
                found = _probe_patterns(value, lines)
        problems += [f"{path}:{line}: {p}: {msg}" if p else f"{path}:{line}: {msg}"
                     for p, line, msg in found]
        data[name.removesuffix(".yml")] = value
    for path in sorted(folder.glob("*.y*ml")):
        if path.name not in specs:
            problems.append(f"{path}:1: unknown rules file (known: {', '.join(specs)})")
    if not problems:
        problems += undeclared_rule_ids(data)
    if problems:
        raise RulesError(problems)
    return Rules(folder, data, digest.hexdigest()[:16])
