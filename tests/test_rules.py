from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.paths import DEFAULT_RULES_DIR
from pipeline.rules import RulesError, load_rules


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    dst = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, dst)
    return dst


def test_shipped_rules_load():
    r = load_rules()
    assert {"segment", "articles", "pubdate"} <= set(r.data)
    assert len(r.version) == 16


def _append(path: Path, text: str) -> int:
    """Append text; return the 1-based line where it starts."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before.rstrip("\n") + "\n" + text, encoding="utf-8")
    return before.rstrip("\n").count("\n") + 2


def _break_one_line(folder: Path, name: str, old: str, new: str, where: str = ""):
    """Replace old by new on the first line holding both; return (path, line, the one problem)."""
    path = folder / name
    lines = path.read_text(encoding="utf-8").splitlines()
    idx = next(i for i, ln in enumerate(lines) if old in ln and where in ln)
    lines[idx] = lines[idx].replace(old, new, 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_rules(folder)
    [problem] = exc.value.problems
    return path, idx + 1, problem


def test_invalid_yaml_names_file_and_line(rules_copy):
    line = _append(rules_copy / "segment.yml", "  - [unclosed\n")
    with pytest.raises(RulesError) as exc:
        load_rules(rules_copy)
    assert any(p.startswith(f"{rules_copy / 'segment.yml'}:") for p in exc.value.problems)
    assert str(line) in exc.value.problems[0] or str(line + 1) in exc.value.problems[0]


def test_unknown_key_names_file_and_line(rules_copy):
    line = _append(rules_copy / "articles.yml", "bylines_typo:\n  - x\n")
    with pytest.raises(RulesError) as exc:
        load_rules(rules_copy)
    [problem] = exc.value.problems
    assert problem.startswith(f"{rules_copy / 'articles.yml'}:{line}:")
    assert "unknown key 'bylines_typo'" in problem


def test_bad_regex_names_file_and_line(rules_copy):
    path, line, problem = _break_one_line(rules_copy, "pubdate.yml", "迎接(?:党的)?二十大", "迎接(?:党的二十大")
    assert problem.startswith(f"{path}:{line}:") and "regex does not compile" in problem


def test_wrong_type_and_duplicates(rules_copy):
    path = rules_copy / "segment.yml"
    line = _append(path, "  - 党工委\n  - 3\n")
    with pytest.raises(RulesError) as exc:
        load_rules(rules_copy)
    text = "\n".join(exc.value.problems)
    assert f"{path}:{line}: user_dict[" in text and "duplicate item" in text
    assert f"{path}:{line + 1}: " in text and "expected a non-empty string" in text


def test_missing_and_unknown_files(rules_copy):
    (rules_copy / "segment.yml").unlink()
    (rules_copy / "extra.yml").write_text("a: 1\n", encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_rules(rules_copy)
    text = "\n".join(exc.value.problems)
    assert "segment.yml:1: rules file missing" in text and "extra.yml:1: unknown rules file" in text


def test_version_changes_with_content(rules_copy):
    v1 = load_rules(rules_copy).version
    _append(rules_copy / "segment.yml", "  - 新词语\n")
    assert load_rules(rules_copy).version != v1


def test_unknown_lexicon_in_a_pattern_names_file_and_line(rules_copy):
    path, line, problem = _break_one_line(rules_copy, "money.yml", "{qualifier_before}", "{qualifier_befor}",
                                          where="regex:")
    assert problem.startswith(f"{path}:{line}:") and "unknown lexicon {qualifier_befor}" in problem


def test_an_example_a_pattern_does_not_match_is_an_error(rules_copy):
    path = rules_copy / "dates.yml"
    text = path.read_text(encoding="utf-8").replace("examples: [2023年, 2022年度,", "examples: [2023号, 2022年度,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match=r"dates.yml:\d+: patterns\[\d+\].examples\[0\]: pattern 'date.year' does not match"):
        load_rules(rules_copy)


def test_check_rules_command(rules_copy):
    import subprocess
    import sys
    from .conftest import ROOT
    ok = subprocess.run([sys.executable, "-m", "pipeline", "check-rules", "--rules", str(rules_copy)],
                        cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0 and "are valid" in ok.stdout and "dates.yml" in ok.stdout
    with open(rules_copy / "titles.yml", "a", encoding="utf-8") as fh:
        fh.write("oops: [\n")
    bad = subprocess.run([sys.executable, "-m", "pipeline", "check-rules", "--rules", str(rules_copy)],
                         cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "titles.yml:" in bad.stderr


def test_lexicon_alternation_takes_any_collection_of_words():
    import regex

    from pipeline.rules import lexicon_alternation
    for words in (["局", "常委会"], ("局", "常委会"), {"局", "常委会"}, {"局": 1, "常委会": 2}):
        assert regex.fullmatch(f"(?:{lexicon_alternation(words)})", "常委会")
    assert lexicon_alternation("常委会") == "" and lexicon_alternation(None) == ""
