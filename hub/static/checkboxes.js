// "Select all" for a group of checkboxes (a fieldset with a .select-all button): ticks every box of
// the group, or, when all are ticked, none. Without this script the button stays hidden.
(function () {
  "use strict";
  document.querySelectorAll(".select-all").forEach(function (button) {
    var group = button.closest("fieldset");
    var boxes = group.querySelectorAll("input[type=checkbox]");
    var legend = group.querySelector("legend").textContent.trim();
    function allTicked() {
      return Array.prototype.every.call(boxes, function (box) { return box.checked; });
    }
    function label() {
      button.textContent = allTicked() ? button.dataset.none : button.dataset.all;
      button.setAttribute("aria-label", button.textContent + ": " + legend);
    }
    button.addEventListener("click", function () {
      var tick = !allTicked();
      boxes.forEach(function (box) { box.checked = tick; });
      label();
    });
    boxes.forEach(function (box) { box.addEventListener("change", label); });
    button.hidden = false;
    label();
  });
})();
