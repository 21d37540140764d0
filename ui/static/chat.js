// [n] links in answers jump to their source in the "Nguồn" panel. Handled here rather than by the
// browser because the target may sit inside a closed <details> (an older turn) and the chatbot's
// Markdown renderer may open links in a new tab. Each source has "↑ Về câu trả lời", which returns
// to the [n] that was followed (on a phone the panel is far below the conversation).
(function () {
  "use strict";
  var followed = null;
  function openAndShow(id) {
    var target = document.getElementById(id);
    if (!target) return false;
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    target.scrollIntoView({ behavior: "smooth", block: "center" });
    target.classList.remove("hd-flash");
    void target.offsetWidth; // restart the highlight animation
    target.classList.add("hd-flash");
    return true;
  }
  function targetOf(link) {
    // The chatbot's sanitizer may drop data-* attributes; the href always survives.
    return link.getAttribute("data-target") || (link.getAttribute("href") || "").replace(/^#/, "");
  }
  function copyText(text, done) {
    // navigator.clipboard only exists on https or localhost; intranet servers are often plain http.
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { legacyCopy(text); done(); });
    } else { legacyCopy(text); done(); }
  }
  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text; area.style.position = "fixed"; area.style.left = "-9999px";
    document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing else to try */ }
    area.remove();
  }
  function answerText(link) {
    var box = link.closest(".message-content") || link.parentElement.parentElement;
    var main = box.querySelector(".hd-answer, .hd-refusal");
    var lines = [main ? main.innerText.trim() : ""];
    var seen = {};
    box.querySelectorAll("a.hd-ref").forEach(function (ref) {
      var id = targetOf(ref), src = id && document.getElementById(id);
      if (!src || seen[id]) return;
      seen[id] = true;
      var title = src.querySelector(".hd-source-head"), meta = src.querySelector(".hd-meta");
      lines.push((title ? title.innerText.trim() : "") + (meta ? " — " + meta.innerText.split("·")[0].trim() : ""));
    });
    if (lines.length > 1) lines.splice(1, 0, "Nguồn:");
    return lines.join("\n");
  }
  document.addEventListener("click", function (event) {
    var copy = event.target && event.target.closest ? event.target.closest("a.hd-copy") : null;
    if (copy) {
      event.preventDefault();
      event.stopPropagation();
      copyText(answerText(copy), function () {
        copy.textContent = "Đã sao chép";
        setTimeout(function () { copy.textContent = "Sao chép"; }, 2000);
      });
      return;
    }
    var back = event.target && event.target.closest ? event.target.closest("a.hd-back") : null;
    if (back) {
      event.preventDefault();
      event.stopPropagation();
      var anchor = document.getElementById(targetOf(back));
      var to = followed && document.body.contains(followed) && (!anchor || anchor.parentElement.contains(followed))
        ? followed : anchor;
      if (to) {
        to.scrollIntoView({ behavior: "smooth", block: "center" });
        if (to.focus) to.focus({ preventScroll: true });
      }
      return;
    }
    var link = event.target && event.target.closest ? event.target.closest("a.hd-ref") : null;
    if (!link) return;
    var id = targetOf(link);
    if (openAndShow(id)) {
      followed = link;
      event.preventDefault();
      event.stopPropagation();
      var source = document.getElementById(id), backLink = source && source.querySelector("a.hd-back");
      if (backLink) backLink.focus({ preventScroll: true });
    }
  }, true);
})();

// An example question (ui/chat_page.py) is asked as soon as it is clicked.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var example = event.target && event.target.closest ? event.target.closest("#hd-examples button.hd-example") : null;
    if (!example) return;
    // Focus to the question box: the answer is read out by the log (a live region) and a follow-up is typed there, as after Enter; not after a tap, whose on-screen keyboard would cover the answer.
    if (event.pointerType === "touch" || event.pointerType === "pen") return;
    var box = document.querySelector("#hd-question textarea");
    if (box) box.focus();
  });
})();

