/* logbook: progressive enhancement for the static site. No framework, nothing remote.
 * - timeline filters, reflected in the URL (shareable; the back button works)
 * (search is search.js, loaded by the search page alone)
 * - "copy link" buttons beside each entry's permalink
 * Without JavaScript every page is still complete: the timeline is a plain list. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  /* ---------- timeline filters ---------- */
  function setupFilters() {
    var form = $("#timeline-filters");
    if (!form) return;
    form.hidden = false;
    var entries = $all(".timeline-entry");
    var fields = $all("select, input", form);

    function readURL() {
      var params = new URLSearchParams(location.search);
      fields.forEach(function (field) { field.value = params.get(field.name) || ""; });
    }
    function matches(entry) {
      return fields.every(function (field) {
        var value = field.value;
        if (!value) return true;
        if (field.name === "from") return entry.dataset.date >= value;
        if (field.name === "to") return entry.dataset.date <= value;
        if (field.name === "tag") return (" " + entry.dataset.tag + " ").indexOf(" " + value + " ") >= 0;
        return entry.dataset[field.name] === value;
      });
    }
    function apply() {
      var shown = 0;
      entries.forEach(function (entry) {
        var visible = matches(entry);
        entry.hidden = !visible;
        if (visible) shown += 1;
      });
      $all(".month").forEach(function (month) {
        var count = $all(".timeline-entry", month).filter(function (e) { return !e.hidden; }).length;
        month.hidden = count === 0;
        var counter = $(".month-count", month);
        if (counter) counter.textContent = "(" + count + ")";
      });
      $("#filter-count").textContent = shown + " of " + entries.length + " interactions";
      var order = $("#order-link");
      if (order) order.search = location.search;
    }
    function writeURL() {
      var params = new URLSearchParams();
      fields.forEach(function (field) { if (field.value) params.set(field.name, field.value); });
      var query = params.toString();
      if ((query ? "?" + query : "") === location.search) return;  // one history entry per real change
      history.pushState(null, "", query ? "?" + query : location.pathname);
    }
    form.addEventListener("change", function () { writeURL(); apply(); });
    form.addEventListener("submit", function (event) { event.preventDefault(); writeURL(); apply(); });
    $("#filter-reset").addEventListener("click", function () {
      fields.forEach(function (field) { field.value = ""; });
      writeURL(); apply();
    });
    window.addEventListener("popstate", function () { readURL(); apply(); });
    readURL();
    apply();
  }

  /* ---------- copy permalinks ---------- */
  function setupPermalinks() {
    $all("a.permalink").forEach(function (link) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-link";
      button.textContent = "Copy link";
      /* no aria-label: the name is the visible text (WCAG 2.5.3), the entry's heading describes it */
      var heading = link.parentNode.querySelector("h3[id]");
      if (heading) button.setAttribute("aria-describedby", heading.id);
      button.addEventListener("click", function () {
        var url = location.href.split("#")[0] + link.getAttribute("href");
        var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy link"; }, 1500); };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(url).then(done, function () { window.prompt("Copy this link:", url); });
        } else {
          window.prompt("Copy this link:", url);
        }
      });
      link.parentNode.insertBefore(button, link.nextSibling);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupFilters();
    setupPermalinks();
  });
})();
