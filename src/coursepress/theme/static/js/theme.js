// The theme's few behaviours; every page works without them.
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "coursepress-scheme";

  // Light or dark: the system's until the reader presses the toggle; then the reader's
  // choice, remembered (the inline script in <head> applies it before the page is drawn).
  var toggle = document.querySelector(".scheme-toggle");
  var system = window.matchMedia("(prefers-color-scheme: dark)");
  function dark() {
    return root.dataset.scheme ? root.dataset.scheme === "dark" : system.matches;
  }
  function show() {
    if (toggle) toggle.setAttribute("aria-pressed", String(dark()));
  }
  if (toggle) {
    toggle.hidden = false;
    show();
    toggle.addEventListener("click", function () {
      root.dataset.scheme = dark() ? "light" : "dark";
      try {
        localStorage.setItem(KEY, root.dataset.scheme);
      } catch (error) {
        // Storage refused (a private window): the choice holds for this page only.
      }
      show();
    });
    system.addEventListener("change", show);
  }

  // The phone's menu: the button opens and closes it; Escape closes it, back on the button.
  var menuButton = document.querySelector(".menu-toggle");
  var menu = document.getElementById("cp-menu");
  function setMenu(open) {
    menu.classList.toggle("open", open);
    menuButton.setAttribute("aria-expanded", String(open));
  }
  if (menuButton && menu) {
    menuButton.addEventListener("click", function () {
      setMenu(!menu.classList.contains("open"));
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      setMenu(false);
      menuButton.focus();
    });
  }

  // "/" puts the cursor in the header's search box, as on GitHub and MkDocs Material.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var box = document.getElementById("cp-search-input");
    if (!box) return;
    event.preventDefault();
    if (menu && menuButton && box.offsetParent === null) setMenu(true); // folded away
    box.focus();
  });
})();
