"""Gradio's own interface strings, in Vietnamese, through Gradio's i18n (``gr.I18n``).

Gradio 6 looks strings up by key (``chatbot.like``, ``common.clear``…) in svelte-i18n
dictionaries. It picks its locale from the languages it ships, which do not include
Vietnamese, so a Vietnamese browser falls back to ``en``: our strings are registered as
the ``en`` messages (they override Gradio's built-in English ones, flat keys being looked
up first) and also as ``vi`` for when Gradio ships the locale.

What Gradio renders without a key (the chat messages' "bot's message: <html>" accessible
names, the filter chips' remove buttons named by their index, "Remove 0"), cannot be reached this way;
``static/chat.js`` patches those in the page, and ``PATCHED_IN_PAGE`` lists them so a test
can check that nothing else English is left.
"""

from __future__ import annotations

VI: dict[str, str] = {
    "chatbot.edit": "Sửa",
    "chatbot.retry": "Thử lại",
    "chatbot.undo": "Hoàn tác",
    "chatbot.submit": "Gửi",
    "chatbot.cancel": "Huỷ",
    "chatbot.like": "Hữu ích",
    "chatbot.dislike": "Không hữu ích",
    "chatbot.clear": "Xoá hội thoại",
    "chatbot.complete": "Xong",
    "chatbot.copy_message": "Sao chép",
    "chatbot.copied_message": "Đã sao chép",
    "chat_interface.new_chat": "Cuộc trò chuyện mới",
    "chat_interface.message_placeholder": "Nhập câu hỏi…",
    "chat_interface.chatbot": "Hội thoại",
    "chat_interface.conversation": "Hội thoại",
    "common.clear": "Xoá",
    "common.download": "Tải xuống",
    "common.edit": "Sửa",
    "common.empty": "Trống",
    "common.error": "Lỗi",
    "common.loading": "Đang tải",
    "common.or": "hoặc",
    "common.remove": "Bỏ chọn",
    "common.settings": "Cài đặt",
    "common.submit": "Gửi",
    "common.undo": "Hoàn tác",
    "common.language": "Ngôn ngữ",
    "common.progress": "Tiến độ",
    "common.run": "Chạy",
    "dropdown.dropdown": "Danh sách chọn",
    "status.queue_position": "Đang chờ: {position}/{size}",
    "blocks.lost_connection": "Mất kết nối vì đã rời trang. Đang vào lại hàng đợi…",
    "blocks.connection_can_break": "Trên điện thoại, kết nối có thể ngắt khi thẻ này bị ẩn hoặc máy ngủ.",
    "blocks.waiting_for_inputs": "Đang chờ tải tệp xong, vui lòng thử lại.",
    "errors.use_via_api": "Dùng qua API",
}

# English that Gradio writes without an i18n key, translated in the page by static/chat.js (text,
# title, aria-label or placeholder). Besides these, chat.js rebuilds two structural names: the
# messages' "<role>'s message: <html>" and the filter chips' "Remove <index>".
PATCHED_IN_PAGE: dict[str, str] = {
    "chatbot conversation": "Hội thoại",  # the chat log's aria-label
    "Close": "Đóng",  # the toast's close button
    "Liked": "Đã chọn: hữu ích (bấm lại để bỏ)",  # a thumb's name once selected
    "Disliked": "Đã chọn: không hữu ích (bấm lại để bỏ)",
    "Info": "Thông báo",  # toast titles (gr.Info after a vote)
    "Warning": "Cảnh báo",
    "Error": "Lỗi",
    "Scroll down": "Cuộn xuống cuối hội thoại",  # the log's button once the user scrolls up
}


def gradio_i18n():
    import gradio as gr

    return gr.I18n(en=dict(VI), vi=dict(VI))
