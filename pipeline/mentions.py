"""The extraction stage: every extractor over a document's sentences, article by article,
turned into rows of the entities, dates, money, officials and projects tables.

Extractors see one sentence at a time (plus its token boundaries and what the article said
before); this module owns their order, the per-article context (the article's date for
relative dates, organisations named before for 该局, the last project for 该项目), the
global offsets, and the deterministic ids (`{doc_id}-eNNNN` in text order).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import regex

from .extract.dates import DateExtractor
from .extract.money import MoneyExtractor
from .extract.ner import RuleCorrector, StatisticalNER
from .extract.officials import OfficialExtractor
from .extract.projects import Amount, ProjectExtractor

# who wins when two entity candidates overlap and have the same length
SOURCE_PRIORITY = {"officials": 0, "byline": 1, "rule": 2, "lac": 3, "gazetteer": 4}
OWNER_LABELS = {"DATE", "MONEY", "TITLE", "PROJECT"}


@dataclass
class Sentence:
    sentence_id: str
    article_id: str
    start: int
    end: int
    text: str
    bounds: list[int]          # token boundaries, relative to the sentence


@dataclass
class Extractors:
    dates: DateExtractor
    money: MoneyExtractor
    officials: OfficialExtractor
    projects: ProjectExtractor
    ner_model: StatisticalNER | None = None
    ner_rules: RuleCorrector | None = None
    # "combined": the model's spans corrected by the rules (the pipeline's NER);
    # "model": the statistical model's spans alone, uncorrected (a baseline to measure against)
    ner_mode: str = "combined"


@dataclass
class Byline:
    """Names an article's byline or photo credit gives, to be marked as PERSON mentions."""
    article_id: str
    start: int
    end: int
    names: list[str]


@dataclass
class MentionRows:
    entities: list[dict] = field(default_factory=list)
    dates: list[dict] = field(default_factory=list)
    money: list[dict] = field(default_factory=list)
    officials: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)


def _org_tokens(sent: Sentence, suffixes: tuple[str, ...]) -> list[str]:
    """Organisation-looking words of a sentence (区商务局), antecedents for 该局."""
    cuts = sorted(set(sent.bounds) | {0, len(sent.text)})
    words = [sent.text[a:b] for a, b in zip(cuts, cuts[1:])]
    return [w for w in words if len(w) >= 3 and w.endswith(suffixes)]


def _resolve_entities(candidates: list[tuple], owned: list[tuple[int, int]]) -> list[tuple]:
    """Keep entity candidates that no date, amount, title or project owns; where they
    overlap, the longest wins (金水区人民政府 is one ORG), then the surer source."""
    owned_at = bytearray(max([e for _, e in owned] + [c[1] for c in candidates] + [0]) + 1)
    for s, e in owned:
        owned_at[s:e] = b"\x01" * (e - s)
    kept: list[tuple] = []
    taken = bytearray(len(owned_at))
    for c in sorted(candidates, key=lambda c: (-(c[1] - c[0]), SOURCE_PRIORITY.get(c[3], 9), c[0])):
        s, e = c[0], c[1]
        if c[3] != "officials" and any(owned_at[s:e]):
            continue
        if any(taken[s:e]):
            continue
        taken[s:e] = b"\x01" * (e - s)
        kept.append(c)
    return kept


def _model_only(doc_id: str, text: str, sentences: list[Sentence], found: list[tuple],
                tagged: dict[str, list]) -> MentionRows:
    """The baseline: the statistical model's PERSON/ORG/LOC exactly as it tags them."""
    from .extract.ner import LABELS
    kept = [f for f in found if f[2] in ("DATE", "MONEY")]
    for s in sentences:
        for a, b, tag in tagged[s.sentence_id]:
            if tag in LABELS:
                kept.append((a + s.start, b + s.start, LABELS[tag], "lac", "ner.model_only",
                             s.article_id, s.sentence_id, None))
    return _rows(doc_id, text, kept)


def _extend_to_known_persons(text: str, candidates: list[tuple]) -> list[tuple]:
    """The model may cut a name short where its first character is also a word ("和平安" read
    as 和 + 海金): a model PERSON that ends a name the officials or a byline confirmed in the
    same document is that name."""
    known = {text[c[0]:c[1]] for c in candidates if c[2] == "PERSON" and c[3] in ("officials", "byline")}
    out = []
    for c in candidates:
        if c[2] == "PERSON" and c[3] == "lac":
            for k in (1, 2):
                if c[0] - k >= 0 and text[c[0] - k:c[1]] in known:
                    c = (c[0] - k, *c[1:])
                    break
        out.append(c)
    return out


