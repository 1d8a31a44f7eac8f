// The search page: Pagefind's interface over the site's own index (no request leaves the
// site). The words searched are in the address (?q=...), so a search can be linked to and
// the header's search box leads here.
(function () {
  "use strict";
  var box = document.getElementById("cp-search");
  if (!box) return;
  if (typeof PagefindUI === "undefined") {
    box.querySelector(".search-unavailable").hidden = false;
    return;
  }
  var bundle = box.dataset.bundle;
  // A large site's index is in shards (shards.json lists those beside the first one), which
  // Pagefind searches as one.
  fetch(bundle + "shards.json")
    .then(function (response) { return response.ok ? response.json() : []; })
    .catch(function () { return []; })
    .then(start);

  function start(others) {
    var query = new URLSearchParams(window.location.search).get("q") || "";
    box.replaceChildren();
    var ui = new PagefindUI({
      element: box,
      baseUrl: box.dataset.base,
      bundlePath: bundle,
      mergeIndex: others.map(function (folder) { return { bundlePath: bundle + folder }; }),
      showImages: false,
      showSubResults: true,
      resetStyles: false,
      autofocus: !query,
    });
    // Pagefind's box has a placeholder but no label: name it for screen readers.
    var input = box.querySelector(".pagefind-ui__search-input");
    if (input) input.setAttribute("aria-label", "Search the notes");
    if (query) ui.triggerSearch(query);
    // Keep the address in step with what is searched, so that Back and a shared link work.
    box.addEventListener("input", function (event) {
      if (!event.target.matches("input[type=search], .pagefind-ui__search-input")) return;
      var url = new URL(window.location.href);
      if (event.target.value) url.searchParams.set("q", event.target.value);
      else url.searchParams.delete("q");
      history.replaceState(null, "", url);
    });
  }
})();
