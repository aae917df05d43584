// The Softmax Book: small fixes to the theme's behaviour, each answering a finding of
// the browser test (tests/test_site.py).
//
// Wide code blocks and outputs scroll sideways; the theme makes such a block
// keyboard-focusable (tabindex 0) when the page loads. Blocks inside a folded
// solution are hidden then, so they stayed unfocusable after the reader unfolded
// them (axe: scrollable-region-focusable). Re-check whenever something is unfolded.
// Formulas wider than their line (tests/browser/layout.mjs, at phone width) are
// marked to scroll in their own box, and get the same keyboard access.
(function () {
  "use strict";
  var SCROLLABLE = "pre, .cell_output > .output, .pst-scrollable-table-container, .math-wide, " +
    "mjx-container[display=\"true\"]";

  function makeScrollablesFocusable() {
    document.querySelectorAll(SCROLLABLE).forEach(function (el) {
      if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight) {
        el.tabIndex = 0;
      }
    });
  }

  // Formulas wider than the text around them (on a phone, say) get the class
  // math-wide, which lets them scroll inside their own box (_assets/book.css).
  function markWideMath() {
    document.querySelectorAll("span.math, div.math").forEach(function (el) {
      var box = el.tagName === "DIV" ? el : el.closest("p, li, td, th, dd, dt, div");
      var formula = el.querySelector("mjx-container");
      if (!box || !formula) return;
      var wide = el.tagName === "DIV"
        ? el.scrollWidth > el.clientWidth + 1
        : formula.getBoundingClientRect().width > box.clientWidth + 1;
      el.classList.toggle("math-wide", wide);
      if (wide) el.tabIndex = 0;
      else if (el.tabIndex === 0) el.removeAttribute("tabindex");
    });
    makeScrollablesFocusable();
  }
  function afterMathJax() {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(markWideMath);
    } else {
      markWideMath();
    }
  }
  window.addEventListener("load", afterMathJax);
  window.addEventListener("resize", markWideMath);

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".toggle, .admonition-title, .toggle-button, summary")) {
      markWideMath();
    }
  });
  // <details> elements fire "toggle", which does not bubble: listen while capturing.
  document.addEventListener("toggle", markWideMath, true);
})();
