"""The Gradio chat page (Vietnamese): streamed answers, [n] links to a sources panel,
filters, example questions, a mode banner and thumbs up/down.

Answers are produced by the same ``AnswerRunner`` as the JSON API, so the page
and the API share one concurrency bound and one rate-limit budget per client.
All HTML comes from ``ui.render``, which escapes every article-derived string.
"""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr

from index.config import Settings
from index.errors import HoidapError
from ui import render
from ui.examples import MAX_EXAMPLES, example_questions
from ui.feedback import FeedbackLog, citation_summary
from ui.filters import build_filters
from ui.page_i18n import PATCHED_IN_PAGE
from ui.runner import AnswerRunner, error_message
from ui.security import RateLimiter, client_key, length_message, rate_message
from ui.status import StatusProbe, banner_text

STATIC = Path(__file__).resolve().parent / "static"
HISTORY_TURNS = 5
SYSTEM_FONTS = ["system-ui", "Segoe UI", "Roboto", "Noto Sans", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "Consolas", "DejaVu Sans Mono", "monospace"]


def page_theme() -> gr.themes.Base:
    # Plain font names: a Google/Local font object would make the page fetch a stylesheet or
    # font files, and system fonts cover Vietnamese diacritics everywhere.
    return gr.themes.Default(primary_hue="blue", secondary_hue="slate", font=SYSTEM_FONTS, font_mono=MONO_FONTS)


def page_css() -> str:
    return (STATIC / "chat.css").read_text(encoding="utf-8")


# Outside Gradio's scoped custom CSS (which only reaches inside the app): narrower page margins on phones.
HEAD_STYLE = "<style>@media (max-width: 640px) { .gradio-container .main.app { padding: 6px 10px !important; } }</style>"


def page_head() -> str:
    # The strings Gradio renders without an i18n key, for chat.js to translate in place.
    patch = json.dumps(PATCHED_IN_PAGE, ensure_ascii=False).replace("<", "\\u003c")
    return (HEAD_STYLE + f"<script>window.HD_PATCH = {patch};\n" + (STATIC / "chat.js").read_text(encoding="utf-8")
            + "</script>")


def _banner_html(probe: StatusProbe, settings: Settings) -> str:
    status = probe.model_status()
    headline, hint = banner_text(status, settings)
    kind = "hd-banner-llm" if status.mode == "llm" else "hd-banner-extractive"
    hint_html = f'<div class="hd-banner-hint">{render.esc(hint)}</div>' if hint else ""
    index = probe.index_status()
    if index["index_loaded"]:
        count = f'<div class="hd-banner-hint">{index["articles"]} bài viết đã được lập chỉ mục.</div>'
    else:
        count = f'<div class="hd-banner-hint hd-banner-bad">{render.esc(index.get("detail", ""))}</div>'
    return (f'<div class="hd-banner {kind}" role="status"><strong>{render.esc(headline)}</strong>'
            f'{hint_html}{count}</div>')


