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

  // Vote and save without reloading: post the same form with Accept: application/json and
  // update the count, the pressed state and the form's next action. Anything unexpected
  // (not signed in, an expired form) falls back to the plain form post.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var box = form.closest && form.closest(".community");
    if (!box || !window.fetch || !window.FormData || form.dataset.plain) return;
    e.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        var imported = parseInt(box.dataset.imported || "0", 10);
        document.querySelectorAll(".community").forEach(function (other) {
          if (other.dataset.paper !== s.id) return;
          var vote = other.querySelector(".vote-form"), save = other.querySelector(".save-form");
          vote.action = other.dataset.url + "/" + (s.voted ? "unvote" : "vote");
          save.action = other.dataset.url + "/" + (s.saved ? "unsave" : "save");
          vote.querySelector("button").setAttribute("aria-pressed", String(s.voted));
          save.querySelector("button").setAttribute("aria-pressed", String(s.saved));
          vote.querySelector(".n").textContent = String(imported + s.votes);
          save.querySelector(".n").textContent = String(s.saves);
        });
        var total = document.querySelector(".upvotes-total"), local = document.querySelector(".votes-local");
        if (total && local) { total.textContent = String(imported + s.votes); local.textContent = String(s.votes); }
        button.disabled = false;
      })
      .catch(function () { form.dataset.plain = "1"; form.submit(); });
  });
})();
