"""The tables across pages (pipeline/records.py): organisation keys, spells, namesakes,
project records, on a corpus of pages the test writes (two papers, two years)."""
from __future__ import annotations

import datetime as dt

import pytest

from pipeline.records import OrgNames
from pipeline.tables import read_table

from .conftest import run_cli


@pytest.fixture(scope="module")
def orgs(rules):
    return OrgNames(rules["orgs"])


@pytest.mark.parametrize("org, home, name", [
    ("区财政局", "河西区", "河西区财政局"),        # a bare jurisdiction takes the page's home
    ("区委", "河西区", "河西区委"),
    ("区", "河西区", "河西区"),                  # 区长: the jurisdiction itself
    ("区政府", "河西区", "河西区人民政府"),        # short organ names are spelled out
    ("河西区人民政府", "河西区", "河西区人民政府"),  # ... once
    ("中共河西区委", None, "河西区委"),            # the party's name is dropped
    ("县工信局", "东山县", "东山县工业和信息化局"),
    ("县委", "河西区", "县委"),                   # a county's organ on a district's page: as written
    (None, "河西区", None),
])
def test_organisation_names(orgs, org, home, name):
    assert orgs.full_name(org, home) == name


def test_a_bare_organ_no_jurisdiction_was_given_keeps_its_page_home(orgs):
    assert orgs.key("镇", "河西区") == "河西区/镇"
    assert orgs.key("河西区委", "河西区") == "河西区委"


