// The theme's few behaviours; every page works without them.
(function () {
  "use strict";
  // "/" puts the cursor in the header's search box, as on GitHub and MkDocs Material.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var box = document.getElementById("cp-search-input");
    if (!box) return;
    event.preventDefault();
    box.focus();
  });
})();
