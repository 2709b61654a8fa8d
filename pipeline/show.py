"""`python -m pipeline show OUT --html DIR`: a static site to audit a run, page by page.

  index.html            every document: source, publication date and its basis, rows per
                        table, the run's errors and warnings; searchable and sortable;
  doc-<doc_id>.html     the page's articles (headline, byline, kind) and its normalised text
                        with every mention as one <mark> (data-label, data-rule, data-value,
                        data-row = table:row id; nested where mentions nest, split into parts
                        where they cross, none lost), a tooltip on hover or keyboard focus,
                        and a side panel of its officials and projects linking to their marks;
  raw-<doc_id>.html     the page as it came in, with what the normaliser dropped (line
                        breaks inside words and numbers, stray spaces) marked, read through
                        the offset map (when the input file is still where the run read it);
  people.html, person-*.html, projects.html, project-*.html
                        the records across pages, linking to the pages that show them.

Self-contained: inline CSS and a few lines of plain JavaScript, no network. Colours are
displaCy's. Text is escaped: a page holding "<script>" shows it as text.
"""
from __future__ import annotations

import hashlib
import html
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from .normalize import NormText
from .tables import OutputError, read_table

# displaCy's colours for its labels, and close ones for ours
COLOURS = {"PERSON": "#aa9cfc", "ORG": "#7aecec", "LOC": "#ff9561", "DATE": "#bfe1d9", "MONEY": "#e4e7d2",
           "TITLE": "#f0d0ff", "PROJECT": "#c887fb", "MEASURE": "#ddd"}