def extract_document(doc_id: str, text: str, sentences: list[Sentence], pub_date: dt.date | None,
                     pub_year: int | None, ex: Extractors, bylines: list[Byline] = ()) -> MentionRows:
    found: list[tuple[int, int, str, str, str, str, str, dict]] = []  # start, end, label, source, rule, art, sid, value
    officials: list[tuple] = []
    projects: list[tuple] = []
    by_article: dict[str, list[Sentence]] = {}
    tagged: dict[str, list] = {}   # sentence_id -> the statistical model's (start, end, tag) words
    for s in sentences:
        by_article.setdefault(s.article_id, []).append(s)
    if ex.ner_model is not None:
        # all the page's sentences at once: the model batches those of equal length
        tagged = dict(zip((s.sentence_id for s in sentences), ex.ner_model.words_many([s.text for s in sentences])))

    for article_id, sents in by_article.items():
        # dates first: the article's date anchors relative dates and officials' dates
        date_items = []
        for s in sents:
            for mn in ex.dates.find(s.text):
                mn.start, mn.end = mn.start + s.start, mn.end + s.start
                date_items.append((mn, s))
        article_date = ex.dates.resolve_article([mn for mn, _ in date_items], pub_date, pub_year)
        sentence_day: dict[str, dt.date] = {}
        for mn, s in date_items:
            found.append((mn.start, mn.end, "DATE", "dates", mn.rule, article_id, s.sentence_id, {
                "start_date": mn.start_date, "end_date": mn.end_date, "grain": mn.grain, "anchor": mn.anchor}))
            if mn.grain == "day" and mn.start_date and s.sentence_id not in sentence_day:
                sentence_day[s.sentence_id] = mn.start_date

        known_orgs: list[str] = []
        last_project = None
        for s in sents:
            money = ex.money.find(s.text)
            for mo in money:
                found.append((mo.start + s.start, mo.end + s.start, "MONEY", "money", mo.rule, article_id,
                              s.sentence_id, {"amount": mo.amount, "currency": mo.currency, "low": mo.low,
                                              "high": mo.high, "qualifier": mo.qualifier, "per": mo.per}))
            bounds = set(s.bounds) | {0, len(s.text)}
            known_orgs += _org_tokens(s, ex.officials.org_suffix)
            day = sentence_day.get(s.sentence_id) or article_date or pub_date
            for o in ex.officials.find(s.text, bounds, known_orgs, tagged.get(s.sentence_id, ())):
                officials.append((s, o, day))
                if o.org and o.org not in known_orgs:
                    known_orgs.append(o.org)
            amounts = [Amount(mo.start, mo.end, mo.amount, mo.currency) for mo in money]
            found_projects = ex.projects.find(s.text, sorted(bounds), amounts, last_project)
            for p in found_projects:
                projects.append((s, p))
            if found_projects:
                last_project = found_projects[-1] if not found_projects[0].start <= 2 else found_projects[0]

    if ex.ner_mode == "model":
        return _model_only(doc_id, text, sentences, found, tagged)
    candidates: list[tuple] = []   # start, end, label, source, rule, article_id, sentence_id
    for s, o, day in officials:
        candidates.append((o.person_start + s.start, o.person_end + s.start, "PERSON", "officials", o.rule,
                           s.article_id, s.sentence_id))
        found.append((o.position_start + s.start, o.title_end + s.start, "TITLE", "officials", o.rule,
                      s.article_id, s.sentence_id, {"official": (s, o, day)}))
        # the organisation before the position; a place's party committee is an organisation
        # of its own (新华镇党委), a body's party group is not (金水区民政局|党组书记)
        title_group_start = o.title_end - len(o.title)
        org_end = title_group_start
        organ = ex.officials.organ_re.match(o.title)
        if organ and organ.group(0) in ("党委", "党工委", "工委") and o.org_text \
                and ex.ner_rules is not None and o.org_text.endswith(ex.ner_rules.place_suffix):
            org_end += organ.end()
        if o.org_text and o.org_text not in ex.officials.anaphors and ex.ner_rules is not None \
                and ex.ner_rules.org_ok(s.text[o.title_start:org_end]):
            candidates.append((o.title_start + s.start, org_end + s.start, "ORG", "officials", "ner.title_org",
                               s.article_id, s.sentence_id))
    for s, p in projects:
        found.append((p.start + s.start, p.end + s.start, "PROJECT", "projects", p.rule,
                      s.article_id, s.sentence_id, {"project": p}))
    if ex.ner_model is not None and ex.ner_rules is not None:
        for s in sentences:
            for sp in ex.ner_rules.correct(s.text, tagged[s.sentence_id], s.bounds):
                candidates.append((sp.start + s.start, sp.end + s.start, sp.label, sp.source, sp.rule,
                                   s.article_id, s.sentence_id))
    for b in bylines:
        for name in b.names:
            k = text.find(name, b.start, b.end)
            if k >= 0:
                candidates.append((k, k + len(name), "PERSON", "byline", "ner.byline", b.article_id, None))
    owned = [(f[0], f[1]) for f in found if f[2] in OWNER_LABELS]
    candidates = _extend_to_known_persons(text, candidates)
    resolved = _resolve_entities(candidates, owned)
    for start, end, label, source, rule, article_id, sid in resolved:
        found.append((start, end, label, source, rule, article_id, sid, None))
    _locate_projects(text, [(s, p) for s, p in projects], [r for r in resolved if r[2] == "LOC"])
    return _rows(doc_id, text, found)


