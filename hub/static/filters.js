// A list's filters fold away on narrow screens: a button named like the form ("Filter the pilots",
// with the number of filters in use) opens and closes them, so that the results come first on a
// phone. Forms of one or two fields (a search box) stay open. Without this script they stay open.
(function () {
  "use strict";
  if (!window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 48rem)");
  document.querySelectorAll("form.filters").forEach(function (form, index) {
    var controls = form.querySelectorAll(".field");
    if (controls.length < 3) return;
    var labelled = form.getAttribute("aria-labelledby");
    var heading = labelled && document.getElementById(labelled);
    var name = form.getAttribute("aria-label") || (heading ? heading.textContent.trim() : "");
    if (!name) return;
    var used = Array.prototype.filter.call(form.querySelectorAll("input, select"), function (field) {
      if (field.type === "checkbox" || field.type === "radio") return field.checked;
      if (field.tagName === "SELECT") return field.selectedIndex > 0 && field.name !== "sort";
      return field.type !== "hidden" && field.value.trim() !== "";
    }).length;
    form.id = form.id || "filters-" + index;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "filters-button";
    button.setAttribute("aria-controls", form.id);
    button.textContent = used ? name + " (" + used + ")" : name;
    form.parentNode.insertBefore(button, form);
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      form.classList.toggle("closed", !open);
    }
    function fit() {
      button.hidden = !narrow.matches;
      set(!narrow.matches);
    }
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    narrow.addEventListener("change", fit);
    fit();
  });
})();
