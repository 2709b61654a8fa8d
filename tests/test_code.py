"""Properties of the code itself: where Chinese words may be spelled, and which stage may
import which."""
from __future__ import annotations

import ast
from pathlib import Path

import regex

from pipeline.paths import PROJECT_ROOT

PIPELINE = PROJECT_ROOT / "pipeline"
HAN = regex.compile(r"\p{Han}")
# the writing system's grammar of numbers and dates: the only modules that spell Chinese
GRAMMAR_MODULES = {"numerals.py", "fragments.py"}


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _descriptions(tree: ast.AST) -> set[int]:
    """Strings that describe a table column: the third argument of schemas.f(...)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "f" and len(node.args) >= 3:
            for n in ast.walk(node.args[2]):
                out.add(id(n))
    return out


def chinese_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree) | _descriptions(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
            and HAN.search(node.value)]


def test_no_chinese_word_list_in_code():
    """Words users extend live in rules/*.yml; code spells no Chinese beyond numerals and dates."""
    found = [f"{p.relative_to(PROJECT_ROOT)}:{line}: {s[:60]!r}"
             for p in sorted(PIPELINE.rglob("*.py")) if p.name not in GRAMMAR_MODULES
             for line, s in chinese_strings(p)]
    assert not found, "\n".join(found)


def test_the_scan_finds_a_word_list(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('"""文档"""\nSTOPS = set("的了和")\nx = f("a", 1, "说明：的")\n', encoding="utf-8")
    assert [line for line, _ in chinese_strings(bad)] == [2]


# stages in pipeline order; a module may import earlier ones (and shared modules), never later
STAGES = ["ingest", "normalize", "articles", "pubdate", "segment", "extract", "mentions", "run"]
SHARED = {"fragments", "numerals", "rules", "paths", "schemas", "model", "procstats", "wordseg", "tables"}


def _imported_stages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            base = (node.module or "").split(".")[0]
            if path.parent.name == "extract" and node.level == 1:
                base = "extract"
            names.add(base)
    return names & set(STAGES)


def test_no_stage_imports_a_later_one():
    for path in sorted(PIPELINE.rglob("*.py")):
        stage = "extract" if path.parent.name == "extract" else path.stem
        if stage not in STAGES:
            continue
        later = {s for s in _imported_stages(path) if STAGES.index(s) > STAGES.index(stage)}
        assert not later, f"{path.relative_to(PROJECT_ROOT)} imports the later stage(s) {later}"
