"""Cleaning the five real scraped seed articles, plus the metadata rules on small cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.cleaning import clean_article
from index.documents import Article, RawDocument
from index.loaders import load_file
from index.metadata import extract_author, extract_date, extract_title, is_chrome
from index.textnorm import match_form

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _article(prefix: str) -> Article:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    raw = load_file(path, 10_000_000)
    assert isinstance(raw, RawDocument)
    return clean_article(raw)


def _paragraphs(article: Article) -> list[str]:
    return article.text.split("\n\n")


def _count(article: Article, needle: str) -> int:
    return match_form(article.text).count(match_form(needle))


EXPECTED = {
    "000": (
        "Đảng bộ phường Phước Tân tổng kết công tác xây dựng Đảng năm 2020",
        "2021-01-07",
        "V.THÀNH",
    ),
    "001": (
        "Hội nghị BCH Phường Trần Phú lần thứ 14, khóa XII (mở rộng), nhiệm kỳ 2020- 2025",
        "2021-10-11",
        "Hà Vân",
    ),
    "002": (
        "Sáng 12/7, Đảng ủy phường Tây Sơn tổ chức Hội nghị sơ kết công tác xây dựng Đảng, "
        "chính quyền 6 tháng đầu năm; triển…",
        "2023-07-12",
        "Hoàng Bình",
    ),
    "003": ("Hội nghị tổng kết công tác Đảng năm 2020", "2020-12-31", "Thu Nghĩa – Trung tâm VHTT&TT huyện"),
    "004": ("Phường Cầu Ông Lãnh quan tâm công tác phát triển đảng viên mới", "2020-07-07", "N.T"),
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_metadata(prefix: str) -> None:
    article = _article(prefix)
    title, date, author = EXPECTED[prefix]
    assert (article.title, article.date, article.author) == (title, date, author)
    assert article.doc_id.startswith(prefix)
    # The byline stays in the text: users may ask who wrote the article.
    assert _paragraphs(article)[-1] == author


@pytest.mark.parametrize("prefix", ["000", "001", "003", "004"])
def test_heading_is_first_paragraph(prefix: str) -> None:
    article = _article(prefix)
    assert _paragraphs(article)[0] == article.title


def test_title_from_lead_is_not_in_text_but_lead_is() -> None:
    article = _article("002")
    assert len(article.title) <= 121 and article.title.endswith("…")
    assert _paragraphs(article)[0].startswith("Sáng 12/7, Đảng ủy phường Tây Sơn")


def test_seed_000_duplicates_removed() -> None:
    article = _article("000")
    assert _count(article, "Chiều 7-1, Đảng bộ phường Phước Tân (TP. Nha Trang)") == 1
    # "Đảng uỷ" / "Đảng ủy": the same caption in two tone-mark styles.
    assert _count(article, "Đảng ủy phường Phước Tân khen thưởng các tập thể xuất sắc") <= 1
    assert _count(article, "Các cá nhân có thành tích xuất sắc trong công tác xây dựng Đảng nhận khen thưởng") == 1
    assert "10:01" not in article.text


def test_seed_001_caption_repeating_title_and_section_label_dropped() -> None:
    article = _article("001")
    assert "Toàn cảnh" not in article.text
    assert article.text.count("Hội nghị BCH Phường Trần Phú lần thứ 14") == 1
    assert "Hoạt động của xã phường" not in article.text
    assert "lượt xem" not in article.text and "11/10/2021" not in article.text
    assert "Tin khác" not in article.text


def test_seed_002_chrome_dropped_caption_kept() -> None:
    article = _article("002")
    assert "Trực tuyến" not in article.text and "Hôm nay" not in article.text
    assert "Quang cảnh Hội nghị." in _paragraphs(article)


def test_seed_003_and_004_chrome_dropped() -> None:
    assert "Các tin tức liên quan" not in _article("003").text
    assert "1" not in _paragraphs(_article("004"))


@pytest.mark.parametrize(
    ("prefix", "sentence"),
    [
        ("000", "Phường Phước Tân hiện có 553 đảng viên sinh hoạt tại 22 chi bộ"),
        ("000", "Tại hội nghị, Đảng ủy phường khen thưởng 4 tập thể, 101 cá nhân"),
        ("001", "thu ngân sách trên địa bàn đạt 11 tỷ đồng, đạt 90% kế hoạch"),
        ("001", "Hội nghị cũng triển khai kế hoạch học tập chuyên đề toàn khóa"),
        ("002", "Tổng thu ngân sách nhà nước 6 tháng ước đạt trên 49 tỷ 687 triệu đồng, đạt 790,2%."),
        ("002", "trích 18.700.000 đồng từ Quỹ"),
        ("002", "Đồng chí Phạm Duy Phong, Thành ủy viên, Bí thư Đảng ủy, Chủ tịch HĐND phường phát biểu kết luận"),
        ("003", "toàn huyện có 1.302 đảng viên hoàn thành xuất sắc nhiệm vụ"),
        ("003", "năm 2020./."),
        ("004", "Thu ngân sách hơn 4 tỷ đồng – đạt 36,26%"),
        ("004", "Trong 6 tháng đầu năm, kết nạp 2 đảng viên."),
    ],
)
def test_article_sentences_kept(prefix: str, sentence: str) -> None:
    assert sentence in _article(prefix).text


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_text_is_original_lines(prefix: str) -> None:
    article = _article(prefix)
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    raw = load_file(path, 10_000_000)
    assert isinstance(raw, RawDocument)
    raw_lines = {line for line in raw.text.split("\n") if line}
    assert all(p in raw_lines for p in _paragraphs(article))
    assert "" not in _paragraphs(article)


# --- the metadata rules beyond the seeds ------------------------------------------


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["Thứ Năm, 07/01/2021 10:01 (GMT+7)", "Tiêu đề bài", "Ngày 5/1/2021, hội nghị."], "2021-01-07"),
        (["Tiêu đề bài", "Hội nghị diễn ra ngày 7 tháng 1 năm 2021 tại phường."], "2021-01-07"),
        (["Tiêu đề bài", "Chiều 31/2, hội nghị năm 2021."], None),  # no 31 February
        (["Tiêu đề bài", "Ngày 31/02/2021, hội nghị."], None),
        (["Tiêu đề bài", "Tối 3-2, hội nghị tổng kết năm 2019 và 2020."], "2020-02-03"),  # tie → latest
        (["Tiêu đề bài", "Sáng nay, hội nghị."], None),
    ],
)
def test_extract_date(paragraphs: list[str], expected: str | None) -> None:
    assert extract_date(paragraphs) == expected


def test_extract_date_accepts_text() -> None:
    assert extract_date("Tiêu đề\n\nNgày 7/7/2020, hội nghị.") == "2020-07-07"


def test_extract_title_skips_chrome_and_label() -> None:
    assert extract_title(["Tin liên quan", "Thời sự", "Hội nghị tổng kết công tác Đảng năm 2020", "Nội dung."]) == (
        "Hội nghị tổng kết công tác Đảng năm 2020"
    )
    assert extract_title(["Hội nghị tổng kết", "Nội dung bài viết dài."]) == "Hội nghị tổng kết"


def test_extract_author_rejects_captions_and_sentences() -> None:
    assert extract_author(["Tiêu đề", "Nội dung.", "các đại biểu dự hội nghị"]) is None
    assert extract_author(["Tiêu đề", "Nội dung.", "Quang cảnh Hội nghị."]) is None
    assert extract_author(["Tiêu đề", "Nội dung.", "Nguyễn Văn A", "Chia sẻ", "Trực tuyến: 12"]) == "Nguyễn Văn A"
    assert extract_author(["Tiêu đề", "Nội dung.", "Tin, ảnh: Hà Vân"]) == "Tin, ảnh: Hà Vân"
    assert extract_author(["Tiêu đề", "Nội dung.", "Theo TTXVN"]) == "Theo TTXVN"
    assert extract_author(["Tiêu đề", "Nội dung.", "Theo kế hoạch đề ra"]) is None


@pytest.mark.parametrize(
    "line",
    ["Trực tuyến: 145", "Hôm nay: 1326", "11/10/2021 14:48 39 lượt xem", "Tin khác", "Tin liên quan:",
     "Chia sẻ", "In bài", "1", "10:01, 07/01/2021", "Trang chủ > Tin tức"],
)
def test_chrome_lines(line: str) -> None:
    assert is_chrome(line)


@pytest.mark.parametrize(
    "line",
    ["Hôm nay, hội nghị đã chia sẻ kinh nghiệm.", "Ngày 7/7/2020, Đảng bộ phường tổ chức hội nghị.", "Hà Vân",
     "Quang cảnh Hội nghị."],
)
def test_article_lines_are_not_chrome(line: str) -> None:
    assert not is_chrome(line)