SITE_TABLES = ("documents", "articles", "mentions", "entities", "dates", "money", "measures", "officials", "projects", "errors",
               "positions", "project_records")

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;line-height:1.7;color:#222;overflow-wrap:anywhere}
header,main,aside{padding:0.8rem 1rem}
header{background:#f5f5f5;border-bottom:1px solid #ddd}
.layout{display:flex;flex-wrap:wrap}
main{flex:3 1 20rem;min-width:0}
aside{flex:1 1 14rem;min-width:0;border-left:1px solid #eee;font-size:0.9rem}
@media (max-width:700px){aside{border-left:0;border-top:1px solid #eee}}
article{margin-bottom:1.5rem}
.text{white-space:pre-wrap;word-break:break-all}
mark{position:relative;padding:0.1em 0.15em;border-radius:0.3em;color:inherit;cursor:help}
mark:focus{outline:2px solid #333}
mark:target{outline:3px solid #e33}
mark:is(:hover,:focus):not(:has(mark:hover,mark:focus))::after{content:attr(data-tip);position:absolute;left:0;
  top:1.8em;z-index:10;background:#222;color:#fff;font-size:0.75rem;padding:0.2em 0.5em;border-radius:0.3em;
  white-space:pre-wrap;width:max-content;max-width:min(28rem,80vw);line-height:1.4}
mark::before{content:attr(data-label);font-size:0.55em;font-weight:bold;margin-right:0.2em;opacity:0.7}
mark[data-part]:not([data-part="1"])::before{content:none}
.join{background:#ffe08a;outline:1px dashed #b80}
table{border-collapse:collapse;width:100%}
main{overflow-x:auto}
th,td{border-bottom:1px solid #eee;padding:0.2rem 0.4rem;text-align:left;vertical-align:top}
th{cursor:pointer;user-select:none}
input[type=search]{width:100%;max-width:30rem;padding:0.3rem;margin:0.5rem 0}
.legend span{padding:0 0.4em;margin-right:0.3em;border-radius:0.3em}
.meta{color:#666;font-size:0.9rem}
"""

# sort a table by a header click, filter the rows of a table by a search box
SCRIPT = """
document.querySelectorAll('th').forEach(function(th, i){th.addEventListener('click', function(){
  var body = th.closest('table').tBodies[0], rows = Array.from(body.rows), asc = th.dataset.asc !== '1';
  rows.sort(function(a, b){var x = a.cells[i].innerText, y = b.cells[i].innerText;
    var nx = parseFloat(x), ny = parseFloat(y);
    return (isNaN(nx) || isNaN(ny) ? x.localeCompare(y) : nx - ny) * (asc ? 1 : -1);});
  rows.forEach(function(r){body.appendChild(r);}); th.dataset.asc = asc ? '1' : '0';});});
document.querySelectorAll('input[data-filter]').forEach(function(box){box.addEventListener('input', function(){
  var q = box.value.trim().toLowerCase();
  document.querySelectorAll(box.dataset.filter + ' tbody tr').forEach(function(r){
    r.hidden = q && r.innerText.toLowerCase().indexOf(q) < 0;});});});
"""


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>{body}"
            f"<script>{SCRIPT}</script></body></html>\n")


def _slug(prefix: str, key: str) -> str:
    return f"{prefix}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}.html"


def _missing(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# ---- marks ----------------------------------------------------------------------------------

def render_marks(text: str, spans: list[dict]) -> str:
    """The text with one <mark> per span, nested where spans nest. A span that crosses
    another is split into parts (data-part 1, 2 …), each carrying the same attributes."""
    if not spans:
        return esc(text)
    spans = sorted(spans, key=lambda s: (s["start"], -s["end"], s["id"]))
    split: set[str] = set()
    while True:   # a second pass when the first found crossing spans: their first part says so too
        html_text, found = _emit(text, spans, split)
        if found <= split:
            return html_text
        split |= found


def _emit(text: str, spans: list[dict], split: set[str]) -> tuple[str, set[str]]:
    cuts = sorted({0, len(text)} | {s["start"] for s in spans} | {s["end"] for s in spans})
    out: list[str] = []
    stack: list[dict] = []
    parts: Counter = Counter()
    found: set[str] = set()

    def open_(s: dict) -> None:
        parts[s["id"]] += 1
        attrs = "".join(f' data-{k}="{esc(v)}"' for k, v in s["data"].items())
        part = f' data-part="{parts[s["id"]]}"' if s["id"] in split else ""
        anchor = f' id="e-{esc(s["id"])}"' if parts[s["id"]] == 1 else ""
        out.append(f'<mark{anchor} tabindex="0"{attrs}{part} data-tip="{esc(s["tip"])}" '
                   f'style="background:{COLOURS.get(s["data"]["label"], "#eee")}">')
        stack.append(s)

    for a, b in zip(cuts, cuts[1:]):
        # close what ends here; what was opened inside it and goes on is closed and reopened
        ended = [k for k, s in enumerate(stack) if s["end"] <= a]
        if ended:
            keep = []
            while len(stack) > ended[0]:   # close down to the outermost that ended
                s = stack.pop()
                out.append("</mark>")
                if s["end"] > a:
                    found.add(s["id"])
                    keep.append(s)
            for s in reversed(keep):
                open_(s)
        for s in spans:
            if s["start"] == a:
                open_(s)
        out.append(esc(text[a:b]))
    out.extend("</mark>" for _ in stack)
    return "".join(out), found


def _anchor(at: dict[tuple[str, int, int], str], *wanted: tuple[str, int, int]) -> str | None:
    """The mention id of the first (label, start, end) of `at` (a page's mentions by span)."""
    return next((at[w] for w in wanted if w in at), None)


class Site:
    """The tables of one run, and the pages made from them."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.t: dict[str, pd.DataFrame] = {}
        for name in SITE_TABLES:
            try:
                self.t[name] = read_table(self.out_dir, name)
            except OutputError:
                if name in ("documents", "mentions"):
                    raise
                self.t[name] = pd.DataFrame()
            except KeyError:
                self.t[name] = pd.DataFrame()

    def _by_doc(self, name: str) -> dict[str, pd.DataFrame]:
        df = self.t[name]
        return {d: g for d, g in df.groupby("doc_id")} if len(df) and "doc_id" in df else {}

    # ---- values of a mention -------------------------------------------------------------
    def _values(self) -> dict[str, tuple[str, str]]:
        """mention_id -> (normalised value, table:row id) for mentions that became a row; for a
        name, its named entity."""
        v: dict[str, tuple[str, str]] = {}
        for r in self.t["dates"].itertuples() if len(self.t["dates"]) else ():
            span = str(r.start_date) if r.start_date == r.end_date else f"{r.start_date}..{r.end_date}"
            v[r.mention_id] = (span if not _missing(r.start_date) else "unresolved", f"dates:{r.mention_id}")
        for r in self.t["money"].itertuples() if len(self.t["money"]) else ():
            amount = f"{r.amount:,.2f}" if not _missing(r.amount) else f"{r.low}..{r.high}"
            v[r.mention_id] = (f"{amount} {r.currency}" + (f" per {r.per}" if not _missing(r.per) else ""),
                               f"money:{r.mention_id}")
        for r in self.t["measures"].itertuples() if len(self.t["measures"]) else ():
            v[r.mention_id] = (f"{r.si_value:g} {r.si_unit}" if not _missing(r.si_value) else str(r.quantity),
                               f"measures:{r.mention_id}")
        for r in self.t["projects"].itertuples() if len(self.t["projects"]) else ():
            money = f", {r.investment:,.0f} {r.currency}" if not _missing(r.investment) else ""
            v[r.project_id] = (f"{r.name}{money}", f"projects:{r.project_id}")
        names = self.t["entities"]
        full = dict(zip(names.entity_id, names.text)) if len(names) else {}
        mentions = self.t["mentions"]
        if len(full) and "entity_id" in mentions:
            for mention_id, entity_id in zip(mentions.mention_id, mentions.entity_id):
                if isinstance(entity_id, str) and entity_id in full:
                    v[mention_id] = (full[entity_id], f"entities:{entity_id}")
        return v

    def _officials_at(self) -> dict[tuple[str, int, int], list]:
        """(doc_id, start, end) of a TITLE mention -> its officials rows."""
        at: dict[tuple[str, int, int], list] = defaultdict(list)
        for r in self.t["officials"].itertuples() if len(self.t["officials"]) else ():
            at[(r.doc_id, r.start, r.end)].append(r)
        return at

    # ---- pages ---------------------------------------------------------------------------
    def write(self, html_dir: Path, docs: list[str] | None = None) -> list[Path]:
        html_dir = Path(html_dir)
        html_dir.mkdir(parents=True, exist_ok=True)
        documents = self.t["documents"]
        if docs:
            want = set(docs)
            keep = documents.apply(lambda r: r.doc_id in want or (r.source_id in want) or r.source in want
                                   or Path(r.source).name in want, axis=1)
            documents = documents[keep]
            if documents.empty:
                raise OutputError(f"no document of {self.out_dir} is {', '.join(docs)}")
        values, officials_at = self._values(), self._officials_at()
        mentions, arts, offs, projs = (self._by_doc("mentions"), self._by_doc("articles"),
                                       self._by_doc("officials"), self._by_doc("projects"))
        named = self._by_doc("entities")
        written = []
        for d in documents.itertuples():
            page = self._doc_page(d, mentions.get(d.doc_id, pd.DataFrame()), arts.get(d.doc_id, pd.DataFrame()),
                                  offs.get(d.doc_id, pd.DataFrame()), projs.get(d.doc_id, pd.DataFrame()),
                                  named.get(d.doc_id, pd.DataFrame()), values, officials_at)
            written.append(self._put(html_dir / f"doc-{d.doc_id}.html", page))
            written.append(self._put(html_dir / f"raw-{d.doc_id}.html", self._raw_page(d)))
        written += self._record_pages(html_dir, set(documents.doc_id))
        written.append(self._put(html_dir / "index.html", self._index(documents, mentions)))
        return written

    @staticmethod
    def _put(path: Path, text: str) -> Path:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        return path

    def _doc_page(self, d, mentions: pd.DataFrame, arts: pd.DataFrame, offs: pd.DataFrame, projs: pd.DataFrame,
                  named: pd.DataFrame, values: dict, officials_at: dict) -> str:
        text = d.norm_text
        spans = []
        for e in mentions.itertuples() if len(mentions) else ():
            value, row = values.get(e.mention_id, (e.text, f"mentions:{e.mention_id}"))
            if e.label == "TITLE":
                rows = officials_at.get((d.doc_id, e.start, e.end), [])
                if rows:
                    value = "; ".join(f"{o.person} – {o.title} – {o.org or ''}" for o in rows)
                    row = " ".join(f"officials:{o.official_id}" for o in rows)
            spans.append({"id": e.mention_id, "start": int(e.start), "end": int(e.end),
                          "data": {"label": e.label, "rule": e.rule, "value": value, "row": row},
                          "tip": f"{e.label} · {e.rule}\n{value}\n{row}"})
        body_html = render_marks(text, spans)
        # articles: their headline, byline and kind, each over its stretch of the text
        blocks = []
        for a in arts.sort_values("start").itertuples() if len(arts) else ():
            names = [f"{role}: {'、'.join(list(getattr(a, role)))}" for role in ("reporters", "correspondents",
                                                                                 "photographers")
                     if getattr(a, role) is not None and len(getattr(a, role))]
            blocks.append(f'<article><h2>{esc(a.headline) if not _missing(a.headline) else "<i>(no headline)</i>"}'
                          f'</h2><p class="meta">{esc(a.kind)} · {esc(a.article_id)}'
                          f'{" · " + esc("; ".join(names)) if names else ""}</p></article>')
        legend = " ".join(f'<span style="background:{c}">{k}</span>' for k, c in COLOURS.items())
        side = ["<h2>Officials</h2><ul>"]
        at = {(e.label, e.start, e.end): e.mention_id for e in mentions.itertuples()} if len(mentions) else {}
        for o in offs.sort_values("start").itertuples() if len(offs) else ():
            target = _anchor(at, ("TITLE", o.start, o.end), ("PERSON", o.person_start, o.person_end))
            side.append(f'<li><a href="#e-{esc(target)}">{esc(o.person)}</a> {esc(o.org or "")}{esc(o.title)}'
                        f' <span class="meta">{esc(o.date)}</span></li>')
        side.append("</ul><h2>Projects</h2><ul>")
        for p in projs.sort_values("start").itertuples() if len(projs) else ():
            money = f" · {p.investment:,.0f} {p.currency}" if not _missing(p.investment) else ""
            side.append(f'<li><a href="#e-{esc(p.project_id)}">{esc(p.name)}</a>'
                        f'<span class="meta">{esc(money)}</span></li>')
        side.append("</ul>")
        # the page's named entities, each once, with the shorter forms it also writes
        for label, title in (("PERSON", "Persons"), ("ORG", "Organisations"), ("LOC", "Places")):
            of_label = named[named.label == label].sort_values("first_mention_id") if len(named) else named
            if len(of_label):
                side.append(f"<h2>{title}</h2><ul>")
                for n in of_label.itertuples():
                    aliases = f' <span class="meta">also {esc("、".join(n.aliases))}</span>' if len(n.aliases) else ""
                    side.append(f'<li><a href="#e-{esc(n.first_mention_id)}">{esc(n.text)}</a>{aliases}</li>')
                side.append("</ul>")
        head = (f'<header><a href="index.html">index</a> · <a href="raw-{esc(d.doc_id)}.html">raw text</a>'
                f"<h1>{esc(d.source)}</h1><p class=\"meta\">{esc(d.doc_id)} · published {esc(d.pub_date)} "
                f"({esc(d.pub_date_basis)}: {esc(d.pub_date_evidence)})</p><p class=\"legend\">{legend}</p></header>")
        return _page(str(d.source), f'{head}<div class="layout"><main>{"".join(blocks)}'
                                    f'<h2>Text</h2><div class="text" data-doc="{esc(d.doc_id)}">{body_html}</div></main>'
                                    f'<aside>{"".join(side)}</aside></div>')

    def _raw_page(self, d) -> str:
        """The page as it came in, with the characters the normaliser dropped marked."""
        head = (f'<header><a href="index.html">index</a> · <a href="doc-{esc(d.doc_id)}.html">annotated page</a>'
                f"<h1>{esc(d.source)} (raw)</h1>")
        path = Path(d.source)
        if not path.is_absolute():
            path = Path.cwd() / path
        try:
            raw = path.read_bytes().decode(d.encoding)
        except (OSError, LookupError, UnicodeDecodeError) as exc:
            return _page(f"{d.source} (raw)", head + f"<p>The input is not where the run read it ({esc(exc)}): "
                                                     f"the raw view needs the input file.</p></header>")
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        kept = set(NormText.expand_segments(list(d.offset_norm), list(d.offset_raw), int(d.n_chars)))
        if len(raw) != d.n_raw_chars:
            return _page(f"{d.source} (raw)", head + "<p>The input file changed since the run read it.</p></header>")
        out, run = [], []
        for i, ch in enumerate(raw):
            if i in kept:
                if run:
                    out.append(f'<span class="join" title="dropped by the normaliser">{esc("".join(run))}</span>')
                    run = []
                out.append(esc(ch))
            else:
                run.append("⏎\n" if ch == "\n" else ("·" if ch in " \u3000\t" else ch))
        if run:
            out.append(f'<span class="join">{esc("".join(run))}</span>')
        n_dropped = len(raw) - len(kept)
        return _page(f"{d.source} (raw)", head + f'<p class="meta">{n_dropped} characters dropped or joined, '
                                                 f"marked</p></header><main><div class=\"text\">{''.join(out)}</div></main>")

    def _index(self, documents: pd.DataFrame, mentions: dict[str, pd.DataFrame]) -> str:
        counts = {name: self.t[name].groupby("doc_id").size().to_dict() if len(self.t[name]) else {}
                  for name in ("articles", "dates", "money", "officials", "projects")}
        errors = self.t["errors"]
        rows = []
        for d in documents.itertuples():
            by_label = mentions.get(d.doc_id, pd.DataFrame())
            labels = by_label.groupby("label").size().to_dict() if len(by_label) else {}
            problems = errors[errors.source == d.source] if len(errors) else errors
            rows.append(f'<tr><td><a href="doc-{esc(d.doc_id)}.html">{esc(d.source)}</a></td>'
                        f"<td>{esc(d.pub_date)}</td><td>{esc(d.pub_date_basis)}</td>"
                        + "".join(f"<td>{counts[n].get(d.doc_id, 0)}</td>" for n in counts)
                        + f"<td>{sum(labels.get(k, 0) for k in ('PERSON', 'ORG', 'LOC'))}</td>"
                        f"<td>{esc('; '.join(f'{p.severity}: {p.message}' for p in problems.itertuples()))}</td></tr>")
        failed = errors[errors.severity == "error"] if len(errors) else errors
        fail_rows = "".join(f"<li>{esc(e.source)}: {esc(e.stage)}: {esc(e.message)}</li>" for e in failed.itertuples())
        heads = "".join(f"<th>{h}</th>" for h in ("source", "published", "basis", *counts, "names", "warnings"))
        return _page("pipeline run", f"<header><h1>Run in {esc(self.out_dir)}</h1>"
                     f'<p><a href="people.html">people</a> · <a href="projects.html">projects</a></p></header><main>'
                     f'<input type="search" placeholder="search" aria-label="search documents" data-filter="#docs">'
                     f'<table id="docs"><thead><tr>{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
                     + (f"<h2>Documents that failed</h2><ul>{fail_rows}</ul>" if fail_rows else "") + "</main>")

    def _record_pages(self, html_dir: Path, shown: set[str]) -> list[Path]:
        written = []
        positions, records = self.t["positions"], self.t["project_records"]
        officials, projects = self.t["officials"], self.t["projects"]
        doc_of_official = dict(zip(officials.official_id, officials.doc_id)) if len(officials) else {}
        doc_of_project = dict(zip(projects.project_id, projects.doc_id)) if len(projects) else {}

        def doc_links(doc_ids) -> str:
            return ", ".join(f'<a href="doc-{esc(i)}.html">{esc(i)}</a>' for i in sorted(set(doc_ids)) if i in shown)

        people_rows = []
        for key, spells in (positions.groupby("person_key") if len(positions) else ()):
            name = _slug("person", key)
            rows = "".join(f"<tr><td>{esc(s.org_name or '')}{esc(s.title)}</td><td>{esc(s.first_date)}</td>"
                           f"<td>{esc(s.last_date)}</td><td>{doc_links(doc_of_official.get(o) for o in s.official_ids)}"
                           f"</td></tr>" for s in spells.sort_values("first_date").itertuples())
            written.append(self._put(html_dir / name, _page(key, f'<header><a href="people.html">people</a>'
                                     f"<h1>{esc(key)}</h1></header><main><table><thead><tr><th>position</th>"
                                     f"<th>from</th><th>to</th><th>pages</th></tr></thead><tbody>{rows}</tbody>"
                                     f"</table></main>")))
            people_rows.append(f'<tr><td><a href="{name}">{esc(key)}</a></td><td>{len(spells)}</td></tr>')
        written.append(self._put(html_dir / "people.html", _page("people", '<header><a href="index.html">index</a>'
                                 '<h1>People</h1></header><main><input type="search" data-filter="#people" '
                                 'aria-label="search people"><table id="people"><thead><tr><th>person</th>'
                                 f'<th>positions</th></tr></thead><tbody>{"".join(people_rows)}</tbody></table></main>')))
        project_rows = []
        for r in records.itertuples() if len(records) else ():
            name = _slug("project", r.project_key)
            statuses = "".join(f"<li>{esc(s['date'])} {esc(s['status'])}</li>" for s in r.statuses)
            money = f"{r.investment:,.0f} {r.currency}" if not _missing(r.investment) else "not stated"
            written.append(self._put(html_dir / name, _page(r.name, f'<header><a href="projects.html">projects</a>'
                                     f"<h1>{esc(r.name)}</h1><p class=\"meta\">also {esc('、'.join(r.aliases)) or '—'}"
                                     f"</p></header><main><p>investment: {esc(money)}; {esc(r.first_date)} .. "
                                     f"{esc(r.last_date)}</p><ul>{statuses}</ul><p>pages: "
                                     f"{doc_links(doc_of_project.get(p) for p in r.project_ids)}</p></main>")))
            project_rows.append(f'<tr><td><a href="{name}">{esc(r.name)}</a></td><td>{esc(r.first_date)}</td>'
                                f"<td>{esc(money)}</td></tr>")
        written.append(self._put(html_dir / "projects.html", _page("projects", '<header><a href="index.html">index'
                                 '</a><h1>Projects</h1></header><main><input type="search" data-filter="#projects" '
                                 'aria-label="search projects"><table id="projects"><thead><tr><th>project</th>'
                                 '<th>first seen</th><th>investment</th></tr></thead><tbody>'
                                 f'{"".join(project_rows)}</tbody></table></main>')))
        return written


def write_site(out_dir: Path, html_dir: Path, docs: list[str] | None = None) -> list[Path]:
    return Site(out_dir).write(html_dir, docs)


def main(out_dir: Path, html_dir: Path, docs: list[str] | None) -> int:
    try:
        written = write_site(out_dir, html_dir, docs)
    except OutputError as exc:
        print(f"error: {out_dir}: {exc}", file=sys.stderr)
        return 2
    print(f"{len(written)} pages -> {Path(html_dir) / 'index.html'}")
    return 0


__all__ = ["write_site", "render_marks", "main"]