PAGES = {
    # paper one: 河西区, two years
    "2021-03-05_hexi.txt": "河西区召开全区经济工作会议\n\n本报讯（记者 王晓）3月4日，河西区召开全区经济工作会议。"
                            "区委副书记张建国主持会议，副区长李明通报了全区项目建设情况。会上，滨河湿地公园项目正式签约，"
                            "该项目总投资3亿元，位于河西区东湖街道。\n",
    "2022-04-10_hexi.txt": "河西区开展植树活动\n\n本报讯（记者 王晓）4月9日，区委副书记、区长张建国带领干部群众在东湖街道"
                            "参加义务植树活动。河西区委、区政府有关负责同志参加。滨河湿地公园项目日前竣工，"
                            "滨河湿地公园项目总投资3.5亿元。\n",
    # paper two: 东山县, the first year: another 李明 at the same time
    "2021-03-20_dongshan.txt": "东山县召开县长办公会议\n\n本报讯（记者 赵强）3月19日，东山县召开县长办公会议，"
                               "县长李明主持会议，县委常委、常务副县长周涛出席。会议研究了东山县工业园区建设等事项。\n",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("records")
    pages = root / "pages"
    pages.mkdir()
    for name, text in PAGES.items():
        (pages / name).write_text(text, encoding="utf-8")
    out = root / "out"
    run_cli("run", pages, "--out", out, "--quiet", "--workers", "1")
    return out


def test_a_person_who_changes_post_has_one_key_and_a_spell_per_post(corpus):
    pos = read_table(corpus, "positions")
    zhang = pos[pos.person == "张建国"].sort_values("first_date")
    assert set(zhang.person_key) == {"张建国"}
    deputy = zhang[zhang.title == "副书记"].iloc[0]
    assert (deputy.org_name, deputy.first_date, deputy.last_date, deputy.n_docs) == \
        ("河西区委", dt.date(2021, 3, 4), dt.date(2022, 4, 9), 2)
    head = zhang[zhang.title == "区长"].iloc[0]
    assert (head.org_name, head.first_date, head.n_docs) == ("河西区", dt.date(2022, 4, 9), 1)
    people = read_table(corpus, "people")
    row = people[people.person_key == "张建国"].iloc[0]
    assert (row.n_docs, row.n_mentions, list(row.titles)) == (2, 3, ["河西区委副书记", "河西区区长"])


def test_namesakes_in_two_papers_at_the_same_time_are_two_people(corpus):
    pos = read_table(corpus, "positions")
    li = pos[pos.person == "李明"]
    assert sorted(li.person_key) == ["李明", "李明#2"]
    assert set(zip(li.title, li.org_name)) == {("副区长", "河西区"), ("县长", "东山县")}


def test_a_project_signed_one_year_and_completed_the_next_is_one_record(corpus):
    rec = read_table(corpus, "project_records")
    wetland = rec[rec.name.str.startswith("滨河湿地公园")]
    assert len(wetland) == 1
    r = wetland.iloc[0]
    assert (r.first_date, r.last_date, r.n_docs) == (dt.date(2021, 3, 5), dt.date(2022, 4, 10), 2)
    assert r.investment == 350_000_000 and r.currency == "CNY"
    assert [(s["status"], s["date"]) for s in r.statuses] == [("signed", dt.date(2021, 3, 5)),
                                                              ("completed", dt.date(2022, 4, 10))]
    assert len(r.project_ids) == 2   # one row of projects per page: the second page names it twice


def test_who_holders_and_project_commands(corpus):
    out = run_cli("who", "张建国", "--out", corpus)
    assert "河西区委副书记  2021-03-04 .. 2022-04-09" in out and "2021-03-05_hexi.txt" in out
    out = run_cli("holders", "河西区 区长", "--out", corpus)
    assert out.splitlines()[0].startswith("2022-04-09 .. 2022-04-09  张建国")
    out = run_cli("project", "滨河湿地公园", "--out", corpus)
    assert "2021-03-05  signed" in out and "2022-04-10  completed" in out


def test_home_given_on_the_command_line(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "2023-05-06_a.txt").write_text("本报讯 5月5日，区委书记王刚到区财政局调研。\n", encoding="utf-8")
    run_cli("run", pages, "--out", tmp_path / "out", "--quiet", "--workers", "1", "--home", "南城区")
    pos = read_table(tmp_path / "out", "positions")
    assert set(zip(pos.person, pos.org_key)) == {("王刚", "南城区委")}


def test_a_move_to_another_district_months_later_is_one_career(orgs):
    from pipeline.records import people_and_positions

    def row(i, doc, title, date):
        return {"official_id": f"o{i}", "doc_id": doc, "person": "周涛", "title": title, "org": None, "date": date}

    officials = [row(1, "a", "副区长", dt.date(2020, 5, 1)), row(2, "a", "副区长", dt.date(2020, 9, 1)),
                 row(3, "b", "县长", dt.date(2021, 6, 1))]
    people, _ = people_and_positions(officials, {"a": "河西区", "b": "东山县"}, orgs, 90)
    assert [p["person_key"] for p in people] == ["周涛"]
    officials.append(row(4, "b", "县长", dt.date(2020, 8, 1)))   # now both at once: two people
    people, _ = people_and_positions(officials, {"a": "河西区", "b": "东山县"}, orgs, 90)
    assert sorted(p["person_key"] for p in people) == ["周涛", "周涛#2"]


def test_home_given_by_the_manifest(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text("本报讯 5月5日，区委书记王刚到区财政局调研。\n", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("source,pub_date,home\na.txt,2023-05-06,北城区\n", encoding="utf-8")
    run_cli("run", pages, "--out", tmp_path / "out", "--quiet", "--workers", "1",
            "--manifest", tmp_path / "manifest.csv")
    pos = read_table(tmp_path / "out", "positions")
    assert set(zip(pos.person, pos.org_key, pos.first_date)) == {("王刚", "北城区委", dt.date(2023, 5, 5))}


def test_a_zone_inside_a_jurisdiction_is_no_home(orgs):
    places = [("d", "东山县"), ("d", "东山县工业园区"), ("d", "东山县高新技术开发区"), ("d", "幸福小区")]
    assert orgs.homes([], places, None) == {"d": "东山县"}
