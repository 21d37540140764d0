"""The chat page, the widget and the embed page in Debian's chromium (headless, via playwright).

Playwright must not download a browser: it drives /usr/bin/chromium. Without it these tests
fail (not skip) with the command to install it, because CI installs it.
Screenshots go to test-artifacts/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.ui.conftest import PHUOC_TAN_Q, XSS_Q, ask_on_page, ask_widget

pytestmark = [pytest.mark.browser, pytest.mark.server]

XSS_SCRIPT = "<script>alert('xss')</script>"


# --- (1) the chat page

def test_chat_page_streams_answer_and_highlights_the_cited_sentence(session, live, artifacts):
    page, record = session
    page.goto(live.url + "/")
    page.wait_for_selector(".hd-banner")
    banner = page.locator(".hd-banner").inner_text()
    assert "chế độ trích xuất" in banner and "ollama pull qwen2.5:7b-instruct" in banner
    # Example questions come from the indexed articles.
    page.wait_for_selector("#hd-examples button")
    assert PHUOC_TAN_Q in page.locator("#hd-examples").inner_text()
    page.screenshot(path=str(artifacts / "chat-empty.png"))

    ask_on_page(page, PHUOC_TAN_Q)
    answer = page.locator("#hd-chat .hd-answer:not(.hd-pending)").last
    answer.wait_for()
    assert "553" in answer.inner_text()
    assert "Trả lời ngắn: 553 đảng viên" in page.locator("#hd-chat").inner_text()

    page.locator("#hd-chat a.hd-ref").first.click()
    source = page.locator("#hd-sources-panel #nguon-1-1")
    source.wait_for()
    assert source.is_visible()
    assert "Đảng bộ phường Phước Tân" in source.locator(".hd-title").inner_text()
    assert "07/01/2021" in source.locator(".hd-meta").inner_text()
    mark = source.locator("mark.hd-quote")
    assert mark.is_visible() and "553 đảng viên" in mark.inner_text()
    page.screenshot(path=str(artifacts / "chat-answer.png"))

    # "Sao chép" copies the answer and its sources as plain text, not the message's HTML.
    page.locator("#hd-chat a.hd-copy").last.click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.includes('553'))")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "<" not in copied and "Nguồn:" in copied and "Đảng bộ phường Phước Tân" in copied

    # Thumbs up on the answer lands in the feedback log, with its citation.
    log = live.settings.data_dir / "feedback.jsonl"
    before = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
    page.locator("#hd-chat button[title='Hữu ích'], #hd-chat button[aria-label='Hữu ích']").last.click()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (not log.exists() or len(log.read_text(encoding="utf-8").splitlines()) == before):
        time.sleep(0.1)
    lines = log.read_text(encoding="utf-8").splitlines()[before:]
    assert lines, "no feedback written"
    vote = json.loads(lines[-1])
    assert vote["vote"] == "up" and vote["source"] == "page" and vote["citations"][0]["doc_id"].startswith("000_")
    # The selected thumb says so in Vietnamese (Gradio names it "Liked") and as pressed; clicking it
    # again takes the vote back, and the log records that, so `hoidap train --feedback` learns nothing from it.
    selected = page.locator("#hd-chat button[aria-pressed='true']").last
    selected.wait_for()
    assert selected.get_attribute("aria-label").startswith("Đã chọn: hữu ích")
    selected.click()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(log.read_text(encoding="utf-8").splitlines()) == before + 1:
        time.sleep(0.1)
    retract = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    assert retract["vote"] == "retract" and retract["turn"] == vote["turn"] and retract["question"] == vote["question"]
    assert page.locator("#hd-chat button[aria-pressed='true']").count() == 0


def test_chat_page_refusal_looks_different_and_follow_up_uses_history(session, live, artifacts):
    page, _ = session
    page.goto(live.url + "/")
    ask_on_page(page, "Thủ đô của nước Pháp là thành phố nào?")
    refusal = page.locator("#hd-chat .hd-refusal")
    refusal.wait_for()
    assert re.search(r"Không tìm thấy đoạn nào liên quan|Có đoạn liên quan nhưng|Chưa tìm được câu trả lời",
                     refusal.inner_text())
    assert page.locator("#hd-sources-panel .hd-note").first.is_visible()
    page.screenshot(path=str(artifacts / "chat-refusal.png"))

    ask_on_page(page, PHUOC_TAN_Q)
    page.locator("#hd-chat .hd-answer:not(.hd-pending)").last.wait_for()
    ask_on_page(page, "Còn phường Tây Sơn thì sao?")
    page.locator("#luot-3").wait_for()
    assert "Tây Sơn" in page.locator("#luot-3").inner_text()


def test_nothing_covers_the_conversation_once_it_scrolls(session, live):
    # Gradio's floating «Hội thoại» label sat over the log's top-left corner and hid the first line of
    # whatever had scrolled there; the log keeps the name for screen readers.
    page, _ = session
    page.goto(live.url + "/")
    for turn, question in enumerate((PHUOC_TAN_Q, "Còn phường Tây Sơn thì sao?",
                                     "Phường Cầu Ông Lãnh có bao nhiêu chi bộ?"), start=1):
        ask_on_page(page, question)
        page.locator(f"#luot-{turn}").wait_for()
    page.locator("#hd-chat [role='log']").evaluate("log => { log.scrollTop = 200; }")
    covering = page.evaluate("""() => {
        const log = document.querySelector('#hd-chat [role="log"]').getBoundingClientRect();
        return [...document.querySelectorAll('#hd-chat label, #hd-chat [data-testid="block-label"]')]
            .filter(e => getComputedStyle(e).visibility !== 'hidden')
            .map(e => e.getBoundingClientRect())
            .filter(r => r.width > 0 && r.height > 0 && r.left < log.right && r.right > log.left
                         && r.top < log.bottom && r.bottom > log.top).length;
    }""")
    assert covering == 0
    assert page.get_by_role("log", name="Hội thoại").count() == 1


def test_a_pronoun_follow_up_points_at_the_person_just_answered(session, live):
    # "Ông ấy" after "Ai là …?": the page and the widget keep the short answer in the conversation they send.
    who, pronoun = "Ai là Bí thư Huyện ủy huyện Phú Xuyên?", "Ông ấy nhấn mạnh điều gì?"
    page, _ = session
    page.goto(live.url + "/")
    ask_on_page(page, who)
    page.locator("#luot-1").wait_for()
    ask_on_page(page, pronoun)
    page.locator("#luot-2").wait_for()
    assert page.locator("#hd-chat .hd-rewritten").last.inner_text() == (
        "Câu hỏi được hiểu là: «Ông Lê Ngọc Anh nhấn mạnh điều gì?»")
    assert "Lê Ngọc Anh nhấn mạnh" in page.locator("#hd-chat .hd-answer:not(.hd-pending)").last.inner_text()

    page.goto(live.url + "/example")
    ask_widget(page, who)
    page.locator("hoidap-widget .bot .short").first.wait_for()
    page.locator("hoidap-widget textarea").fill(pronoun)
    page.locator("hoidap-widget textarea").press("Enter")
    page.locator("hoidap-widget .bot .rewritten").first.wait_for()
    assert "Ông Lê Ngọc Anh nhấn mạnh điều gì?" in page.locator("hoidap-widget .bot").last.inner_text()
    # "Hỏi mới" starts a new conversation: the name answered before no longer lends itself to "ông ấy".
    page.locator("hoidap-widget button.fresh").click()
    assert page.locator("hoidap-widget .bot").count() == 0
    page.locator("hoidap-widget textarea").fill(pronoun)
    page.locator("hoidap-widget textarea").press("Enter")
    page.locator("hoidap-widget .bot .answer:not(.muted)").last.wait_for()
    page.locator("hoidap-widget .bot").last.locator(".src, .refusal, .box").first.wait_for()
    assert page.locator("hoidap-widget .bot .rewritten").count() == 0


def test_the_example_page_fits_a_phone_and_its_widget_button_can_be_tapped(browser, live):
    # A phone (mobile viewport meta honoured): the intranet page's code lines used to widen it to 827 px and
    # push the widget's button off screen.
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(live.url + "/example")
        fab = page.locator("hoidap-widget .fab")
        fab.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = fab.bounding_box()
        assert box["x"] + box["width"] <= 390 and box["y"] + box["height"] <= 844, box
        fab.click()
        assert page.locator("hoidap-widget .panel").is_visible()
    finally:
        context.close()


def test_chat_page_filters_by_date_and_explains_bad_dates(session, live):
    page, _ = session
    page.goto(live.url + "/")
    page.locator("#hd-filters").get_by_text("Lọc theo bài viết và ngày").click()
    page.locator("#hd-date-from textarea, #hd-date-from input").first.fill("01/01/2022")
    ask_on_page(page, PHUOC_TAN_Q)
    page.locator("#luot-1").wait_for()
    dates = page.locator("#luot-1 .hd-meta").all_inner_texts()
    assert dates and all(int(d.split("·")[0].strip()[-4:]) >= 2022 for d in dates), dates

    page.locator("#hd-date-from textarea, #hd-date-from input").first.fill("31/02/2024")
    ask_on_page(page, PHUOC_TAN_Q)
    error = page.locator("#hd-chat .hd-error")
    error.wait_for()
    assert "không tồn tại" in error.inner_text()


def test_llm_mode_banner_streaming_and_unsupported_claim(session, llm_live, fake_ollama_session, artifacts):
    page, _ = session
    fake_ollama_session.reply = "Phường Phước Tân có 553 đảng viên [1]. Phường còn có 999 chi bộ [1]."
    try:
        page.goto(llm_live.url + "/")
        page.wait_for_selector(".hd-banner-llm")
        assert "Đang trả lời bằng mô hình ngôn ngữ qwen2.5:7b-instruct" in page.locator(".hd-banner").inner_text()
        ask_on_page(page, PHUOC_TAN_Q)
        page.locator("#hd-chat .hd-answer:not(.hd-pending)").last.wait_for()
        flagged = page.locator("#hd-chat .hd-unsupported")
        flagged.first.wait_for()
        assert "999" in flagged.first.inner_text() and "Chưa được nguồn xác nhận" in flagged.first.inner_text()
        assert "mô hình ngôn ngữ" in page.locator("#hd-chat .hd-foot").last.inner_text()
        page.screenshot(path=str(artifacts / "chat-llm-unsupported.png"))
    finally:
        fake_ollama_session.reply = "Phường Phước Tân hiện có 553 đảng viên [1]."


def test_chat_page_works_behind_a_token_link(session, server_factory):
    page, _ = session
    server = server_factory(api_token="token-page")
    response = page.goto(server.url + "/")
    assert response.status == 401
    page.goto(server.url + "/?token=token-page")  # sets the cookie, redirects to the clean URL
    assert page.url == server.url + "/"
    ask_on_page(page, PHUOC_TAN_Q)
    page.locator("#hd-chat .hd-answer:not(.hd-pending)").last.wait_for()
    assert "553" in page.locator("#hd-chat .hd-answer").last.inner_text()


# --- (2) the widget on a hostile intranet page, and the iframe embed

def test_widget_on_intranet_page_answers_with_source(session, live, artifacts):
    page, _ = session
    page.goto(live.url + "/docs")  # same origin, no scripts: the baseline set of globals
    baseline = set(page.evaluate("() => Object.keys(window)"))
    page.goto(live.url + "/example")
    fab = page.locator("hoidap-widget .fab")
    fab.wait_for()
    added = set(page.evaluate("() => Object.keys(window)")) - baseline
    assert {k for k in added if not k.isdigit()} == {"HoidapWidget"}  # digits: the iframe's window index
    # The host page's `* { color: red !important; font-size: 30px }` does not reach inside.
    style = fab.evaluate("el => { const s = getComputedStyle(el); return [s.fontSize, s.color, s.display]; }")
    assert style[0] == "15px" and style[1] == "rgb(255, 255, 255)", style
    fab.click()
    panel = page.locator("hoidap-widget .panel")
    assert panel.is_visible()
    page.locator("hoidap-widget textarea").fill(PHUOC_TAN_Q)
    page.locator("hoidap-widget textarea").press("Enter")
    source = page.locator("hoidap-widget .src mark").first
    source.wait_for()
    assert "553" in page.locator("hoidap-widget .bot .answer").last.inner_text()
    assert "553 đảng viên" in source.inner_text()
    assert "07/01/2021" in page.locator("hoidap-widget .src .sm").first.inner_text()
    page.locator("hoidap-widget .ref").first.click()
    # The host page's `div { display: none !important }` did not hide the widget's own divs.
    assert page.locator("hoidap-widget .log").is_visible()
    page.screenshot(path=str(artifacts / "widget-example.png"))

    frame = page.frame_locator("#hoidap-frame")
    frame.locator("hoidap-widget textarea").fill(PHUOC_TAN_Q)
    frame.locator("hoidap-widget .send").click()
    frame.locator("hoidap-widget .src mark").first.wait_for()
    assert "553" in frame.locator("hoidap-widget .bot .answer").last.inner_text()
    page.locator("#hoidap-frame").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "embed-iframe.png"))


def test_embed_falls_back_without_streams_and_shows_errors_in_vietnamese(session, live, server_factory, artifacts):
    page, _ = session
    # An old browser (or a proxy that buffers): no ReadableStream, so the widget uses /api/ask.
    page.add_init_script("delete window.ReadableStream;")
    page.goto(live.url + "/embed")
    page.locator("hoidap-widget textarea").fill(PHUOC_TAN_Q)
    page.locator("hoidap-widget .send").click()
    page.locator("hoidap-widget .src mark").first.wait_for()
    assert "553" in page.locator("hoidap-widget .bot .answer").last.inner_text()

    locked = server_factory(api_token="token-embed")
    page.goto(locked.url + "/embed")  # public shell, but the API wants the token
    page.locator("hoidap-widget textarea").fill(PHUOC_TAN_Q)
    page.locator("hoidap-widget .send").click()
    error = page.locator("hoidap-widget .box.error")
    error.wait_for()
    assert "Cần xác thực" in error.inner_text()
    page.screenshot(path=str(artifacts / "embed-error.png"))

    page.goto(locked.url + "/embed?token=token-embed")  # the iframe form of the token
    page.locator("hoidap-widget textarea").fill(PHUOC_TAN_Q)
    page.locator("hoidap-widget .send").click()
    page.locator("hoidap-widget .src mark").first.wait_for()


# --- (3) hostile article text is shown as text everywhere

def test_xss_article_is_shown_as_text(session, live, artifacts):
    page, record = session
    page.goto(live.url + "/")
    ask_on_page(page, XSS_Q)
    answer = page.locator("#hd-chat .hd-answer:not(.hd-pending)").last
    answer.wait_for()
    assert "777" in answer.inner_text()
    assert XSS_SCRIPT in answer.inner_text()
    page.locator("#hd-chat a.hd-ref").first.click()
    passage = page.locator("#hd-sources-panel #nguon-1-1 .hd-passage")
    passage.wait_for()
    text = passage.inner_text()
    assert XSS_SCRIPT in text and "<img src=x onerror=alert(1)>" in text and "${7*7}" in text
    page.screenshot(path=str(artifacts / "xss-chat.png"))

    page.goto(live.url + "/example")
    page.locator("hoidap-widget .fab").click()
    page.locator("hoidap-widget textarea").fill(XSS_Q)
    page.locator("hoidap-widget textarea").press("Enter")
    page.locator("hoidap-widget .src mark").first.wait_for()
    assert XSS_SCRIPT in page.locator("hoidap-widget .bot").last.inner_text()
    page.screenshot(path=str(artifacts / "xss-widget.png"))

    page.wait_for_timeout(500)  # give any injected handler the chance to fire
    assert record.dialogs == []
    assert page.locator("img[src='x']").count() == 0  # css locators pierce open shadow roots too
    assert page.locator("hoidap-widget img").count() == 0
    injected = page.evaluate("() => [...document.scripts].some(s => s.textContent.includes(\"alert('xss')\"))")
    assert injected is False


# --- (4) offline: nothing but 127.0.0.1

def test_every_request_stays_on_127_0_0_1(session, live):
    page, record = session
    # Gradio keeps a connection open, so "network idle" never comes: wait for what each page shows.
    for path, ready in (("/", "#hd-examples button"), ("/example", "hoidap-widget .fab"),
                        ("/embed", "hoidap-widget .mode"), ("/docs", "h1")):
        page.goto(live.url + path)
        page.wait_for_selector(ready)
        page.wait_for_timeout(800)
    page.goto(live.url + "/example")
    page.frame_locator("#hoidap-frame").locator("hoidap-widget .panel").wait_for()
    assert len(record.urls) > 10  # the pages really loaded their assets
    assert record.foreign() == [], record.foreign()


def test_a_question_over_the_limit_stays_to_be_shortened_on_the_page(session, live):
    # It was cleared from the box before the length check: the user lost what they typed, the sources panel got
    # a turn titled with the whole text, and a thumb under the error looked like a recorded vote.
    page, _ = session
    page.goto(live.url + "/")
    page.wait_for_selector("#hd-examples button.hd-example")
    long_question = "Phường Phước Tân " * 40 + "có bao nhiêu đảng viên?"
    ask_on_page(page, long_question)
    error = page.locator("#hd-chat .hd-error").last
    error.wait_for()
    assert "quá dài" in error.inner_text() and "rút gọn" in error.inner_text()
    assert page.locator("#hd-question textarea").input_value() == long_question
    assert "Lượt 1" not in page.locator("#hd-sources-panel").inner_text()
    page.locator("#hd-chat button[aria-label='Hữu ích'], #hd-chat button[title='Hữu ích']").last.click()
    page.get_by_text("Chỉ đánh giá được câu trả lời").wait_for()


def test_the_widget_keeps_a_long_question_whole_and_shows_the_answer_from_its_start(session, live):
    page, _ = session
    page.goto(live.url + "/embed")
    box = page.locator("hoidap-widget textarea")
    long_question = "Phường Phước Tân " * 40 + "có bao nhiêu đảng viên?"
    box.fill(long_question)  # a maxLength of 500 cut it here, and the cut question was answered
    assert box.input_value() == long_question
    page.locator("hoidap-widget .send").click()
    page.locator("hoidap-widget .box.error").last.wait_for()
    assert "quá dài" in page.locator("hoidap-widget .box.error").last.inner_text()
    assert box.input_value() == long_question  # still there to be shortened
    # An answer with its sources, on a phone: the log shows the question and the answer's start, not the end
    # of the last source.
    page.set_viewport_size({"width": 390, "height": 600})
    box.fill(PHUOC_TAN_Q)
    page.locator("hoidap-widget .send").click()
    page.locator("hoidap-widget .src mark").first.wait_for()
    page.wait_for_timeout(300)
    log = page.locator("hoidap-widget .log").bounding_box()
    asked = page.locator("hoidap-widget .msg.user").last.bounding_box()
    assert log["y"] - 1 <= asked["y"] <= log["y"] + log["height"] / 2, (log, asked)


def test_asking_with_nothing_typed_says_what_to_do(session, live):
    # «Hỏi» with an empty box did nothing, on the page and in the widget, with no hint (a browser pass).
    page, _ = session
    page.goto(live.url + "/")
    page.wait_for_selector("#hd-examples button.hd-example")
    page.locator("#hd-send").click()
    page.get_by_text("Hãy nhập câu hỏi vào ô").wait_for()
    page.goto(live.url + "/embed")
    page.locator("hoidap-widget .send").click()
    box = page.locator("hoidap-widget textarea")
    assert box.get_attribute("aria-invalid") == "true" and "Hãy nhập câu hỏi" in box.get_attribute("placeholder")
