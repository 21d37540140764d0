"""Questions as people ask them in a chat: a greeting, "cho tôi hỏi", a reason, "ạ" around the question.

``hoidap eval --chatty`` asks each gold question wrapped in one of these, chosen from a hash of the question's
id (reproducible), so the answers can be compared with the same questions asked bare. The frames are written
as civil servants and students write to a colleague or a help desk. rag/courtesy.py was written with this list
in view, so ``--chatty`` shows that the rule holds on every set, not how it does on frames it never saw: that
figure, on a list written by someone who had not seen the rule, is in docs/answerer.md ("Questions asked as in
a chat").
"""

from __future__ import annotations

from eval.typos import hashed

OPENINGS = [
    "Cho tôi hỏi {q}",
    "Xin hỏi, {q}",
    "Bạn ơi, {q}",
    "Chào bạn, cho mình hỏi {q}",
    "Mình muốn biết {q}",
    "Bạn có thể cho tôi biết {q}",
    "Tôi đang viết báo cáo, {q}",
    "Em chào anh chị ạ, em muốn hỏi {q}",
    "Cho em hỏi chút, {q}",
    "Nhờ bạn trả lời giúp: {q}",
    "{q}",
    "{q}",
]
CLOSINGS = ["", "", " ạ", " vậy bạn", " nhỉ", " nhé", ", cảm ơn bạn", " giúp mình với", " vậy ạ"]


def as_in_chat(question: str, key: str) -> str:
    """The question with an opening and a closing around it ("Cho tôi hỏi phường … bao nhiêu đảng viên ạ?")."""
    opening = OPENINGS[hashed(key, "opening") % len(OPENINGS)]
    closing = CLOSINGS[hashed(key, "closing") % len(CLOSINGS)]
    if opening == "{q}" and not closing:
        closing = " ạ"  # every question is asked in a chat's words
    text = question.strip()
    end = len(text.rstrip("?.!… "))
    body, mark = text[:end], text[end:].strip() or "?"
    words = body.split()
    if opening != "{q}" and len(words) > 1 and words[0][:1].isupper() and words[1][:1].islower():
        body = body[:1].lower() + body[1:]  # the sentence's capital, not a name's, moves to the opening
    return opening.format(q=body + closing + mark)
