// What folds away on narrow screens, behind a button that opens and closes it: the main menu (the
// "Menu" button) and a list's filters (a button named like the form, with the number of filters in
// use, so that the results come first on a phone). On wide screens the buttons stay hidden and
// everything stands open; without this script everything stands open too.
(function () {
  "use strict";
  if (!window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 48rem)");

  // Makes ``button`` open and close ``target`` on narrow screens; returns the function that sets it.
  function disclosure(button, target) {
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      target.classList.toggle("closed", !open);
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
    return set;
  }

  var menuButton = document.querySelector(".menu-button");
  var menu = document.getElementById("site-menu");
  if (menuButton && menu) {
    var setMenu = disclosure(menuButton, menu);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches && menuButton.getAttribute("aria-expanded") === "true") {
        setMenu(false);
        menuButton.focus();
      }
    });
  }

  // Forms of one or two fields (a search box) stay open.
  document.querySelectorAll("form.filters").forEach(function (form, index) {
    if (form.querySelectorAll(".field").length < 3) return;
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
    disclosure(button, form);
  });
})();
