/* Hỏi đáp widget: <script src="http://máy-chủ:7860/widget.js"></script> adds a chat button and panel.
 *
 * Isolation: everything lives in a shadow root with its own styles, so the host page's CSS cannot
 * reach in and ours cannot leak out; the only global is window.HoidapWidget. Article text, titles
 * and answers are set with textContent only, never parsed as HTML.
 * Options (attributes on the script tag): data-token="…" (Bearer token), data-inline (fill the
 * parent instead of floating; used by /embed), data-title="…".
 * On a page of another origin the server must list that origin in HOIDAP_CORS_ORIGINS; when the
 * browser blocks the call the widget says so, naming the setting, instead of "server down".
 */
(function () {
  "use strict";
  if (window.HoidapWidget) return;
  var script = document.currentScript;
  var src = (script && script.src) || "";
  var BASE = src.replace(/\/widget\.js(?:[?#].*)?$/, "");
  var inline = !!(script && script.hasAttribute("data-inline"));
  var params = new URLSearchParams(window.location.search);
  var TOKEN = (script && script.getAttribute("data-token")) || (inline ? params.get("token") : null);
  var TITLE = (script && script.getAttribute("data-title")) || "Hỏi đáp";
  var MAX_HISTORY = 5;
  var SHORT = "Trả lời ngắn:"; // rag/result.py SHORT_ANSWER_LINE
  var SAME_ORIGIN = (function () {
    try { return new URL(BASE || ".", window.location.href).origin === window.location.origin; } catch (e) { return true; }
  })();
  var MSG_DOWN = "Không kết nối được máy chủ hỏi đáp" + (BASE ? " ở " + BASE : "") + ": máy chủ chưa chạy hoặc mạng bị chặn.";
  var MSG_CORS = "Máy chủ hỏi đáp đang chạy nhưng không cho trang này gọi tới (chặn CORS): quản trị viên cần thêm «"
    + window.location.origin + "» vào HOIDAP_CORS_ORIGINS trên máy chủ rồi khởi động lại.";
  var REFUSAL = {
    no_match: ["Không tìm thấy đoạn nào liên quan đến câu hỏi trong các bài viết.",
               "Hãy thử hỏi lại bằng từ khác, nêu rõ tên riêng, địa danh hoặc con số cần tìm."],
    no_answer: ["Có đoạn liên quan nhưng không đoạn nào trả lời được câu hỏi này.",
                "Hãy hỏi cụ thể hơn hoặc diễn đạt khác; các đoạn liên quan ở bên dưới."],
    none: ["Chưa tìm được câu trả lời đủ căn cứ trong các bài viết.",
           "Hãy thử hỏi lại bằng từ khác hoặc cụ thể hơn; các đoạn gần nhất ở bên dưới."]
  };

  // A fetch that fails without any response: the server is down, or (from another origin) the
  // browser refused the response by CORS. A no-cors request tells the two apart: it succeeds
  // (opaquely) whenever the server answers at all.
  function unreachable() {
    if (SAME_ORIGIN) return Promise.resolve(MSG_DOWN);
    return fetch(BASE + "/healthz", { mode: "no-cors", cache: "no-store" })
      .then(function () { return MSG_CORS; }, function () { return MSG_DOWN; });
  }

  // Markdown marks in article text (**bold**, # headings, - bullets, [links](url), `code`) are
  // shown without them; the same rules as ui/plaintext.py.
  function plain(text) {
    return String(text || "")
      .replace(/^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?)/gm, "")
      .replace(/^([ \t]*)[-*+][ \t]+(?=\S)/gm, "$1• ")
      .replace(/!?\[([^\]\n]{1,300})\]\([^()\s]{1,500}\)/g, "$1")
      .replace(/\*\*\*|\*\*|__(?=\S)|(\S)__/g, "$1")
      .replace(/`+/g, "")
      .replace(/(^|[^\w*])\*(?=[^\s*])([^*\n]{1,200}?[^\s*])\*(?![\w*])/g, "$1$2");
  }

  var CSS = [
    ":host { all: initial !important; }",
    "* { box-sizing: border-box; }",
    ".root { font: 14px/1.5 system-ui, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif; color: #1f2937;",
    "  text-align: left; letter-spacing: normal; text-transform: none; }",
    ".fab { position: fixed; right: 20px; bottom: 20px; border: 0; border-radius: 999px; padding: 12px 18px;",
    "  background: #1d4ed8; color: #fff; font: 600 15px/1 system-ui, 'Segoe UI', Roboto, Arial, sans-serif;",
    "  box-shadow: 0 6px 18px rgba(0,0,0,.25); cursor: pointer; }",
    ".fab .q { display: inline-block; width: 20px; height: 20px; margin-right: 8px; border-radius: 50%;",
    "  background: #fff; color: #1d4ed8; font-weight: 800; line-height: 20px; text-align: center; }",
    ".fab:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }",
    ".panel { display: flex; flex-direction: column; background: #fff; overflow: hidden; }",
    ".floating .panel { position: fixed; right: 20px; bottom: 84px; width: min(400px, calc(100vw - 40px));",
    "  height: min(600px, calc(100vh - 110px)); border-radius: 12px; box-shadow: 0 12px 36px rgba(0,0,0,.3);",
    "  border: 1px solid #cbd5e1; }",
    ".floating .panel[hidden] { display: none; }",
    ".inline .panel { width: 100%; height: 100%; min-height: 320px; border: 1px solid #cbd5e1; border-radius: 8px; }",
    // Touch targets of 44 × 44 px (WCAG 2.2 2.5.8 asks 24): the header's buttons fill its height, the outline of
    // «Hỏi mới» stays small inside its target, and the vote buttons grow (they were 20 px high).
    ".head { display: flex; align-items: center; gap: 2px; padding: 0 4px 0 12px; background: #1d4ed8; color: #fff; }",
    ".head .t { font-weight: 700; font-size: 15px; flex: 1; }",
    ".head button { background: transparent; color: #fff; border: 0; font-size: 20px; cursor: pointer; line-height: 1;",
    "  min-width: 44px; min-height: 44px; padding: 0 4px; }",
    ".head button:focus-visible { outline-offset: -3px; }",
    ".head button.fresh { font-size: 13px; }",
    ".head .pill { display: inline-block; border: 1px solid rgba(255,255,255,.7); border-radius: 6px; padding: 3px 8px; }",
    ".mode { font-size: 12px; padding: 4px 12px; background: #eff6ff; color: #1e3a8a; border-bottom: 1px solid #dbeafe; }",
    ".log { flex: 1; overflow-y: auto; padding: 10px 12px; background: #f8fafc; }",
    ".msg { margin: 8px 0; max-width: 100%; }",
    ".user { margin-left: 15%; background: #dbeafe; border-radius: 10px 10px 2px 10px; padding: 7px 10px;",
    "  white-space: pre-wrap; overflow-wrap: anywhere; }",
    ".bot { background: #fff; border: 1px solid #e2e8f0; border-radius: 10px 10px 10px 2px; padding: 8px 10px; }",
    ".answer { white-space: pre-wrap; overflow-wrap: anywhere; }",
    ".ref { border: 0; background: none; color: #1d4ed8; font: inherit; font-weight: 700; padding: 0 1px; cursor: pointer; }",
    ".ref:hover { text-decoration: underline; }",
    ".short { margin-top: 4px; font-size: 13px; }",
    ".box { display: flex; gap: 8px; border-radius: 8px; padding: 7px 9px; margin-top: 6px; font-size: 13px; }",
    ".refusal { background: #f1f5f9; border: 1px dashed #64748b; }",
    ".refusal .ic { color: #475569; font-weight: 700; }",
    ".unsupported { background: #fffbeb; border: 1px solid #d97706; }",
    ".warning { background: #eff6ff; border: 1px solid #bfdbfe; }",
    ".error { background: #fef2f2; border: 1px solid #dc2626; color: #7f1d1d; }",
    ".ic { flex: none; font-size: 16px; line-height: 1.2; }",
    ".sources { margin-top: 8px; border-top: 1px solid #e2e8f0; padding-top: 6px; }",
    ".sources > .h { font-weight: 700; font-size: 13px; margin-bottom: 2px; }",
    ".src { margin: 6px 0; padding: 6px 8px; border-left: 3px solid #94a3b8; background: #f8fafc; border-radius: 0 6px 6px 0; }",
    ".src.flash { box-shadow: 0 0 0 2px #2563eb; }",
    ".src .st { font-weight: 600; font-size: 13px; }",
    ".src .sm { font-size: 12px; color: #64748b; }",
    ".src .sq { font-size: 13px; margin-top: 3px; white-space: pre-wrap; overflow-wrap: anywhere; }",
    "mark { background: #fde68a; color: #111827; padding: 0 1px; border-radius: 2px; }",
    ".votes { margin-top: 6px; display: flex; gap: 6px; align-items: center; font-size: 12px; color: #64748b; }",
    ".votes button { border: 1px solid #cbd5e1; background: #fff; border-radius: 8px; cursor: pointer; padding: 2px 12px; font-size: 13px;",
    "  color: #1f2937; min-width: 44px; min-height: 44px; }",
    ".votes button[disabled] { opacity: .5; cursor: default; }",
    ".form { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #e2e8f0; background: #fff; }",
    "textarea { flex: 1; resize: none; height: 42px; font: inherit; color: #111827; background: #fff;",
    "  border: 1px solid #94a3b8; border-radius: 8px; padding: 8px; }",
    ".send { border: 0; border-radius: 8px; background: #1d4ed8; color: #fff; font: 600 14px/1 system-ui, Arial, sans-serif;",
    "  padding: 0 14px; cursor: pointer; }",
    ".send[disabled] { opacity: .6; cursor: wait; }",
    ".note { font-size: 11px; color: #64748b; padding: 0 10px 8px; background: #fff; }",
    ".muted { color: #64748b; }",
    ".mode.bad { background: #fef2f2; color: #7f1d1d; border-bottom-color: #fecaca; }",
    ".rewritten { font-size: 12px; color: #475569; margin-bottom: 4px; font-style: italic; }"
  ].join("\n");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = String(text);
    return node;
  }

  function vnDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] : (iso || "không rõ ngày");
  }

  function headers() {
    var h = { "Content-Type": "application/json", "Accept": "application/x-ndjson, application/json" };
    if (TOKEN) h.Authorization = "Bearer " + TOKEN;
    return h;
  }

  function detailOf(response) {
    return response.json().then(function (body) {
      return (body && typeof body.detail === "string") ? body.detail : "Lỗi máy chủ (" + response.status + ").";
    }, function () { return "Lỗi máy chủ (" + response.status + ")."; });
  }

  function fail(message) { var e = new Error(message); e.shown = true; return e; }

  // POST /api/ask/stream, one JSON object per line; falls back to /api/ask when the browser or a
  // proxy on the way cannot stream.
  function ask(question, history, on) {
    var body = JSON.stringify({ question: question, history: history });
    if (!window.ReadableStream || !window.TextDecoder) return askWhole(body, on);
    return fetch(BASE + "/api/ask/stream", { method: "POST", headers: headers(), body: body }).then(function (r) {
      if (!r.ok) return detailOf(r).then(function (d) { throw fail(d); });
      if (!r.body || !r.body.getReader) return r.text().then(function (t) { t.split("\n").forEach(function (l) { line(l, on); }); });
      var reader = r.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
          var lines = buffer.split("\n");
          buffer = lines.pop();
          lines.forEach(function (l) { line(l, on); });
          if (chunk.done) { line(buffer, on); return; }
          return pump();
        });
      }
      return pump();
    }, function () { return askWhole(body, on); });
  }

  function line(text, on) {
    if (!text || !text.trim()) return;
    var msg;
    try { msg = JSON.parse(text); } catch (e) { return; }
    if (msg.type === "token") on.token(msg.text || "");
    else if (msg.type === "reset") on.reset(msg.text || "");
    else if (msg.type === "result") on.result(msg.result);
    else if (msg.type === "error") throw fail(msg.detail || "Lỗi máy chủ.");
  }

  function askWhole(body, on) {
    return fetch(BASE + "/api/ask", { method: "POST", headers: headers(), body: body }).then(function (r) {
      if (!r.ok) return detailOf(r).then(function (d) { throw fail(d); });
      return r.json().then(function (result) { on.result(result); });
    }, function () { return unreachable().then(function (message) { throw fail(message); }); });
  }

  function sendVote(vote, question, result, votes) {
    var cited = (result.citations || []).filter(function (c) { return c.cited; }).map(function (c) {
      return { n: c.n, doc_id: c.doc_id, title: c.title, chunk_id: c.chunk_id, quote: c.quote ? c.quote.text : null };
    });
    var buttons = votes.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    fetch(BASE + "/api/feedback", { method: "POST", headers: headers(),
      body: JSON.stringify({ question: question, answer: result.answer, citations: cited, vote: vote }) })
      .then(function (r) { votes.appendChild(el("span", null, r.ok ? "Cảm ơn phản hồi của bạn!" : "Chưa ghi được phản hồi.")); },
            function () { votes.appendChild(el("span", null, "Chưa ghi được phản hồi.")); });
  }

  function build() {
    var host = document.createElement("hoidap-widget");
    host.setAttribute("style", inline
      ? "all: initial !important; display: block !important; width: 100% !important; height: 100% !important;"
      : "all: initial !important; display: block !important; position: fixed !important; z-index: 2147483000 !important;"
        + " right: 0 !important; bottom: 0 !important; width: 0 !important; height: 0 !important;");
    var shadow = host.attachShadow({ mode: "open" });
    var style = el("style"); style.textContent = CSS; shadow.appendChild(style);
    var root = el("div", "root " + (inline ? "inline" : "floating"));
    if (inline) root.style.height = "100%";
    shadow.appendChild(root);

    // Plain text and CSS only: emoji fonts are missing on many intranet desktops.
    var fab = el("button", "fab"); fab.appendChild(el("span", "q", "?")); fab.appendChild(document.createTextNode(TITLE));
    // The accessible name contains the visible label (WCAG 2.5.3).
    fab.type = "button"; fab.setAttribute("aria-label", "Mở trợ lý " + TITLE); fab.setAttribute("aria-expanded", "false");
    var panel = el("section", "panel"); panel.setAttribute("aria-label", "Trợ lý hỏi đáp");
    var head = el("div", "head"); head.appendChild(el("span", "t", TITLE));
    var fresh = el("button", "fresh"); fresh.appendChild(el("span", "pill", "Hỏi mới")); fresh.type = "button";
    fresh.setAttribute("aria-label", "Bắt đầu cuộc hỏi đáp mới (quên các câu hỏi trước)");
    head.appendChild(fresh);
    var close = el("button", null, "×"); close.type = "button"; close.setAttribute("aria-label", "Đóng");
    if (!inline) head.appendChild(close);
    var mode = el("div", "mode", "Đang kiểm tra máy chủ…");
    var log = el("div", "log"); log.setAttribute("aria-live", "polite");
    log.appendChild(el("div", "muted", "Hãy đặt câu hỏi về nội dung các bài viết. Mỗi câu trả lời kèm nguồn trích dẫn."));
    var form = el("form", "form");
    var input = el("textarea"); input.placeholder = "Nhập câu hỏi…"; input.setAttribute("aria-label", "Câu hỏi");
    var send = el("button", "send", "Hỏi"); send.type = "submit";
    form.appendChild(input); form.appendChild(send);
    var note = el("div", "note", "Câu trả lời được trích từ bài viết; hãy đối chiếu nguồn trước khi sử dụng.");
    [head, mode, log, form, note].forEach(function (n) { panel.appendChild(n); });
    if (!inline) { panel.hidden = true; root.appendChild(fab); }
    root.appendChild(panel);

    // No maxLength on the box: a pasted question cut at the limit lost its end, and the cut question was
    // answered silently. A question over the limit is refused here and stays in the box to be shortened.
    var history = [], busy = false, checked = false, seq = 0, maxChars = 500;

    function checkServer() {
      if (checked) return; checked = true;
      fetch(BASE + "/healthz").then(function (r) { return r.json(); }).then(function (h) {
        if (h.limits && h.limits.max_question_chars) maxChars = h.limits.max_question_chars;
        mode.textContent = !h.index_loaded ? "Chưa có chỉ mục bài viết trên máy chủ."
          : h.mode === "llm" ? "Trả lời bằng mô hình ngôn ngữ " + h.ollama.model + " · " + h.articles + " bài viết"
          : "Chế độ trích xuất (không có mô hình) · " + h.articles + " bài viết";
      }, function () { unreachable().then(function (message) { mode.textContent = message; mode.className = "mode bad"; }); });
    }

    function setOpen(open) {
      if (inline) return;
      panel.hidden = !open; fab.setAttribute("aria-expanded", String(open));
      if (open) { checkServer(); input.focus(); }
    }
    fab.addEventListener("click", function () { setOpen(panel.hidden); });
    close.addEventListener("click", function () { setOpen(false); fab.focus(); });
    // A new conversation: the earlier questions no longer lend a follow-up its subject.
    fresh.addEventListener("click", function () {
      if (busy) return;
      history = []; log.textContent = "";
      log.appendChild(el("div", "muted", "Cuộc hỏi đáp mới: các câu hỏi trước không còn được dùng để hiểu câu tiếp theo."));
      input.focus();
    });
    // Escape closes the floating panel from anywhere inside it and gives focus back to its button.
    root.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !inline && !panel.hidden) { e.preventDefault(); setOpen(false); fab.focus(); }
    });

    function box(kind, icon, strong, text) {
      var b = el("div", "box " + kind); b.appendChild(el("span", "ic", icon));
      var d = el("div"); if (strong) d.appendChild(el("strong", null, strong + " "));
      d.appendChild(document.createTextNode(text)); b.appendChild(d); return b;
    }

    function renderSources(list, result, turn) {
      var shown = result.abstained ? result.citations : result.citations.filter(function (c) { return c.cited; });
      if (!shown.length) return;
      var s = el("div", "sources");
      s.appendChild(el("div", "h", result.abstained ? "Các đoạn gần nhất (không đủ để trả lời)" : "Nguồn"));
      shown.forEach(function (c) {
        var item = el("div", "src"); item.id = "src-" + turn + "-" + c.n;
        item.appendChild(el("div", "st", "[" + c.n + "] " + (plain(c.title) || "(không có tiêu đề)")));
        item.appendChild(el("div", "sm", vnDate(c.date) + " · mã bài " + c.doc_id));
        var q = el("div", "sq");
        var passage = plain(c.text);
        if (c.quote && c.quote.text) {
          q.appendChild(el("mark", null, plain(c.quote.text)));
          (c.more_quotes || []).forEach(function (m) { q.appendChild(el("span", null, " … ")); q.appendChild(el("mark", null, plain(m.text))); });
        } else q.textContent = passage.length > 320 ? passage.slice(0, 320) + "…" : passage;
        item.appendChild(q); s.appendChild(item);
      });
      list.appendChild(s);
    }

    function renderAnswer(bot, question, result, turn) {
      bot.textContent = "";
      var known = {};
      (result.citations || []).forEach(function (c) { known[c.n] = true; });
      if (result.rewritten_question) bot.appendChild(el("div", "rewritten", "Câu hỏi được hiểu là: «" + result.rewritten_question + "»"));
      if (result.abstained) {
        var why = REFUSAL[result.refusal_reason] || REFUSAL.none;
        bot.appendChild(box("refusal", "∅", why[0], why[1]));
      } else {
        var answer = plain(result.answer);
        var p = el("div", "answer"), re = /\[(\d{1,3})\]/g, last = 0, m;
        while ((m = re.exec(answer))) {
          if (!known[m[1]]) continue;
          p.appendChild(document.createTextNode(answer.slice(last, m.index)));
          var ref = el("button", "ref", "[" + m[1] + "]"); ref.type = "button";
          ref.setAttribute("aria-label", "Xem nguồn " + m[1]);
          ref.addEventListener("click", (function (id) { return function () {
            var target = shadow.getElementById(id);
            if (target) { target.scrollIntoView({ behavior: "smooth", block: "nearest" }); target.classList.add("flash");
              setTimeout(function () { target.classList.remove("flash"); }, 1500); }
          }; })("src-" + turn + "-" + m[1]));
          p.appendChild(ref); last = m.index + m[0].length;
        }
        p.appendChild(document.createTextNode(answer.slice(last)));
        bot.appendChild(p);
        if (result.short_answer) bot.appendChild(el("div", "short", SHORT + " " + plain(result.short_answer)));
      }
      (result.unsupported || []).forEach(function (u) {
        bot.appendChild(box("unsupported", "⚠", "Chưa được nguồn xác nhận:",
          "«" + plain(u.sentence) + "»" + (u.missing && u.missing.length ? " (không thấy trong nguồn: " + u.missing.join(", ") + ")" : "")));
      });
      (result.warnings || []).forEach(function (w) { bot.appendChild(box("warning", "ℹ", null, w)); });
      renderSources(bot, result, turn);
      if (!result.abstained) {
        var votes = el("div", "votes"); votes.appendChild(el("span", null, "Câu trả lời có hữu ích?"));
        [["up", "Có"], ["down", "Không"]].forEach(function (v) {
          var b = el("button", null, v[1]); b.type = "button";
          b.setAttribute("aria-label", v[0] === "up" ? "Câu trả lời hữu ích" : "Câu trả lời chưa tốt");
          b.addEventListener("click", function () { sendVote(v[0], question, result, votes); });
          votes.appendChild(b);
        });
        bot.appendChild(votes);
      }
    }

    function submit(question) {
      question = (question || "").trim();
      if (!question || busy) return Promise.resolve();
      busy = true; send.disabled = true; seq += 1;
      var turn = seq;
      var user = el("div", "msg user", question); log.appendChild(user);
      var bot = el("div", "msg bot"); var live = el("div", "answer muted", "Đang tìm trong các bài viết…");
      bot.appendChild(live); log.appendChild(bot); log.scrollTop = log.scrollHeight;
      var text = "";
      return ask(question, history.slice(-MAX_HISTORY), {
        token: function (t) { text += t; live.className = "answer"; live.textContent = text; log.scrollTop = log.scrollHeight; },
        reset: function () { text = ""; live.className = "answer muted"; live.textContent = "Đang trả lời lại…"; },
        result: function (result) {
          renderAnswer(bot, question, result, turn);
          // The conversation as read (AnswerResult.as_said): "ông ấy" after "Ai là …?" points at the name answered.
          history.push([question, result.short_answer ? SHORT + " " + result.short_answer + "\n" + result.answer : result.answer]);
        }
      }).catch(function (err) {
        bot.textContent = "";
        bot.appendChild(box("error", "⚠", "Không trả lời được.", err && err.shown ? err.message : "Lỗi không mong đợi."));
      }).then(function () {
        busy = false; send.disabled = false;
        // The answer's start in view, not the end of its last source (the log alone scrolls, never the host page).
        log.scrollTop += user.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
      });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = input.value.trim();
      if (!q) {  // nothing typed: say so, instead of doing nothing
        input.placeholder = "Hãy nhập câu hỏi rồi bấm «Hỏi».";
        input.setAttribute("aria-invalid", "true"); input.focus();
        return;
      }
      input.removeAttribute("aria-invalid");
      if (q.length > maxChars) {
        var warn = box("error", "⚠", "Câu hỏi quá dài (" + q.length + " ký tự): tối đa " + maxChars + " ký tự.",
          "Hãy rút gọn câu hỏi trong ô nhập rồi hỏi lại.");
        log.appendChild(warn); log.scrollTop = log.scrollHeight; input.focus();
        return;
      }
      input.value = ""; submit(q);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); }
    });

    var target = inline && script && script.getAttribute("data-target") ? document.querySelector(script.getAttribute("data-target")) : null;
    (target || document.body).appendChild(host);
    if (inline) checkServer();
    return { open: function () { setOpen(true); }, close: function () { setOpen(false); },
             ask: function (q) { setOpen(true); return submit(q); } };
  }

  var api = null;
  function start() { if (!api) api = build(); }
  window.HoidapWidget = Object.freeze({
    version: "1",
    open: function () { start(); api.open(); },
    close: function () { if (api) api.close(); },
    ask: function (q) { start(); return api.ask(q); }
  });
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
