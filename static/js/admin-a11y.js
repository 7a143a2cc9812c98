// Accessible names the admin's own widgets leave out (axe-core, tests/test_accessibility.py).
// Loaded on every admin page by templates/admin/base_site.html; no inline code (strict CSP).
// - The autocomplete (select2) draws a search box without a label: named after the field's own
//   label. Its closed box (role=combobox) is labelled by the chosen value alone, which is
//   nothing when no value is chosen: labelled by the field's label and the value instead.
//   A multiple box puts its "remove all" cross inside its list: hidden from screen readers
//   (the keyboard removes choices with Backspace), so the list holds list items only.
//   Select2 redraws these as choices change, hence the observer.
// - The changelist search box is labelled by a magnifier picture: named in words too.
(function () {
  "use strict";
  function labelOf(select) {
    return select && select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
  }
  function labelFor(select) {
    var label = labelOf(select);
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }
  function selectOf(element) {
    var container = element.closest(".select2-container");
    var select = container ? container.previousElementSibling : null;
    return select && select.tagName === "SELECT" ? select : null;
  }
  function nameSearchBoxes() {
    var boxes = document.querySelectorAll(".select2-search__field:not([aria-label])");
    Array.prototype.forEach.call(boxes, function (input) {
      var name = labelFor(selectOf(input));
      if (name) {
        input.setAttribute("aria-label", name);
      }
    });
  }
  function nameClosedBoxes() {
    var boxes = document.querySelectorAll(".select2-selection--single:not([data-a11y-named])");
    Array.prototype.forEach.call(boxes, function (box) {
      var label = labelOf(selectOf(box));
      var value = box.querySelector(".select2-selection__rendered[id]");
      if (!label || !value) {
        return;
      }
      if (!label.id) {
        label.id = selectOf(box).id + "_label";
      }
      var both = label.id + " " + value.id;
      box.setAttribute("aria-labelledby", both);
      value.setAttribute("aria-labelledby", both);
      box.setAttribute("data-a11y-named", "");
    });
  }
  function hideClearCrosses() {
    var crosses = document.querySelectorAll(
      "ul.select2-selection__rendered > .select2-selection__clear:not([role])"
    );
    Array.prototype.forEach.call(crosses, function (cross) {
      cross.setAttribute("role", "listitem");
      cross.setAttribute("aria-hidden", "true");
    });
  }
  function nameChangelistSearch() {
    var search = document.getElementById("searchbar");
    var picture = document.querySelector('label[for="searchbar"] img[alt]');
    if (search && picture && !search.hasAttribute("aria-label")) {
      search.setAttribute("aria-label", picture.getAttribute("alt"));
    }
  }
  function nameAll() {
    nameSearchBoxes();
    nameClosedBoxes();
    hideClearCrosses();
  }
  function start() {
    nameChangelistSearch();
    nameAll();
    new MutationObserver(nameAll).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
