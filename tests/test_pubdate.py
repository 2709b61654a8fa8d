from __future__ import annotations

import datetime as dt

import pytest

from pipeline.extract.dates import DateExtractor
from pipeline.normalize import normalize
from pipeline.pubdate import PubDateInferrer, from_filename, load_manifest, resolve_pub_date

from .conftest import SEEDS, gold_files


@pytest.fixture(scope="module")
def inferrer(rules):
    return PubDateInferrer(rules["pubdate"], DateExtractor(rules["dates"]).find)


@pytest.mark.parametrize("name, date", [
    ("2023-03-04_page1.txt", dt.date(2023, 3, 4)),
    ("anyang_20221009_02.txt", dt.date(2022, 10, 9)),
    ("2022.02.27.txt", dt.date(2022, 2, 27)),
    ("000_cd8988bdca57b975.txt", None),
    ("20231399.txt", None),          # not a calendar date
    ("page_120230304.txt", None),    # digits run on: no date
    ("2022-10-9_a.txt", dt.date(2022, 10, 9)),          # one-digit day with separators
    ("2011年2月16日第3版.txt", dt.date(2011, 2, 16)),
    ("anyang/2022/10/09/page1.txt", dt.date(2022, 10, 9)),   # the folders above the file
    ("archive/2023/1.txt", None),
])
def test_date_from_file_name(name, date):
    assert from_filename(name) == date


@pytest.mark.parametrize("text, year", [
    # an anniversary fixes the year
    ("3月4日下午，纪念“三八”国际妇女节113周年大会召开。", 2023),
    ("庆祝中国共产党成立一百周年大会于7月1日举行。", 2021),
    # the page reports last year's results and this year's plans
    ("回顾总结2021年工作。2022年，我们将一如既往。2月27日上午，大会召开。", 2022),
    # a plan year does not move the page into the future
    ("12月9日下午，宣讲团成立，将于2020年12月9日至2021年2月底开展宣讲，制订2021年计划。", 2020),
    # an event spoken of as upcoming, with the page's own month
    ("10月9日上午，志愿者开展活动，以优异成绩迎接党的二十大胜利召开。2020年3月提出打造示范园。", 2022),
])
def test_inferred_year(inferrer, text, year):
    got = inferrer.infer(normalize(text).text)
    assert (got.basis, got.year) == ("inferred", year), got.evidence


def test_no_evidence(inferrer):
    got = inferrer.infer("会议要求，要抓好春季农业生产工作。")
    assert (got.year, got.date, got.basis) == (None, None, "none")


def test_basis_order(inferrer, tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("source,pub_date\npage_2021-01-02.txt,2020-05-06\n", encoding="utf-8")
    m = load_manifest(manifest)
    text = "2023年，北关区妇联工作总体思路为。"
    assert resolve_pub_date("in/page_2021-01-02.txt", None, None, text, inferrer, m).basis == "manifest"
    assert resolve_pub_date("page_2021-01-02.txt", None, dt.date(2019, 1, 1), text, inferrer, None).basis == "input"
    assert resolve_pub_date("page_2021-01-02.txt", None, None, text, inferrer, None).date == dt.date(2021, 1, 2)
    assert resolve_pub_date("page.txt", None, None, text, inferrer, None).basis == "inferred"


def test_bad_manifest_names_the_line(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("source,pub_date\na.txt,2020-05-06\nb.txt,not a date\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"m.csv:3"):
        load_manifest(manifest)


@pytest.mark.parametrize("gold", gold_files(), ids=lambda g: g["doc"])
def test_seed_year_matches_visible_gold(inferrer, gold):
    raw = (SEEDS / gold["doc"]).read_text(encoding="utf-8-sig")
    got = inferrer.infer(normalize(raw).text)
    assert got.year == gold["publication"]["year"], got.evidence


@pytest.mark.parametrize("text, date", [
    ("金水日报\n2023年3月7日 星期二\n本报讯（记者 张三）3月6日，会议召开。", dt.date(2023, 3, 7)),
    ("2021年12月9日 第3版 综合新闻\n正文。", dt.date(2021, 12, 9)),
    # a full date in running text is not a masthead
    ("据了解，该项目于2021年12月9日开工建设，星期二完成了验收，各项工作有序推进。", None),
])
def test_printed_masthead_date(text, date):
    from pipeline.pubdate import printed_date
    assert printed_date(text) == date


def test_printed_date_comes_before_inference(inferrer):
    got = resolve_pub_date("page.txt", None, None, "2023年3月7日 星期二\n2021年，全区经济增长。", inferrer, None)
    assert (got.basis, got.date) == ("printed", dt.date(2023, 3, 7))