def build_chat_page(settings: Settings, runner: AnswerRunner, probe: StatusProbe, feedback: FeedbackLog,
                    limiter: RateLimiter) -> gr.Blocks:
    answerer = runner.answerer

    def on_load():
        banner = _banner_html(probe, settings)
        try:
            reader = answerer.reader
            choices = [(f"{e.title} ({render.vn_date(e.date)})", d)
                       for d, e in sorted(reader.manifest.articles.items(), key=lambda kv: kv[1].date or "", reverse=True)]
        except HoidapError:
            choices = []
        questions = example_questions(answerer)[:MAX_EXAMPLES]
        buttons = [gr.Button(value=q, visible=True) for q in questions]
        buttons += [gr.Button(visible=False)] * (MAX_EXAMPLES - len(questions))
        return banner, gr.Dropdown(choices=choices, value=[]), *buttons

    async def respond(message, chat, turns, doc_ids, date_from, date_to, request: gr.Request):
        message = (message or "").strip()
        chat, turns = list(chat or []), list(turns or [])
        if not message:  # a click on «Hỏi» with nothing typed says so, instead of doing nothing
            gr.Info("Hãy nhập câu hỏi vào ô rồi bấm «Hỏi».")
            yield gr.update(), chat, turns, gr.update()
            return
        too_long = length_message(message, settings)
        if too_long:
            # The question stays in the box to be shortened, and no turn (or source list) is made of it.
            chat.append({"role": "user", "content": render.question_html(message[:200] + "…")})
            chat.append({"role": "assistant", "content": render.error_html(
                too_long + " Hãy rút gọn câu hỏi trong ô nhập rồi hỏi lại.")})
            yield gr.update(), chat, turns, gr.update()
            return
        number = len(turns) + 1
        chat.append({"role": "user", "content": render.question_html(message)})
        chat.append({"role": "assistant", "content": render.pending_html()})
        turn = {"turn": number, "question": message, "answer": "", "result": None, "msg_index": len(chat) - 1}
        yield "", chat, turns, gr.update()
        try:
            client = request.client.host if request and request.client else None
            retry = limiter.hit(client_key(request.headers if request else {}, client, settings))
            if retry is not None:
                raise HoidapError(rate_message(retry))
            known = answerer.reader.doc_ids if doc_ids else None
            filters = build_filters(doc_ids, date_from, date_to, known)
            history = [(t["question"], t["said"]) for t in turns if t.get("result")][-HISTORY_TURNS:]
            text = ""
            async for event in runner.events(message, history=history or None, filters=filters):
                if event.kind == "token":
                    text += event.text
                    chat[-1] = {"role": "assistant", "content": render.pending_html(text)}
                    yield gr.update(), chat, turns, gr.update()
                elif event.kind == "reset":
                    text = ""
                    chat[-1] = {"role": "assistant", "content": render.pending_html()}
                    yield gr.update(), chat, turns, gr.update()
                elif event.kind == "result" and event.result is not None:
                    turn["answer"] = event.result.answer
                    turn["said"] = event.result.as_said()  # the conversation as read: a follow-up points at it
                    turn["result"] = event.result.model_dump(mode="json")
                    chat[-1] = {"role": "assistant", "content": render.answer_html(event.result, number, filters)}
        except Exception as exc:  # noqa: BLE001 - shown in the conversation, never as a traceback
            chat[-1] = {"role": "assistant", "content": render.error_html(error_message(exc))}
        turns.append(turn)
        yield gr.update(), chat, turns, render.sources_panel_html(turns)

    def on_vote(turns, data: gr.LikeData, request: gr.Request):
        # Gradio sends True / False, and "" when the selected thumb is clicked again (the vote taken back).
        vote = "up" if data.liked is True else "down" if data.liked is False else "retract" if data.liked == "" else None
        match = next((t for t in (turns or []) if t.get("msg_index") == data.index and t.get("result")), None)
        if vote is None:
            return
        if match is None:  # Gradio puts thumbs under every reply, a message that is no answer included
            gr.Info("Chỉ đánh giá được câu trả lời; thông báo này không được ghi nhận.")
            return
        citations = citation_summary(match["result"].get("citations"))
        session = getattr(request, "session_hash", None) if request else None
        try:
            feedback.append(match["question"], match["answer"], citations, vote, source="page",
                            turn=f"{session or 'page'}#{match['turn']}")
        except HoidapError as exc:
            raise gr.Error(str(exc)) from exc
        gr.Info("Đã bỏ phản hồi." if vote == "retract" else "Đã ghi nhận phản hồi, xin cảm ơn.")

    def clear():
        return [], [], render.sources_panel_html([]), ""

    with gr.Blocks(title="Hỏi đáp — tra cứu bài viết", analytics_enabled=False, fill_width=True) as demo:
        with gr.Row(elem_classes="hd-header"):
            gr.HTML('<div class="hd-brand"><h1>Hỏi đáp</h1><p>Hỏi bằng tiếng Việt về các bài viết trong kho; '
                    'mỗi câu trả lời kèm đoạn trích nguồn.</p></div>')
        banner = gr.HTML(elem_id="hd-banner")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=360):
                # No floating label: Gradio pins it over the log, where it covered the first line once the
                # conversation scrolled. The log keeps its accessible name ("Hội thoại", page_i18n).
                chatbot = gr.Chatbot(
                    label="Hội thoại", show_label=False, elem_id="hd-chat", height=500, buttons=[], latex_delimiters=[],
                    feedback_options=("Like", "Dislike"), layout="bubble", allow_file_downloads=False,
                    placeholder="<div class='hd-placeholder'>Đặt câu hỏi về nội dung các bài viết, "
                                "ví dụ một con số, một ngày hay một người được nhắc tới.</div>")
                with gr.Row(elem_classes="hd-ask-row"):
                    question = gr.Textbox(label="Câu hỏi", show_label=False, placeholder="Nhập câu hỏi rồi nhấn Enter…",
                                          scale=6, lines=1,  # no max_length: a cut question would be answered silently
                                          elem_id="hd-question", autofocus=True)
                    send = gr.Button("Hỏi", variant="primary", scale=1, min_width=80, elem_id="hd-send")
                # Buttons rather than gr.Dataset: Gradio cuts a dataset sample at 60 characters mid-word.
                with gr.Column(elem_id="hd-examples"):
                    gr.HTML('<p class="hd-examples-title">Câu hỏi gợi ý (bấm để hỏi)</p>')
                    with gr.Row(elem_classes="hd-example-row"):
                        examples = [gr.Button("", visible=False, size="sm", variant="secondary", scale=0,
                                              elem_classes="hd-example") for _ in range(MAX_EXAMPLES)]
                with gr.Accordion("Lọc theo bài viết và ngày", open=False, elem_id="hd-filters"):
                    doc_filter = gr.Dropdown(label="Chỉ tìm trong các bài", multiselect=True, choices=[],
                                             elem_id="hd-doc-filter")
                    with gr.Row():
                        date_from = gr.Textbox(label="Từ ngày", placeholder="dd/mm/yyyy hoặc yyyy-mm-dd",
                                               elem_id="hd-date-from")
                        date_to = gr.Textbox(label="Đến ngày", placeholder="dd/mm/yyyy hoặc yyyy-mm-dd",
                                             elem_id="hd-date-to")
                new_chat = gr.Button("Cuộc trò chuyện mới", variant="secondary", size="sm", elem_id="hd-clear")
            with gr.Column(scale=2, min_width=300):
                gr.HTML('<h2 class="hd-sources-title">Nguồn</h2>')
                sources = gr.HTML(render.sources_panel_html([]), elem_id="hd-sources-panel")
        turns = gr.State([])

        ask_inputs = [question, chatbot, turns, doc_filter, date_from, date_to]
        ask_outputs = [question, chatbot, turns, sources]
        question.submit(respond, ask_inputs, ask_outputs, api_visibility="private")
        send.click(respond, ask_inputs, ask_outputs, api_visibility="private")
        for example in examples:
            example.click(lambda text: text, [example], [question], api_visibility="private").then(
                respond, ask_inputs, ask_outputs, api_visibility="private")
        chatbot.like(on_vote, [turns], None, api_visibility="private")
        new_chat.click(clear, None, [chatbot, turns, sources, question], api_visibility="private")
        # The chatbot's own trash button empties the messages; forget the turns and sources with them.
        chatbot.clear(lambda: ([], render.sources_panel_html([])), None, [turns, sources], api_visibility="private")
        demo.load(on_load, None, [banner, doc_filter, *examples], api_visibility="private")
    demo.queue(default_concurrency_limit=max(settings.max_concurrency, 8), max_size=256)
    return demo
