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

// Search result snippets. Sphinx cuts each snippet from the text of the result's page,
// fetched as HTML, where formulas are still TeX source: "\(\operatorname{softmax}(x /
// T)\)" stood in the snippets. Before the text is taken, each formula becomes plain
// text (Greek letters and symbols as Unicode, \frac{a}{b} as (a)/(b), commands without
// their backslash), and the page's navigation (its contents list) is left out.
// tests/browser/search.mjs searches the site and checks the snippets.
(function () {
  "use strict";
  var SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε",
    zeta: "ζ", eta: "η", theta: "θ", vartheta: "θ", iota: "ι", kappa: "κ", lambda: "λ",
    mu: "μ", nu: "ν", xi: "ξ", pi: "π", rho: "ρ", sigma: "σ", tau: "τ", upsilon: "υ",
    phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω", Gamma: "Γ", Delta: "Δ",
    Theta: "Θ", Lambda: "Λ", Xi: "Ξ", Pi: "Π", Sigma: "Σ", Phi: "Φ", Psi: "Ψ", Omega: "Ω",
    sum: "∑", prod: "∏", int: "∫", infty: "∞", partial: "∂", nabla: "∇", ell: "ℓ",
    le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", sim: "∼",
    equiv: "≡", propto: "∝", ll: "≪", gg: "≫", in: "∈", notin: "∉", subset: "⊂",
    subseteq: "⊆", cup: "∪", cap: "∩", emptyset: "∅", forall: "∀", exists: "∃",
    to: "→", rightarrow: "→", leftarrow: "←", Rightarrow: "⇒", iff: "⇔", mapsto: "↦",
    cdot: "·", times: "×", pm: "±", mp: "∓", circ: "∘", odot: "⊙", otimes: "⊗",
    ast: "∗", star: "⋆", ldots: "…", cdots: "⋯", dots: "…", vdots: "⋮", mid: "|",
    vert: "|", lvert: "|", rvert: "|", Vert: "‖", lVert: "‖", rVert: "‖",
    langle: "⟨", rangle: "⟩", lfloor: "⌊", rfloor: "⌋", lceil: "⌈", rceil: "⌉",
    top: "ᵀ", prime: "′", setminus: "∖", neg: "¬", land: "∧", lor: "∨",
    quad: " ", qquad: " ",
  };
  var DROP = /\\(?:left|right|big|Big|bigg|Bigg|bigl|bigr|Bigl|Bigr|biggl|biggr|displaystyle|textstyle|limits|nolimits)(?![A-Za-z])/g;
  var FONT = /\\(?:mathrm|mathbf|mathit|mathsf|mathtt|mathcal|mathbb|boldsymbol|bm|text|textrm|textbf|textit|operatorname\*?|hat|bar|tilde|widehat|widetilde|overline|underline|vec|mathop)\s*\{([^{}]*)\}/g;
  var BLACKBOARD = { R: "ℝ", N: "ℕ", Z: "ℤ", Q: "ℚ", C: "ℂ", E: "𝔼", P: "ℙ" };

  function texToText(tex) {
    var s = tex.trim()
      .replace(/^\\\(|\\\)$|^\\\[|\\\]$|^\$\$?|\$\$?$/g, "")
      .replace(/\\\{|\\lbrace(?![A-Za-z])/g, "\u0001")  // literal braces, kept aside
      .replace(/\\\}|\\rbrace(?![A-Za-z])/g, "\u0002")
      .replace(/\\(?:label|tag|nonumber|notag)(?:\{[^{}]*\})?/g, "")
      .replace(/\\(?:begin|end)\{[^{}]*\}(?:\{[^{}]*\})?/g, " ")
      .replace(/\\\\/g, "; ")
      .replace(/&/g, " ")
      .replace(DROP, "")
      .replace(/\\mathbb\s*\{([A-Z])\}/g, function (m, c) { return BLACKBOARD[c] || c; });
    for (var i = 0, before = ""; i < 20 && before !== s; i++) {
      before = s;
      s = s.replace(/\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)")
        .replace(/\\sqrt\s*\{([^{}]*)\}/g, "√($1)")
        .replace(FONT, "$1")
        .replace(/([_^])\{([^{}]*)\}/g, "$1($2)")
        // a bare group, not the argument of a command: {x} -> x
        .replace(/(^|[^A-Za-z}_^*])\{([^{}]*)\}/g, "$1$2");
    }
    s = s.replace(/[{}]/g, "")
      .replace(/([_^])\(([^()\s]{1,2})\)/g, "$1$2")  // x_(i) -> x_i
      .replace(/\\([A-Za-z]+)/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(SYMBOLS, name) ? SYMBOLS[name] : name;
      })
      .replace(/\\[,;:!> ]/g, " ")
      .replace(/\\(.)/g, "$1")
      .replace(/\$/g, "")
      .replace(/\u0001/g, "{")
      .replace(/\u0002/g, "}")
      .replace(/\s+/g, " ");
    return s.trim();
  }
  window.bookTexToText = texToText;

  function install() {
    if (typeof Search === "undefined" || !Search.htmlToText || Search.bookPlainMath) return;
    var original = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll("nav, .bd-toc, .prev-next-area, .header-article-items")
        .forEach(function (el) { el.remove(); });
      doc.querySelectorAll(".math").forEach(function (el) {
        var text = texToText(el.textContent);
        el.textContent = el.tagName === "DIV" ? " " + text + " " : text;
      });
      return original(doc.documentElement.outerHTML, anchor);
    };
    Search.bookPlainMath = true;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", install);
  } else {
    install();
  }
})();