// Gradio's own strings come in Vietnamese through gr.I18n (ui/page_i18n.py). What it renders without
// an i18n key is translated here as it appears: window.HD_PATCH (from PATCHED_IN_PAGE) holds those
// strings, and window.HD_PATCHED records which of them were met, for the test that lists them.
(function () {
  "use strict";
  document.documentElement.lang = "vi";
  var VI = window.HD_PATCH || {};
  var met = window.HD_PATCHED = window.HD_PATCHED || {};
  var ATTRS = ["title", "aria-label", "placeholder"];
  var CONTENT = ".hd-answer, .hd-sources, .hd-question, .hd-refusal, textarea, input";
  var ROLE = { user: "Câu hỏi", bot: "Câu trả lời", assistant: "Câu trả lời" };
  var MESSAGE = /^(user|bot|assistant)'s message: /;
  var REMOVE = /^(?:Remove|Bỏ chọn) (\d+)$/;
  var PRESSED = { "Liked": "true", "Disliked": "true", "Hữu ích": "false", "Không hữu ích": "false" };
  function label(node, name, value) {
    var m = MESSAGE.exec(value);
    if (m) {  // "bot's message: <div class=…>": the role in Vietnamese and the message as text
      met["<role>'s message: <html>"] = true;
      var text = (node.innerText || node.textContent || "").replace(/\s+/g, " ").trim();
      node.setAttribute(name, ROLE[m[1]] + ": " + text.slice(0, 200));
      return;
    }
    // A thumb says whether it is selected: Gradio only changes its English name ("Liked"), so the
    // pressed state is set here for screen readers, from the name before and after translation.
    var thumb = name === "aria-label" && node.closest ? node.closest("#hd-chat button") : null;
    if (thumb && PRESSED[value] !== undefined) thumb.setAttribute("aria-pressed", PRESSED[value]);
    if (VI[value]) { met[value] = true; node.setAttribute(name, VI[value]); return; }
    var r = REMOVE.exec(value);
    var chip = r && name !== "placeholder" && node.closest ? node.closest(".token") : null;
    if (chip) {  // the filter chip's remove button is named by its index: "Remove 0" / "Bỏ chọn 0"
      met["Remove <index>"] = true;
      var shown = chip.querySelector("span");
      node.setAttribute(name, "Bỏ chọn bài «" + (shown ? shown.textContent.trim().slice(0, 80) : r[1]) + "»");
    }
  }
  // The chatbot's sanitizer drops aria-label from our [n] links: name them "Xem nguồn n" again.
  function nameRefs(node) {
    var refs = node.matches && node.matches("a.hd-ref") ? [node] : [];
    if (node.querySelectorAll) refs = refs.concat([].slice.call(node.querySelectorAll("a.hd-ref")));
    refs.forEach(function (a) {
      var n = (a.textContent || "").replace(/[^\d]/g, "");
      if (n && !a.getAttribute("aria-label")) a.setAttribute("aria-label", "Xem nguồn " + n);
    });
  }
  function fix(node) {
    if (node.nodeType === 3) {
      var parent = node.parentElement;
      if (parent && parent.closest(CONTENT)) return; // never touch answers, sources or what users typed
      var t = node.nodeValue, k = t.trim();
      if (k && VI[k]) { met[k] = true; node.nodeValue = t.replace(k, VI[k]); }
      return;
    }
    if (node.nodeType !== 1) return;
    nameRefs(node);
    for (var i = 0; i < ATTRS.length; i++) {
      var v = node.getAttribute(ATTRS[i]);
      if (v) label(node, ATTRS[i], v);
    }
    if (node.closest && node.closest(CONTENT)) return;
    for (var c = node.firstChild; c; c = c.nextSibling) fix(c);
  }
  function start() {
    fix(document.body);
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === "attributes") fix(r.target);
        else if (r.type === "characterData") fix(r.target);
        else r.addedNodes.forEach(fix);
      });
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS });
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
