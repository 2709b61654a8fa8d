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


def test_aliases_and_anchors_are_refused_with_file_and_line(rules_copy):
    path = rules_copy / "segment.yml"
    line = _append(path, "bomb: &a [x, x]\nmore: [*a, *a]\n")
    with pytest.raises(RulesError) as exc:
        load_rules(rules_copy)
    assert exc.value.problems == [f"{path}:{line}: invalid YAML: an anchor (&name) is not allowed in rules "
                                  f"files: write the value out"]


def test_a_recursive_alias_is_a_rules_error_not_a_traceback(rules_copy):
    path = rules_copy / "segment.yml"
    _append(path, "loop: &a [*a]\n")
    with pytest.raises(RulesError, match="segment.yml:.*not allowed in rules files"):
        load_rules(rules_copy)


def test_a_duplicate_key_names_both_lines(rules_copy):
    path = rules_copy / "segment.yml"
    first = path.read_text(encoding="utf-8").splitlines().index(
        next(ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("user_dict:"))) + 1
    line = _append(path, "user_dict: [新词]\n")
    with pytest.raises(RulesError) as exc:
        load_rules(rules_copy)
    assert exc.value.problems == [f"{path}:{line}: duplicate key 'user_dict' (first on line {first})"]


def test_a_pattern_without_the_groups_its_value_needs_is_an_error(rules_copy):
    path, line, problem = _break_one_line(rules_copy, "money.yml", "(?P<scale>亿|千万|百万|十万|万)", "(?:亿|千万|百万|十万|万)")
    import re
    assert re.fullmatch(re.escape(f"{path}:{line}: patterns[") + r"\d+" + re.escape(
        "].regex: pattern 'money.scale_only': a scale_only pattern needs the named group (?P<scale>…)"), problem)


def test_check_rules_rejects_a_pattern_that_backtracks_catastrophically(rules_copy):
    import subprocess
    import sys
    from .conftest import ROOT
    path = rules_copy / "dates.yml"
    line = _append(path, "  - id: date.today_again\n    regex: (?P<relday>(?:今|今)+天)\n    value: relative_day\n"
                         "    examples: [今天]\n")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "check-rules", "--rules", str(rules_copy)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert f"dates.yml:{line + 1}: patterns[" in proc.stderr and "date.today_again" in proc.stderr
    assert "nested or overlapping repetition" in proc.stderr


def test_shipped_patterns_are_linear_on_long_runs_of_digits_and_numerals(rules):
    """Time ratios between sizes in one run, not absolute times: 4x the input may take
    at most 10x the time (quadratic would take 16x)."""
    import time

    from pipeline.rules import compile_patterns
    patterns = [p for name in ("dates", "money", "measures") for p in compile_patterns(rules[name])]

    def seconds(text):
        t0 = time.perf_counter()
        for p in patterns:
            for _ in p.regex.finditer(text):
                pass
        return time.perf_counter() - t0

    for unit in ("1", "一", "1、", "12月", "3万至", "约1"):
        small = min(seconds("投资" + unit * 1000 + "元") for _ in range(3))
        big = min(seconds("投资" + unit * 4000 + "元") for _ in range(3))
        assert big < 10 * small + 0.01, (unit, small, big)
