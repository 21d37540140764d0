"""Pure functions of the UI layer: HTML rendering and escaping, filters, rate limiting, examples."""

from __future__ import annotations

import time

import pytest

from rag.result import AnswerResult, Citation, Span, Unsupported
from ui import render, security
from ui.examples import count_questions, event_question
from ui.filters import FilterError, build_filters, parse_date

HOSTILE = "<script>alert('xss')</script> <img src=x onerror=alert(1)> ${7*7} **đậm** # tiêu đề"


def citation(**overrides) -> Citation:
    text = "Câu mở đầu. Phường Phước Tân hiện có 553 đảng viên. " + HOSTILE
    values = dict(n=1, doc_id="000_a", title="Tiêu đề <b>in</b>", date="2021-01-07", chunk_id="000_a:x:0000",
                  text=text, start=100, end=100 + len(text), score=0.5, cited=True,
                  quote=Span(start=112, end=151, text=text[12:51]), answer_span=Span(start=137, end=150, text=text[37:50]))
    values.update(overrides)
    return Citation(**values)


def test_escaping_leaves_no_markup_from_the_text():
    out = render.esc(HOSTILE)
    assert "<script" not in out and "<img" not in out and "$" not in out
    assert "&lt;script&gt;" in out and "&#36;{7*7}" in out


def test_markers_link_only_to_known_citations():
    out = render.linkify("Có 553 đảng viên [1]. Xem thêm [9]. <b>x</b> [1, 2]", {1, 2}, turn=3)
    assert out.count('class="hd-ref"') == 3
    assert 'href="#nguon-3-1"' in out and 'href="#nguon-3-2"' in out
    assert "[9]" in out and "nguon-3-9" not in out
    assert "&lt;b&gt;x&lt;/b&gt;" in out


def test_passage_marks_the_quote_once_and_bolds_the_short_answer():
    out = render.passage_html(citation())
    assert out.count('<mark class="hd-quote">') == 1
    assert '<mark class="hd-quote">Phường Phước Tân hiện có <strong>553 đảng viên</strong>.</mark>' in out
    assert "<script" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out


def test_passage_shows_a_quote_that_lies_outside_it():
    out = render.passage_html(citation(quote=Span(start=5000, end=5010, text="<i>ngoài</i>"), answer_span=None))
    assert out.startswith('<mark class="hd-quote">&lt;i&gt;ngoài&lt;/i&gt;</mark>')


def test_source_block_escapes_title_and_formats_the_date():
    out = render.source_html(citation(), turn=2)
    assert 'id="nguon-2-1"' in out and "07/01/2021" in out
    assert "Tiêu đề &lt;b&gt;in&lt;/b&gt;" in out


def test_refusal_unsupported_and_warnings_are_distinct_blocks():
    refusal = AnswerResult(question="q", answer="Xin lỗi <b>", abstained=True, mode="llm",
                           citations=[citation(cited=False)])
    html = render.answer_html(refusal, 1)
    assert 'class="hd-refusal"' in html and "hd-answer" not in html and "&lt;b&gt;" in html  # the model's words
    claimed = AnswerResult(question="q", answer="Có 999 người [1].", mode="llm", citations=[citation()],
                           unsupported=[Unsupported(sentence="Có 999 người [1].", n=[1], missing=["999"],
                                                    reason="số không có trong nguồn")],
                           warnings=["Mô hình <chậm>"])
    html = render.answer_html(claimed, 1)
    assert 'class="hd-unsupported"' in html and "999" in html
    assert 'class="hd-warning"' in html and "&lt;chậm&gt;" in html
    assert "mô hình ngôn ngữ" in html


def test_sources_panel_newest_first_and_open():
    turns = [{"turn": 1, "question": "a", "result": AnswerResult(question="a", answer="x [1].", citations=[citation()]).model_dump()},
             {"turn": 2, "question": "<b>", "result": None}]
    html = render.sources_panel_html(turns)
    assert html.index("Lượt 2") < html.index("Lượt 1")
    assert "&lt;b&gt;" in html and 'id="nguon-1-1"' in html


@pytest.mark.parametrize("text, iso", [("2024-03-15", "2024-03-15"), ("15/03/2024", "2024-03-15"),
                                       ("5/3/2024", "2024-03-05"), ("05.03.2024", "2024-03-05"), ("", None)])
