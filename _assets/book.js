// The Softmax Book: small fixes to the theme's behaviour, each answering a finding of
// the browser test (tests/test_site.py).
//
// Wide code blocks and outputs scroll sideways; the theme makes such a block
// keyboard-focusable (tabindex 0) when the page loads. Blocks inside a folded
// solution are hidden then, so they stayed unfocusable after the reader unfolded
// them (axe: scrollable-region-focusable). Re-check whenever something is unfolded.
(function () {
  "use strict";
  var SCROLLABLE = "pre, .cell_output > .output, .pst-scrollable-table-container";

  function makeScrollablesFocusable() {
    document.querySelectorAll(SCROLLABLE).forEach(function (el) {
      if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight) {
        el.tabIndex = 0;
      }
    });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".toggle, .admonition-title, .toggle-button, summary")) {
      makeScrollablesFocusable();
    }
  });
  // <details> elements fire "toggle", which does not bubble: listen while capturing.
  document.addEventListener("toggle", makeScrollablesFocusable, true);
})();
