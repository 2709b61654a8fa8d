"""Across pages: people, positions (spells) and project records (rules/orgs.yml).

The per-document tables list mentions; researchers ask who held which position from when to
when, and which project was signed, started and finished when. This stage reads the tables
of a whole run (incremental runs and Dask runs included: it runs on the gathered tables, so
every way of running gives the same rows) and builds:

  positions        one row per (person, organisation, title): the first and the last date a
                   page shows it (officials.date), the pages, the evidence rows;
  people           one row per person: the name, the dates, the positions held;
  project_records  one row per project under its fullest name, with its aliases, the largest
                   investment stated, its statuses with their first dates.

Organisations get a key: a bare jurisdiction (区委, 区政府, 区财政局, 区 for 区长) takes the
page's home jurisdiction (the district or county the page's places and officials name most,
or `--home`), the party's name is dropped (中共北关区委 = 北关区委) and short organ names are
spelled out (工信局 = 工业和信息化局, rules/orgs.yml).

Namesakes: the mentions of one name are grouped by the home jurisdiction of their pages (the
district or county the paper covers); groups whose dates overlap or come closer than
`min_days_between_districts` (rules/orgs.yml, 90 days) are taken for namesakes and get keys
of their own (王伟, 王伟#2): one person does not hold posts in two districts at once, and in a
large archive a common name in two papers within weeks is likelier two people than a
transfer; groups further apart are one career (a move from one district to another).
Two namesakes at different times in different places are therefore one key: nothing on the
pages tells them apart; two posts of one person in one district at once (a zone's and a
subdistrict's party secretary) stay one person.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict

import pyarrow as pa
import pyarrow.compute as pc
import regex

from .extract.projects import project_key
from .schemas import RECORD_TABLES, build_table

class OrgNames:
    """Organisation keys from the names written on pages (rules/orgs.yml)."""

    def __init__(self, rules: dict):
        self.jurisdiction_chars = set(rules["jurisdiction_chars"])
        self.party_prefix = tuple(sorted(rules["party_prefix"], key=len, reverse=True))
        self.home_suffix = tuple(rules["home_suffix"])
        self.zone_end = tuple(rules["zone_end"])
        self.abbreviations = sorted(rules["abbreviations"].items(), key=lambda kv: len(kv[0]), reverse=True)
        suffix = "".join(map(regex.escape, rules["home_suffix"]))
        # the jurisdiction that opens an organisation's name: 北关区财政局 -> 北关区
        self.leading_jurisdiction = regex.compile(rf"^\p{{Han}}{{2,6}}?[{suffix}]")

    def full_name(self, org: str | None, home: str | None) -> str | None:
        """区财政局 on a 北关区 page -> 北关区财政局; 中共北关区委 -> 北关区委; 区政府 -> 北关区人民政府."""
        if not org:
            return None
        name = "".join(org.split())
        prefix = next((p for p in self.party_prefix if name.startswith(p) and len(name) > len(p)), None)
        if prefix:
            name = name[len(prefix):]
        if home and name[0] in self.jurisdiction_chars and home.endswith(name[0]) and not name.startswith(home):
            name = home + name[1:]
        for short, full in self.abbreviations:
            if name.endswith(short) and not name.endswith(full):
                name = name[: -len(short)] + full
                break
        return name

    def key(self, name: str | None, home: str | None) -> str | None:
        """The key of a full name: the name itself, or for a bare organ no jurisdiction could
        be given to (镇, 市委 on a district's page) the home and the name, so that the 镇 of
        one paper is not the 镇 of another."""
        if not name:
            return None
        if name[0] in self.jurisdiction_chars and len(name) <= 4:
            return f"{home or '?'}/{name}"
        return name

    def _suffix_rank(self, name: str) -> int:
        return next(i for i, suf in enumerate(self.home_suffix) if name.endswith(suf))

    def jurisdiction(self, name: str | None) -> str | None:
        m = self.leading_jurisdiction.match(name or "")
        return m.group(0) if m else None

    def homes(self, officials: list[dict], places: list[tuple[str, str]], fixed: str | None,
              given: dict[str, str] | None = None) -> dict[str, str | None]:
        """Each document's home jurisdiction: `fixed` when given (run --home), else the
        manifest's `home` for the page (`given`), else the district or county its places and
        its officials' organisations name most (a city when no district or county is named),
        else the run's most named one."""
        given = given or {}
        counts: dict[str, Counter] = defaultdict(Counter)
        for doc_id, text in places:
            if len(text) >= 3 and text.endswith(self.home_suffix) and not text.endswith(self.zone_end):
                counts[doc_id][text] += 1
        for o in officials:
            j = self.jurisdiction(o["org"])
            if j:
                counts[o["doc_id"]][j] += 1
        run_wide: Counter = Counter()
        for c in counts.values():
            run_wide.update(c)

        def best(c: Counter) -> str | None:
            # districts and counties before cities (home_suffix is in that order), then the most named
            ranked = sorted(c.items(), key=lambda kv: (self._suffix_rank(kv[0]), -kv[1], kv[0]))
            return ranked[0][0] if ranked else None

        fallback = best(run_wide)
        docs = {o["doc_id"] for o in officials} | {d for d, _ in places}
        return {d: fixed or given.get(d) or best(counts.get(d, Counter())) or fallback for d in docs}


def _hash(prefix: str, *parts: str | None) -> str:
    return prefix + hashlib.sha1("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:12]


def _careers(rows: list[dict], min_move_days: int) -> list[int]:
    """Career number (0, 1, …) of each official row of one name: rows grouped by jurisdiction,
    groups joined in date order to a career that ended at least `min_move_days` before them
    (a move to another district; closer or overlapping dates are two namesakes)."""
    groups: dict[str | None, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[r["jurisdiction"]].append(i)

    def span(idx: list[int]) -> tuple[dt.date | None, dt.date | None]:
        dates = [rows[i]["date"] for i in idx if rows[i]["date"] is not None]
        return (min(dates), max(dates)) if dates else (None, None)

    ordered = sorted(groups.items(), key=lambda kv: (span(kv[1])[0] or dt.date.max, str(kv[0])))
    careers: list[list] = []          # [first, last, jurisdictions]
    out = [0] * len(rows)
    for j, idx in ordered:
        first, last = span(idx)
        k = None
        for n, (cf, cl, _) in enumerate(careers):
            if first is None or cf is None or (first - cl).days >= min_move_days or (cf - last).days >= min_move_days:
                k = n   # far enough apart in time: the same career may have moved on
                break
        if k is None:
            careers.append([first, last, {j}])
            k = len(careers) - 1
        else:
            c = careers[k]
            c[0] = min(d for d in (c[0], first) if d is not None) if (c[0] or first) else None
            c[1] = max(d for d in (c[1], last) if d is not None) if (c[1] or last) else None
            c[2].add(j)
        for i in idx:
            out[i] = k
    return out


def people_and_positions(officials: list[dict], homes: dict[str, str | None], orgs: OrgNames,
                         min_move_days: int = 90) -> tuple[list[dict], list[dict]]:
    # 柏庄镇党委副书记、镇长X: the 镇 of 镇长 is the town the person's other title names
    towns: dict[tuple[str, str], list[str]] = defaultdict(list)
    for o in officials:
        if o["org"] and len(o["org"]) > 1:
            towns[(o["doc_id"], o["person"])].append(o["org"])
    by_name: dict[str, list[dict]] = defaultdict(list)
    for o in officials:
        home = homes.get(o["doc_id"])
        org = o["org"]
        if org and len(org) == 1:
            org = next((t for t in towns[(o["doc_id"], o["person"])] if t.endswith(org)), org)
        name = orgs.full_name(org, home)
        # the career's place: the page's home (a paper's district), not the unit inside it
        by_name[o["person"]].append({**o, "org_name": name, "org_key": orgs.key(name, home), "jurisdiction": home})
    people, spells = [], defaultdict(list)
    for person, rows in sorted(by_name.items()):
        rows.sort(key=lambda r: (r["date"] or dt.date.max, r["official_id"]))
        careers = _careers(rows, min_move_days)
        for k in sorted(set(careers)):
            mine = [r for r, c in zip(rows, careers) if c == k]
            person_key = person if k == 0 else f"{person}#{k + 1}"
            dates = [r["date"] for r in mine if r["date"] is not None]
            titles = list(dict.fromkeys((r["org_name"] or "") + r["title"] for r in mine))
            people.append({"person_key": person_key, "person": person, "first_date": min(dates, default=None),
                           "last_date": max(dates, default=None), "n_docs": len({r["doc_id"] for r in mine}),
                           "n_mentions": len(mine), "titles": titles})
            for r in mine:
                spells[(person_key, r["org_key"], r["title"])].append(r)
    positions = []
    for (person_key, org_key, title), rows in spells.items():
        dates = [r["date"] for r in rows if r["date"] is not None]
        positions.append({
            "position_id": _hash("p-", person_key, org_key, title), "person_key": person_key,
            "person": rows[0]["person"], "title": title, "org_key": org_key, "org_name": rows[0]["org_name"],
            "first_date": min(dates, default=None), "last_date": max(dates, default=None),
            "n_docs": len({r["doc_id"] for r in rows}), "official_ids": sorted(r["official_id"] for r in rows)})
    return people, positions


def project_records(projects: list[dict], pub_dates: dict[str, dt.date | None], status_order: list[str]) -> list[dict]:
    """Projects across pages: rows that share a name (or an alias the page gave) are one
    project; the fullest name heads it."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in projects:
        keys = [project_key(n) for n in [p["name"], *(p["aliases"] or [])]]
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
        find(keys[0])
    groups: dict[str, list[dict]] = defaultdict(list)
    for p in projects:
        groups[find(project_key(p["name"]))].append(p)
    rank = {s: i for i, s in enumerate(status_order)}
    out = []
    for rows in groups.values():
        names = list(dict.fromkeys(n for p in rows for n in [p["name"], *(p["aliases"] or [])]))
        name = max(names, key=lambda n: (len(project_key(n)), -len(n), n))
        dates = [pub_dates.get(p["doc_id"]) for p in rows]
        known = [d for d in dates if d is not None]
        places = Counter(p["location"] for p in rows if p["location"])
        invested = [p for p in rows if p["investment"] is not None]
        top = max(invested, key=lambda p: p["investment"]) if invested else None
        first_seen: dict[str, dt.date | None] = {}
        for p, d in zip(rows, dates):
            s = p["status"]
            if s and (s not in first_seen or (d is not None and (first_seen[s] is None or d < first_seen[s]))):
                first_seen[s] = d
        statuses = sorted(first_seen.items(), key=lambda kv: (kv[1] or dt.date.max, rank.get(kv[0], len(rank))))
        out.append({
            "project_key": _hash("j-", project_key(name)), "name": name,
            "aliases": sorted(n for n in names if n != name),
            "first_date": min(known, default=None), "last_date": max(known, default=None),
            "location": sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if places else None,
            "investment": top["investment"] if top else None, "currency": top["currency"] if top else None,
            "statuses": [{"status": s, "date": d} for s, d in statuses],
            "n_docs": len({p["doc_id"] for p in rows}), "project_ids": sorted(p["project_id"] for p in rows)})
    return out


def manifest_homes(path) -> dict[str, str]:
    """The `home` column of a manifest (CSV/JSONL with `source` or `id`), when it has one:
    key (file name or record id) -> home jurisdiction."""
    from .pubdate import manifest_key, read_manifest

    df, key = read_manifest(path)
    if "home" not in df.columns or key not in df.columns:
        return {}
    return {manifest_key(key, k): str(h) for k, h in zip(df[key], df["home"]) if isinstance(h, str) and h.strip()}


def build_records(tables: dict[str, pa.Table], rules: dict, home: str | None = None,
                  manifest_homes: dict[str, str] | None = None) -> dict[str, pa.Table]:
    """The tables across pages from a run's per-document tables (documents, officials,
    projects, mentions). `home`: every page's home jurisdiction; `manifest_homes`: a
    manifest's, by file name or record id."""
    from pathlib import Path

    orgs = OrgNames(rules)
    given = {}
    if manifest_homes:
        for d in tables["documents"].select(["doc_id", "source", "source_id"]).to_pylist():
            h = manifest_homes.get(d["source_id"] or "") or manifest_homes.get(Path(d["source"]).name)
            if h:
                given[d["doc_id"]] = h
    officials = tables["officials"].select(["official_id", "doc_id", "person", "title", "org", "date"]).to_pylist()
    mentions = tables["mentions"]
    locs = mentions.filter(pc.equal(mentions["label"], "LOC")).select(["doc_id", "text"]).to_pylist()
    homes = orgs.homes(officials, [(e["doc_id"], e["text"]) for e in locs], home, given)
    people, positions = people_and_positions(officials, homes, orgs, rules["min_days_between_districts"])
    docs = tables["documents"].select(["doc_id", "pub_date"]).to_pylist()
    projects = tables["projects"].select(["project_id", "doc_id", "name", "aliases", "investment", "currency",
                                          "status", "location"]).to_pylist()
    records = project_records(projects, {d["doc_id"]: d["pub_date"] for d in docs}, rules["status_order"])
    return {"people": build_table("people", people), "positions": build_table("positions", positions),
            "project_records": build_table("project_records", records)}


RECORD_TABLE_NAMES = tuple(RECORD_TABLES)


# ---- questions a researcher asks of the records (python -m pipeline who / holders / project) ----

def _pages(out_dir, doc_ids: set[str]) -> dict[str, str]:
    from .tables import read_table
    docs = read_table(out_dir, "documents")[["doc_id", "source"]]
    return dict(zip(docs.doc_id, docs.source)) if doc_ids else {}


def _official_pages(out_dir, official_ids: list[str]) -> list[str]:
    from .tables import read_table
    off = read_table(out_dir, "officials")
    off = off[off.official_id.isin(official_ids)]
    pages = _pages(out_dir, set(off.doc_id))
    return sorted({f"{r.date or '?'}  {pages.get(r.doc_id, r.doc_id)}" for r in off.itertuples()})


def who(out_dir, name: str) -> str:
    """A person's spells, in date order, with the pages that show them."""
    from .tables import read_table
    pos = read_table(out_dir, "positions")
    mine = pos[(pos.person == name) | (pos.person_key == name)].sort_values(["person_key", "first_date", "title"])
    if mine.empty:
        return f"no positions of {name} in {out_dir}"
    lines = []
    for r in mine.itertuples():
        lines.append(f"{r.person_key}  {r.org_name or ''}{r.title}  {r.first_date or '?'} .. {r.last_date or '?'}"
                     f"  ({r.n_docs} page{'s' if r.n_docs != 1 else ''})")
        lines += [f"    {p}" for p in _official_pages(out_dir, list(r.official_ids))]
    return "\n".join(lines)


def holders(out_dir, query: str) -> str:
    """The holders of a position ("柏庄镇 镇长": organisation and title), in date order."""
    from .tables import read_table
    org, _, title = query.strip().rpartition(" ")
    pos = read_table(out_dir, "positions")
    hit = pos[(pos.title == title) & (pos.org_name.fillna("").str.contains(org, regex=False) if org else True)]
    if hit.empty:
        return f"no holders of {query} in {out_dir}"
    hit = hit.sort_values(["first_date", "person_key"], na_position="last")
    return "\n".join(f"{r.first_date or '?'} .. {r.last_date or '?'}  {r.person_key}  {r.org_name or ''}{r.title}"
                     f"  ({r.n_docs} page{'s' if r.n_docs != 1 else ''})" for r in hit.itertuples())


def project(out_dir, name: str) -> str:
    """A project's record and timeline: every project whose name or alias holds `name`."""
    from .tables import read_table
    rec = read_table(out_dir, "project_records")
    hit = rec[rec.name.str.contains(name, regex=False) | rec.aliases.map(lambda a: any(name in x for x in a))]
    if hit.empty:
        return f"no project named {name} in {out_dir}"
    lines = []
    for r in hit.sort_values("first_date", na_position="last").itertuples():
        money = f"{r.investment:,.0f} {r.currency}" if r.investment == r.investment and r.investment else "not stated"
        lines.append(f"{r.name}  ({r.first_date or '?'} .. {r.last_date or '?'}, {r.n_docs} pages)")
        if len(r.aliases):
            lines.append(f"    also: {', '.join(r.aliases)}")
        lines.append(f"    investment: {money}" + (f"; location: {r.location}" if r.location else ""))
        for s in r.statuses:
            lines.append(f"    {s['date'] or '?'}  {s['status']}")
    return "\n".join(lines)
