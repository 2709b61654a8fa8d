"""The tables stay what they were through refactors: the seeds' and a bench corpus's tables
against the digests in tests/data/snapshots.json (taken before the extractor contract of
issue 12). A change that means to change the output regenerates them
(`python -m tests.snapshot --update`) and says why in its commit."""
from __future__ import annotations

import json

from .snapshot import SNAPSHOTS, run_all


def test_tables_are_those_of_the_snapshot(tmp_path):
    want = json.loads(SNAPSHOTS.read_text(encoding="utf-8"))
    got = run_all(tmp_path, want)
    assert set(got) == set(want)
    for key in want:
        w, g = want[key]["tables"], got[key]["tables"]
        changed = sorted(t for t in w if w[t] != g.get(t))
        assert not changed, f"{key}: tables {changed} differ from the snapshot (tests/snapshot.py --diff shows the rows)"
