// The main menu as a disclosure on narrow screens: a "Menu" button opens and closes it. Without
// this script the menu is always open (it wraps); on wide screens the button stays hidden.
(function () {
  "use strict";
  var button = document.querySelector(".menu-button");
  var menu = document.getElementById("site-menu");
  if (!button || !menu || !window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 48rem)");
  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("closed", !open);
  }
  function fit() {
    button.hidden = !narrow.matches;
    set(!narrow.matches);
  }
  button.addEventListener("click", function () {
    set(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && narrow.matches && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
  narrow.addEventListener("change", fit);
  fit();
})();
