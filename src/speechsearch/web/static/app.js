// Results as you type: the server renders them; this only fetches and swaps the fragment.
(function () {
  "use strict";
  const input = document.getElementById("q");
  const results = document.getElementById("results");
  if (input && results) {
    let timer = null;
    let asked = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        const params = new URLSearchParams(window.location.search);
        params.set("q", input.value.trim());
        params.delete("page");
        const url = "/?" + params.toString();
        const ticket = ++asked;
        if (!input.value.trim()) { return; }
        fetch(url + "&partial=1").then(function (response) { return response.text(); }).then(function (html) {
          if (ticket !== asked) { return; }  // a later keystroke's answer wins
          results.innerHTML = html;  // the server's escaped HTML
          foldFilters();
          history.replaceState(null, "", url);
          document.title = input.value.trim() + " · speechsearch";
        });
      }, 250);
    });
  }
  // On a phone the filters fold away above the hits; the summary opens them.
  function foldFilters() {
    if (window.matchMedia("(max-width: 56rem)").matches) {
      document.querySelectorAll("details.facetbox").forEach(function (box) { box.open = false; });
    }
  }
  foldFilters();
  // Arriving at a passage: mark its line too, since :target may come before the layout settles.
  function markTarget() {
    document.querySelectorAll(".line.here").forEach(function (el) { el.classList.remove("here"); });
    if (!window.location.hash) { return; }
    const el = document.getElementById(window.location.hash.slice(1));
    if (el) { el.classList.add("here"); el.scrollIntoView({ block: "center" }); }
  }
  window.addEventListener("hashchange", markTarget);
  if (document.querySelector(".doctext")) { markTarget(); }
})();