def _locate_projects(text: str, projects: list, places: list[tuple]) -> None:
    """A project's location, when its sentence states one: the place after 位于/落户/坐落于, or
    the last place before the project name in its clause ("在新华镇建设X项目")."""
    for s, p in projects:
        start = p.start + s.start
        here = [pl for pl in places if pl[6] == s.sentence_id]
        cue = next((pl for pl in here if regex.search(r"(?:位于|落户|坐落于|选址|落地)\s*$", text[max(s.start, pl[0] - 4):pl[0]])
                    and pl[0] >= s.start), None)
        if cue is None:
            clause_start = max([s.start] + [i + 1 for i in range(s.start, start) if text[i] in "，,。；;！？"])
            before = [pl for pl in here if clause_start <= pl[0] and pl[1] <= start]
            cue = before[-1] if before else None
        if cue is not None:
            p.location = text[cue[0]:cue[1]]


def _rows(doc_id: str, text: str, found: list[tuple]) -> MentionRows:
    rows = MentionRows()
    # one entity per (span, label): a person named with two titles is one PERSON mention
    seen: set[tuple[int, int, str]] = set()
    found.sort(key=lambda t: (t[0], t[1], t[2], t[4]))
    n = 0
    for start, end, label, source, rule, article_id, sid, value in found:
        key = (start, end, label)
        base = {"doc_id": doc_id, "article_id": article_id, "sentence_id": sid,
                "start": start, "end": end, "text": text[start:end]}
        if key not in seen:
            seen.add(key)
            entity_id = f"{doc_id}-e{n:04d}"
            n += 1
            rows.entities.append({"entity_id": entity_id, **base, "label": label, "source": source, "rule": rule})
        if label == "DATE":
            rows.dates.append({"entity_id": entity_id, **base, **value, "rule": rule})
        elif label == "MONEY":
            rows.money.append({"entity_id": entity_id, **base, **value, "rule": rule})
        elif label == "PROJECT":
            p = value["project"]
            rows.projects.append({
                "project_id": entity_id, **base, "name": p.name, "investment": p.investment,
                "investment_text": p.investment_text, "currency": p.currency, "area_text": p.area_text,
                "status": p.status, "location": p.location, "rule": rule})
        elif label == "TITLE":
            s, o, day = value["official"]
            rows.officials.append({
                "official_id": f"{doc_id}-o{len(rows.officials):04d}", "doc_id": doc_id, "article_id": article_id,
                "sentence_id": sid, "person": o.person, "title": o.title, "org": o.org,
                "org_text": o.org_text, "title_span": o.title_span,
                "start": s.start + o.start, "end": s.start + o.end,
                "person_start": s.start + o.person_start, "person_end": s.start + o.person_end,
                "date": day, "rule": rule})
    return rows
