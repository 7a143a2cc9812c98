// The admin's autocomplete (select2) draws a search box without a label: name it after the
// field's own label, for screen readers (axe: "label", critical). Select2 redraws the box as
// choices change, hence the observer. Loaded on every admin page by templates/admin/base_site.html.
(function () {
  "use strict";
  function labelFor(select) {
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }
  function nameSearchBoxes() {
    var boxes = document.querySelectorAll(".select2-search__field:not([aria-label])");
    Array.prototype.forEach.call(boxes, function (input) {
      var container = input.closest(".select2-container");
      var select = container ? container.previousElementSibling : null;
      var name = select && select.tagName === "SELECT" ? labelFor(select) : "";
      if (name) {
        input.setAttribute("aria-label", name);
      }
    });
  }
  function start() {
    nameSearchBoxes();
    new MutationObserver(nameSearchBoxes).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
