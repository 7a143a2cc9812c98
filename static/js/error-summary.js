// After a failed submit, the page opens on the error summary: keyboard and screen-reader
// users land on the list of what to fix instead of at the top of the page.
// Loaded by templates/forums/_base.html; the summary is marked with data-error-summary.
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.focus();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
