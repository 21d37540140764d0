// [n] links in answers jump to their source in the "Nguồn" panel. Handled here rather than by the
// browser because the target may sit inside a closed <details> (an older turn) and the chatbot's
// Markdown renderer may open links in a new tab.
(function () {
  "use strict";
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
    var link = event.target && event.target.closest ? event.target.closest("a.hd-ref") : null;
    if (!link) return;
    var id = targetOf(link);
    if (openAndShow(id)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
})();

// Gradio ships no Vietnamese UI strings and its i18n cannot override the built-in English ones, so
// the few tooltips and labels it renders itself are translated in place as they appear.
(function () {
  "use strict";
  var VI = {
    "Copy message": "Sao chép", "Copied message": "Đã sao chép", "Like": "Hữu ích", "Dislike": "Không hữu ích",
    "Clear": "Xoá hội thoại", "Copy": "Sao chép", "Copied": "Đã sao chép", "Error": "Lỗi", "Loading": "Đang tải",
    "Loading...": "Đang tải…", "Retry": "Thử lại", "Undo": "Hoàn tác", "Edit": "Sửa", "Submit": "Gửi",
    "Close": "Đóng", "Info": "Thông báo", "Warning": "Cảnh báo", "Empty": "Trống",
    "chatbot conversation": "hội thoại", "Select...": "Chọn…", "Remove": "Bỏ chọn", "Remove All": "Bỏ chọn tất cả"
  };
  var ATTRS = ["title", "aria-label", "placeholder"];
  var CONTENT = ".hd-answer, .hd-sources, .hd-question, .hd-refusal, textarea, input";
  function fix(node) {
    if (node.nodeType === 3) {
      var parent = node.parentElement;
      if (parent && parent.closest(CONTENT)) return; // never touch answers, sources or what users typed
      var t = node.nodeValue, k = t.trim();
      if (k && VI[k]) node.nodeValue = t.replace(k, VI[k]);
      return;
    }
    if (node.nodeType !== 1) return;
    for (var i = 0; i < ATTRS.length; i++) {
      var v = node.getAttribute(ATTRS[i]);
      if (v && VI[v]) node.setAttribute(ATTRS[i], VI[v]);
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
