/* Starts the Pagefind UI on the search page; results link relative to wherever the site is served. */
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("search");
  var fallback = document.getElementById("search-fallback");
  if (!element) return;
  if (typeof PagefindUI === "undefined") {
    if (fallback) fallback.textContent = "The search index could not be loaded (search needs the site served over http).";
    return;
  }
  if (fallback) fallback.hidden = true;
  var base = new URL(element.getAttribute("data-base") || "../", window.location.href).pathname;
  // One Pagefind bundle per shard (a month of briefings, the actors): the first is loaded, the rest merged in.
  var shards = (element.getAttribute("data-shards") || "").split(" ").filter(Boolean);
  var bundle = function (shard) { return base + "pagefind/" + shard + "/"; };
  var ui = new PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    baseUrl: base,
    resetStyles: false,
    bundlePath: bundle(shards[0]),
    mergeIndex: shards.slice(1).map(function (shard) { return { bundlePath: bundle(shard), baseUrl: base }; })
  });
  var input = element.querySelector("input");
  if (input) input.setAttribute("aria-labelledby", "search-label");
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
});
