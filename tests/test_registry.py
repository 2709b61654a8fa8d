"""The extractor contract: the registry's order, its errors, rule ids, and the one driver."""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from pipeline.extract.base import Extractor
from pipeline.extract.registry import RegistryError, extractor_classes, order
from pipeline.paths import DEFAULT_RULES_DIR, PROJECT_ROOT
from pipeline.rules import RulesError, load_rules


def _cls(name, labels=(), requires=(), provides=()):
    return type(name, (Extractor,), {"name": name, "labels": labels, "requires": requires, "provides": provides})


def test_registry_runs_each_extractor_after_what_it_requires():
    classes = extractor_classes()
    names = [c.name for c in classes]
    assert {"dates", "money", "officials", "projects", "ner"} <= set(names)
    provider = {w: c.name for c in classes for w in (*c.labels, *c.provides)}
    for i, c in enumerate(classes):
        for r in c.requires:
            assert names.index(provider[r]) < i, (c.name, r)


def test_order_keeps_the_listed_order_where_it_is_free():
    a, b, c = _cls("a", ("A",)), _cls("b", ("B",), requires=("C",)), _cls("c", ("C",))
    assert [x.name for x in order([a, b, c])] == ["a", "c", "b"]


def test_a_cycle_is_an_error_at_start_up():
    a, b = _cls("a", ("A",), requires=("B",)), _cls("b", ("B",), requires=("A",))
    with pytest.raises(RegistryError, match="cycle"):
        order([a, b])


def test_a_requirement_nobody_provides_is_an_error():
    with pytest.raises(RegistryError, match="requires NOPE"):
        order([_cls("a", ("A",), requires=("NOPE",))])


def test_two_providers_of_one_label_is_an_error():
    with pytest.raises(RegistryError, match="provided by both"):
        order([_cls("a", ("A",)), _cls("b", ("A",))])


def test_a_rule_id_given_by_code_and_declared_nowhere_is_a_rules_error(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    path = folder / "ner.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("  ner.gazetteer: a name", "  ner.gazeteer: a name"),
                    encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_rules(folder)
    assert any("ner.yml" in p and "'ner.gazetteer'" in p and "declared nowhere" in p for p in exc.value.problems)


def _string_constants(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def test_every_rule_id_spelled_in_code_is_declared_by_its_extractor():
    """A string in pipeline/ shaped like a rule id (ner.x, title.x, project.x) is one an
    extractor declares in rule_ids, so that load_rules checks the rules file declares it."""
    declared = {rid for c in extractor_classes() for rid in c.rule_ids}
    prefixes = {rid.split(".")[0] + "." for rid in declared}
    used = set()
    for path in (PROJECT_ROOT / "pipeline").rglob("*.py"):
        used |= {s for s in _string_constants(path) if s.startswith(tuple(prefixes)) and s.count(".") == 1
                 and s.replace(".", "").replace("_", "").isalnum() and s.isascii() and not s.endswith((".yml", ".py"))}
    assert used, "no rule id found in the code: the scan is broken"
    assert used <= declared, sorted(used - declared)


def test_every_rule_in_the_seed_tables_is_declared(out):
    import pandas as pd
    rules = load_rules()
    declared = {rid for data in rules.data.values() for rid in (data.get("rule_ids") or {})}
    declared |= {p["id"] for data in rules.data.values() for p in data.get("patterns", []) or []}
    for name in ["mentions"] + [c.table.name for c in extractor_classes() if c.table is not None]:
        used = set(pd.read_parquet(out / f"{name}.parquet")["rule"])
        assert used <= declared, (name, used - declared)
