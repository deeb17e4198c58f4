// Keyboard navigation (j/k move, o opens, / searches), abstract expanders, BibTeX copy,
// related papers loaded in place where the page only links to them.
// Loaded with defer: the page renders and works without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var current = -1;

  function cards() { return Array.prototype.slice.call(document.querySelectorAll(".card")); }

  function select(i) {
    var list = cards();
    if (!list.length) return;
    i = Math.max(0, Math.min(list.length - 1, i));
    if (list[current]) list[current].classList.remove("selected");
    current = i;
    list[i].classList.add("selected");
    list[i].focus({ preventScroll: true });
    list[i].scrollIntoView({ block: "nearest" });
  }

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (e.key === "j") { select(current + 1); e.preventDefault(); }
    else if (e.key === "k") { select(current - 1); e.preventDefault(); }
    else if (e.key === "o" || (e.key === "Enter" && e.target.classList && e.target.classList.contains("card"))) {
      var card = cards()[current];
      if (card && card.dataset.href) { window.location.href = card.dataset.href; e.preventDefault(); }
    } else if (e.key === "/") {
      var box = document.getElementById("sq") || document.getElementById("q");
      if (box) { box.focus(); box.select(); e.preventDefault(); }
    }
  });

  document.addEventListener("click", function (e) {
    var more = e.target.closest && e.target.closest(".more");
    if (more) {
      var text = document.getElementById(more.getAttribute("aria-controls"));
      var open = more.getAttribute("aria-expanded") !== "true";
      text.classList.toggle("clamp", !open);
      more.setAttribute("aria-expanded", String(open));
      more.textContent = open ? "Show less" : "Show more";
      return;
    }
    var copy = e.target.closest && e.target.closest(".copy");
    if (copy) {
      var source = document.getElementById(copy.dataset.copy);
      var status = document.querySelector(".copied");
      var done = function (msg) { if (status) status.textContent = msg; };
      if (navigator.clipboard && source) {
        navigator.clipboard.writeText(source.textContent).then(
          function () { done("Copied."); },
          function () { done("Copy failed: select the text and copy it."); });
      } else { done("Select the text and copy it."); }
    }
  });

  // A paper without a stored related list links to /papers/{id}/related; fetch that page
  // and put its list here instead (the link stays when anything fails).
  var slot = document.querySelector("[data-related]");
  if (slot && window.fetch && window.DOMParser) {
    fetch(slot.dataset.related, { headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (text) {
        var found = new DOMParser().parseFromString(text, "text/html").getElementById("related");
        if (!found) return;
        slot.replaceWith(document.importNode(found, true));
      })
      .catch(function () {});
  }
})();
