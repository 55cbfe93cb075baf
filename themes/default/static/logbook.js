/* logbook: progressive enhancement for the static site. No framework, nothing remote.
 * - timeline filters, reflected in the URL (shareable; the back button works)
 * - search over the prebuilt lunr index, loaded in shards on demand (works from file://)
 * - "copy link" buttons beside each entry's permalink
 * Without JavaScript every page is still complete: the timeline is a plain list. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  /* ---------- the page's words: its language's, when it carries them (base.html), else English ---------- */
  var words = null;
  function word(key, english) {
    if (words === null) {
      var data = document.getElementById("logbook-words");
      try { words = data ? JSON.parse(data.textContent) : {}; } catch (e) { words = {}; }
    }
    return typeof words[key] === "string" ? words[key] : english;
  }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? String(values[name]) : all; });
  }
  /* A message for a count, in the form the language's plural rules choose (Intl.PluralRules, CLDR's). */
  function counted(key, n, values, english) {
    word(key, "");
    var forms = words[key];
    if (!forms || typeof forms !== "object") return english;
    var category = "other";
    try { category = new Intl.PluralRules(document.documentElement.lang).select(n); } catch (e) { /* keep other */ }
    var text = forms[category] || forms.other || english;
    return fill(text, Object.assign({ n: n.toLocaleString(document.documentElement.lang) }, values));
  }

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
      $("#filter-count").textContent = counted("shown", entries.length, { shown: shown },
        shown + " of " + entries.length + " interactions");
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

  /* ---------- search ---------- */
  window.logbookSearch = {
    shards: {},
    addShard: function (number, data) {
      this.shards[number] = { index: data.index ? window.lunr.Index.load(data.index) : null, docs: data.docs };
    }
  };

  function loadShard(base, number) {
    return new Promise(function (resolve, reject) {
      if (window.logbookSearch.shards[number]) return resolve();
      var script = document.createElement("script");
      script.src = base + "shard-" + number + ".js";
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error(fill(word("shard_error", "could not load search shard {n}"), { n: number }))); };
      document.head.appendChild(script);
    });
  }

  function cleanQuery(text) {
    // Every word must match (so "GT-889123" finds that order, not every "GT"); lunr's own
    // operators are taken as plain text.
    // Stop words ("the", "a") are not in the index, so they are dropped rather than required.
    return text.replace(/[:~^+*\-]/g, " ").trim().split(/\s+/).filter(function (word) {
      return word && window.lunr.stopWordFilter(new window.lunr.Token(word.toLowerCase()));
    }).map(function (word) { return "+" + word; }).join(" ");
  }

  function setupSearch() {
    var form = $("#search-form");
    if (!form) return;
    var input = $("#search-input");
    var list = $("#search-results");
    var status = $("#search-status");
    var base = form.getAttribute("data-base");
    var root = form.getAttribute("data-root");
    var manifest = window.logbookSearchManifest;
    var generation = 0;

    function render(hits) {
      list.textContent = "";
      hits.slice(0, 100).forEach(function (hit) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = root + hit.doc.h;
        link.textContent = hit.doc.c + ": " + hit.doc.t;
        var meta = document.createElement("p");
        meta.className = "muted";
        meta.textContent = hit.doc.d + " · " + hit.doc.ct;
        var snippet = document.createElement("p");
        snippet.textContent = hit.doc.s;
        item.appendChild(link);
        item.appendChild(meta);
        item.appendChild(snippet);
        list.appendChild(item);
      });
    }

    function search(text) {
      var mine = ++generation;
      var query = cleanQuery(text);
      list.textContent = "";
      if (!query) { status.textContent = ""; return; }
      var hits = [];
      status.textContent = word("searching", "Searching…");
      var chain = Promise.resolve();
      for (var n = 0; n < manifest.shards; n++) {
        (function (number) {
          chain = chain.then(function () { return loadShard(base, number); }).then(function () {
            if (mine !== generation) return;
            var shard = window.logbookSearch.shards[number];
            (shard.index ? shard.index.search(query) : []).forEach(function (result) {
              hits.push({ score: result.score, doc: shard.docs[result.ref] });
            });
            hits.sort(function (a, b) { return b.score - a.score; });
            render(hits);
            var more = number + 1 < manifest.shards;
            status.textContent = counted(more ? "results_so_far" : "results", hits.length, { query: text },
              hits.length + " result" + (hits.length === 1 ? "" : "s") + (more ? " so far…" : "") + " for “" + text + "”");
          });
        })(n);
      }
      chain.catch(function (error) { status.textContent = error.message; });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      history.pushState(null, "", "?q=" + encodeURIComponent(input.value));
      search(input.value);
    });
    window.addEventListener("popstate", function () {
      input.value = new URLSearchParams(location.search).get("q") || "";
      search(input.value);
    });
    input.value = new URLSearchParams(location.search).get("q") || "";
    if (input.value) search(input.value);
  }

  /* ---------- copy permalinks ---------- */
  function setupPermalinks() {
    $all("a.permalink").forEach(function (link) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-link";
      button.textContent = word("copy", "Copy link");
      /* no aria-label: the name is the visible text (WCAG 2.5.3), the entry's heading describes it */
      var heading = link.parentNode.querySelector("h3[id]");
      if (heading) button.setAttribute("aria-describedby", heading.id);
      button.addEventListener("click", function () {
        var url = location.href.split("#")[0] + link.getAttribute("href");
        var done = function () {
          button.textContent = word("copied", "Copied");
          setTimeout(function () { button.textContent = word("copy", "Copy link"); }, 1500);
        };
        var ask = function () { window.prompt(word("copy_prompt", "Copy this link:"), url); };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(url).then(done, ask);
        } else {
          ask();
        }
      });
      link.parentNode.insertBefore(button, link.nextSibling);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupFilters();
    setupSearch();
    setupPermalinks();
  });
})();
