// Typeset $…$ and $$…$$ in elements marked .math with KaTeX's auto-render.
// auto-render reads text nodes only; trust:false keeps \href, \url and \html* from making
// links or attributes, so abstracts stay inert however they were written.
(function () {
  "use strict";
  function run() {
    if (typeof renderMathInElement !== "function") return;
    var options = {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "$", right: "$", display: false },
        { left: "\\(", right: "\\)", display: false }
      ],
      throwOnError: false,
      trust: false,
      strict: "ignore",
      maxExpand: 500,
      maxSize: 10
    };
    document.querySelectorAll(".math").forEach(function (el) { renderMathInElement(el, options); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