def test_dates_in_iso_or_vietnamese_order(text, iso):
    assert parse_date(text, "«Từ ngày»") == iso


@pytest.mark.parametrize("text", ["31/02/2024", "hôm qua", "2024/15/01"])
def test_bad_dates_are_explained_in_vietnamese(text):
    with pytest.raises(FilterError, match="Ngày"):
        parse_date(text, "«Từ ngày»")


def test_filters_check_order_and_known_articles():
    assert build_filters(None, "", "") is None
    filters = build_filters(["000_a"], "01/01/2021", "2021-12-31", ["000_a", "001_b"])
    assert filters.doc_ids == ["000_a"] and filters.date_from == "2021-01-01" and filters.date_to == "2021-12-31"
    with pytest.raises(FilterError, match="phải trước"):
        build_filters(None, "2022-01-01", "2021-01-01")
    with pytest.raises(FilterError, match="Không có bài"):
        build_filters(["zzz"], None, None, ["000_a"])


def test_rate_limiter_is_a_moving_window():
    limiter = security.RateLimiter(2, window=1)
    assert limiter.hit("a") is None and limiter.hit("a") is None
    assert limiter.hit("a") == 1 and limiter.hit("b") is None  # "b" has a budget of its own
    time.sleep(1.1)
    assert limiter.hit("a") is None  # the first two slid out


def test_page_and_api_budgets_are_separate():
    from index.config import Settings

    class App:
        def add_middleware(self, *args, **kwargs):
            pass

    limiters = security.install(App(), Settings(data_dir="x", rate_limit_per_minute=2, page_rate_limit_per_minute=1))
    assert [limiters.api.hit("ip:1"), limiters.api.hit("ip:1")] == [None, None]
    assert limiters.api.hit("ip:1") is not None
    assert limiters.page.hit("ip:1") is None and limiters.page.hit("ip:1") is not None
    assert limiters.feedback.hit("ip:1") is None


def test_client_key_uses_the_token_holder_before_the_address():
    from index.config import Settings

    settings = Settings(data_dir="x", api_token="s3cret")
    token = security.client_key({"authorization": "Bearer s3cret"}, "10.0.0.1", settings)
    assert token.startswith("token:") and "s3cret" not in token
    assert security.client_key({"cookie": "hoidap_token=s3cret"}, "10.0.0.2", settings) == token
    assert security.client_key({"authorization": "Bearer wrong"}, "10.0.0.1", settings) == "ip:10.0.0.1"


def test_forwarded_client_is_the_right_most_untrusted_hop():
    import ipaddress

    proxies = [ipaddress.ip_network("10.0.0.0/8")]
    assert security.forwarded_client("1.2.3.4, 5.6.7.8, 10.0.0.5", proxies) == "5.6.7.8"
    assert security.forwarded_client("spoofed, 5.6.7.8", proxies) == "5.6.7.8"


def test_client_key_prefers_the_proxy_user():
    from index.config import Settings

    plain = Settings(data_dir="x")
    proxied = Settings(data_dir="x", proxy_user_header="X-Remote-User")
    assert security.client_key({"X-Remote-User": "an"}, "10.0.0.1", plain) == "ip:10.0.0.1"
    assert security.client_key({"X-Remote-User": "an"}, "10.0.0.1", proxied) == "user:an"
    assert security.client_key({}, "10.0.0.1", proxied) == "ip:10.0.0.1"


def test_example_questions_are_generic_and_named():
    text = ("Phường Phước Tân hiện có 553 đảng viên sinh hoạt tại 22 chi bộ. "
            "Hiện Đảng bộ phường có 314 đảng viên. Năm nay có 6 người.")
    assert count_questions(text) == ["Phường Phước Tân có bao nhiêu đảng viên?"]
    assert event_question("Hội nghị tổng kết công tác Đảng năm 2020") == \
        "Hội nghị tổng kết công tác Đảng năm 2020 được tổ chức vào ngày nào?"
    assert event_question("Sáng 12/7, Đảng ủy phường Tây Sơn tổ chức Hội nghị") is None
    assert event_question("Thời tiết hôm nay đẹp trời quá đi thôi") is None

