"""What the page shows around an answer: the refusal's reason and what to try, active filters,
the rewritten follow-up, and article Markdown shown as plain text (with citations still on the
right words)."""

from __future__ import annotations

import re

import pytest

from rag.result import AnswerResult, Citation, Span
from rag.retrieval import Filters
from ui import render
from ui.plaintext import plain, plain_text

CANNED = "Xin lỗi, các bài viết hiện có không chứa thông tin để trả lời câu hỏi này."


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def passage(text: str, quote: str, short: str, start: int = 1000) -> Citation:
    q, a = text.index(quote), text.index(short)
    return Citation(n=1, doc_id="010_md", title="**Tin** nội bộ", date="2024-03-15", chunk_id="010_md:0", text=text,
                    start=start, end=start + len(text), score=1.0, cited=True,
                    quote=Span(start=start + q, end=start + q + len(quote), text=quote),
                    answer_span=Span(start=start + a, end=start + a + len(short), text=short))


@pytest.mark.parametrize(("reason", "says", "never"), [
    ("no_match", "Không tìm thấy đoạn nào liên quan", "Có đoạn liên quan"),
    ("no_answer", "Có đoạn liên quan nhưng không đoạn nào trả lời", "Không tìm thấy đoạn nào"),
    (None, "Chưa tìm được câu trả lời đủ căn cứ", "không chứa thông tin"),
])
def test_refusal_says_its_reason_and_what_to_try(reason, says, never):
    result = AnswerResult(question="q", answer=CANNED, abstained=True, refusal_reason=reason)
    shown = text_of(render.answer_html(result, 1))
    assert says in shown and never not in shown
    assert "không chứa thông tin" not in shown  # the canned sentence is not presented as a fact
    assert "hỏi" in shown.split(says, 1)[1]  # followed by a hint to ask again differently


def test_refusal_names_the_active_filters():
    result = AnswerResult(question="q", answer=CANNED, abstained=True, refusal_reason="no_match")
    filters = Filters(doc_ids=["a", "b"], date_from="2022-01-01", date_to=None)
    shown = text_of(render.answer_html(result, 1, filters))
    assert "Đang lọc: chỉ trong 2 bài đã chọn, từ ngày 01/01/2022" in shown and "Bỏ bộ lọc" in shown
    assert "Đang lọc" not in text_of(render.answer_html(result, 1, None))


def test_sources_note_follows_the_reason():
    cited = passage("Một đoạn gần.", "Một đoạn gần.", "đoạn")
    turn = {"turn": 1, "question": "q", "result": AnswerResult(
        question="q", answer=CANNED, abstained=True, refusal_reason="no_answer", citations=[cited]).model_dump()}
    assert "không đoạn nào trả lời câu hỏi" in render.sources_panel_html([turn])


def test_rewritten_follow_up_is_shown_in_the_answer_and_the_sources():
    result = AnswerResult(question="còn phường Trần Phú thì sao?", answer="Có 300 đảng viên.",
                          rewritten_question="Phường Trần Phú có bao nhiêu đảng viên?")
    assert "Câu hỏi được hiểu là: «Phường Trần Phú có bao nhiêu đảng viên?»" in render.answer_html(result, 2)
    turn = {"turn": 2, "question": result.question, "result": result.model_dump()}
    assert "hiểu là «Phường Trần Phú có bao nhiêu đảng viên?»" in render.sources_panel_html([turn])
    assert "hiểu là" not in render.answer_html(AnswerResult(question="q", answer="a"), 1)


def test_markdown_marks_are_removed_for_display():
    text = "# Đại hội\n\n**Đại hội Đảng bộ** lần thứ X có:\n- 120 đại biểu\n* xem [trang](http://x.vn/a) và `mã`"
    shown, offsets = plain(text)
    assert shown == "Đại hội\n\nĐại hội Đảng bộ lần thứ X có:\n• 120 đại biểu\n• xem trang và mã"
    assert len(offsets) == len(text) + 1 and offsets[-1] == len(shown)
    # Characters that are not Markdown stay: arithmetic, identifiers.
    assert plain_text("5*3 = 15, a*b, file_name_x") == "5*3 = 15, a*b, file_name_x"


def test_passage_without_markdown_keeps_the_quote_and_short_answer_on_their_words():
    text = "**Đại hội Đảng bộ** khai mạc.\n- Có **120 đại biểu** dự họp.\n- Bế mạc chiều 5/3."
    html = render.passage_html(passage(text, "- Có **120 đại biểu** dự họp.", "120 đại biểu"))
    assert "**" not in html and "\n- " not in html
    assert re.search(r'<mark class="hd-quote">• Có <strong>120 đại biểu</strong> dự họp\.</mark>', html), html
    assert "Đại hội Đảng bộ khai mạc." in html and "Tin nội bộ" in render.source_html(
        passage(text, "Bế mạc", "5/3"), 1)


def test_every_quoted_sentence_of_a_passage_is_highlighted_the_short_answer_in_the_first():
    text = "Đảng bộ phường hiện có 553 đảng viên. Phường có 12 khu phố. Đảng bộ sinh hoạt tại 29 chi bộ."
    citation = passage(text, "Đảng bộ phường hiện có 553 đảng viên.", "553 đảng viên")
    second = "Đảng bộ sinh hoạt tại 29 chi bộ."
    at = text.index(second)
    citation.more_quotes.append(Span(start=1000 + at, end=1000 + at + len(second), text=second))
    html = render.passage_html(citation)
    marks = re.findall(r'<mark class="hd-quote">(.*?)</mark>', html)
    assert marks == ["Đảng bộ phường hiện có <strong>553 đảng viên</strong>.", second], html
    assert "Phường có 12 khu phố." in text_of(html)  # the sentence between them is shown, not marked


def test_answer_text_and_short_answer_without_markdown_keep_their_links():
    result = AnswerResult(question="q", answer="**Đại hội** có 120 đại biểu [1].", short_answer="**120 đại biểu**",
                          citations=[passage("x 120 đại biểu", "x 120 đại biểu", "120 đại biểu")])
    html = render.answer_html(result, 1)
    assert "**" not in html and 'href="#nguon-1-1"' in html and "Đại hội có 120 đại biểu" in text_of(html)


def test_each_source_links_back_to_its_answer():
    result = AnswerResult(question="q", answer="Có 120 [1].", citations=[passage("Có 120 người.", "Có 120 người.", "120")])
    answer = render.answer_html(result, 3)
    source = render.source_html(result.citations[0], 3)
    target = re.search(r'class="hd-back" href="#([^"]+)"', source).group(1)
    assert f'id="{target}"' in answer and "Về câu trả lời" in source
