"""The audit site (`python -m pipeline show`): marks as data, and the pages in a real browser
(Debian's chromium, driven by Playwright; `make setup` installs chromium when it is missing)."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from pipeline.show import render_marks, write_site

from .conftest import run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def span(i, start, end, label="LOC"):
    return {"id": f"e{i}", "start": start, "end": end, "tip": "t",
            "data": {"label": label, "rule": "r", "value": "v", "row": f"entities:e{i}"}}


def test_nested_marks_and_escaped_text():
    out = render_marks("区委<script>书记", [span(1, 0, 2, "ORG"), span(2, 0, 11, "TITLE")])
    assert out.count("<mark") == 2 and out.index('data-label="TITLE"') < out.index('data-label="ORG"')
    assert "&lt;script&gt;" in out and "<script>" not in out


def test_crossing_marks_are_split_into_parts_none_lost():
    out = render_marks("abcdef", [span(1, 0, 4), span(2, 2, 6, "ORG")])
    assert out.count('data-label="LOC"') + out.count('data-label="ORG"') == 3   # ORG in two parts
    assert 'data-part="1"' in out and 'data-part="2"' in out
    assert out.count("<mark") == out.count("</mark>")


def test_show_on_a_folder_without_tables_says_so(tmp_path):
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "pipeline", "show", str(tmp_path), "--html", str(tmp_path / "site")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "no earlier tables" in proc.stderr


@pytest.fixture(scope="module")
def site(out, tmp_path_factory):
    html = tmp_path_factory.mktemp("site")
    run_cli("show", out, "--html", html)
    return html


def test_one_document_only(out, tmp_path):
    source = pd.read_parquet(out / "documents.parquet").source.iloc[0]
    write_site(out, tmp_path, [Path(source).name])
    assert len(list(tmp_path.glob("doc-*.html"))) == 1


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed: `make setup` installs it")
def test_pages_in_a_real_browser(out, site, tmp_path):
    from playwright.sync_api import sync_playwright

    mentions = pd.read_parquet(out / "mentions.parquet")
    docs = pd.read_parquet(out / "documents.parquet")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto((site / "index.html").as_uri())
        assert page.locator("#docs tbody tr").count() == len(docs)
        page.fill("input[type=search]", Path(docs.source.iloc[0]).name)   # the search filters the rows
        assert page.locator("#docs tbody tr:not([hidden])").count() == 1
        for doc_id in docs.doc_id:
            page.goto((site / f"doc-{doc_id}.html").as_uri())
            # as many marks per label as the mentions table holds for the document (parts of a
            # mark split where mentions cross count once)
            shown = Counter(page.eval_on_selector_all(
                "mark", "ms => ms.filter(m => !m.dataset.part || m.dataset.part === '1').map(m => m.dataset.label)"))
            want = Counter(mentions[mentions.doc_id == doc_id].label)
            assert shown == want, doc_id
            assert page.locator("mark:not([data-rule])").count() == 0
            assert page.locator("mark:not([data-value])").count() == 0
        # hover a project and read its rule and value from the tooltip
        mark = page.locator("mark[data-label=PROJECT]").first
        mark.scroll_into_view_if_needed()
        mark.hover()
        tip = page.evaluate("m => getComputedStyle(m, '::after').content", mark.element_handle())
        assert mark.get_attribute("data-rule") in tip and mark.get_attribute("data-row") in tip
        # keyboard: a mark takes the focus, and shows the same
        mark.focus()
        assert page.evaluate("() => document.activeElement.tagName") == "MARK"
        # follow a link of the side panel to its mark
        link = page.locator("aside a").first
        target = link.get_attribute("href")
        link.click()
        assert page.evaluate("() => location.hash") == target
        assert page.locator(f"mark{target}").count() == 1
        page.screenshot(path=str(tmp_path / "page.png"), full_page=False)
        # a phone's width: the side panel goes below the text, nothing wider than the screen
        page.set_viewport_size({"width": 390, "height": 800})
        page.mouse.move(0, 0)
        page.evaluate("() => document.activeElement.blur()")   # no tooltip open
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 400
        page.screenshot(path=str(tmp_path / "phone.png"))
        browser.close()
    assert (tmp_path / "page.png").stat().st_size > 0
