/* logbook: progressive enhancement for the static site. No framework, nothing remote.
 * - timeline filters, reflected in the URL (shareable; the back button works)
 * (search is search.js, loaded by the search page alone)
 * - "copy link" buttons beside each entry's permalink
 * Without JavaScript every page is still complete: each timeline page is a plain list of its month. */
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

  window.logbookWords = { word: word, fill: fill, counted: counted };  /* search.js speaks with these */

  /* ---------- timeline filters ---------- */
  /* The timeline is one page per month.  A filter hides the entries of the page in view that do not
   * match, and counts the matching ones of every month from timeline/facets.js (how many interactions
   * of each month carry each filter value), loaded by a <script> tag the first time a filter is set:
   * the month navigation then shows each month's matches and its links keep the filter. */
  function setupFilters() {
    var form = $("#timeline-filters");
    if (!form) return;
    form.hidden = false;
    var month = form.getAttribute("data-month");
    var monthTotal = Number(form.getAttribute("data-month-total") || "0");
    var entries = $all(".timeline-entry");
    var fields = $all("select, input", form);
    var nav = $("#month-nav");
    var loading = false;
    var failed = false;

    function readURL() {
      var params = new URLSearchParams(location.search);
      fields.forEach(function (field) { field.value = params.get(field.name) || ""; });
    }
    function active() { return fields.filter(function (field) { return field.value; }); }
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
    function loadFacets() {
      if (window.logbookFacets || loading || failed || !nav) return;
      loading = true;
      var script = document.createElement("script");
      script.src = nav.getAttribute("data-facets");
      script.onload = function () { loading = false; apply(); };
      script.onerror = function () { loading = false; failed = true; apply(); };
      document.head.appendChild(script);
    }
    /* [count, exact] of one month (its column in the facet index): one filter is counted exactly;
     * several are bounded by the smallest of their single counts ("up to"). */
    function monthCount(facets, column) {
      var counts = [];
      var from = "", to = "";
      active().forEach(function (field) {
        if (field.name === "from") { from = field.value; return; }
        if (field.name === "to") { to = field.value; return; }
        var byValue = facets.fields[field.name] || {};
        counts.push(byValue[field.value] ? byValue[field.value][column] : 0);
      });
      if (from || to) {
        var days = facets.days[column], name = facets.months[column], sum = 0;
        for (var d = 1; d <= 31; d++) {
          var date = name + "-" + (d < 10 ? "0" : "") + d;
          if ((!from || date >= from) && (!to || date <= to)) sum += days[d - 1];
        }
        counts.push(sum);
      }
      if (!counts.length) return [facets.total[column], true];
      return [Math.min.apply(null, counts), counts.length === 1];
    }
    function countText(count) {  /* a month's matches: exact, or "up to" the smallest single count */
      var upTo = word("up_to", null);
      var n = upTo === null ? String(count[0]) : count[0].toLocaleString(document.documentElement.lang);
      return count[1] ? n : fill(upTo || "up to {n}", { n: n });
    }
    function monthName() {  /* the month in view as its navigation link names it (in the page's language) */
      var link = nav ? $('a[data-month="' + month + '"]', nav) : null;
      return link ? link.textContent : month;
    }
    function updateMonths(filtering) {
      var facets = window.logbookFacets;
      var all = [0, true], here = null;
      $all(".month-total", nav || undefined).forEach(function (counter) {
        var item = counter.parentNode;
        if (!counter.hasAttribute("data-total")) counter.setAttribute("data-total", counter.textContent);
        if (!filtering || !facets) {
          counter.textContent = counter.getAttribute("data-total");
          item.classList.remove("no-match");
          return;
        }
        var column = facets.months.indexOf(counter.getAttribute("data-month"));
        var count = column < 0 ? [0, true] : monthCount(facets, column);
        if (counter.getAttribute("data-month") === month) {
          if (entries.length === monthTotal) count = [$all(".timeline-entry:not([hidden])").length, true];
          here = count;
        }
        all = [all[0] + count[0], all[1] && count[1]];
        counter.textContent = countText(count);
        item.classList.toggle("no-match", count[0] === 0);
      });
      return { all: all, here: here };
    }
    function apply() {
      var shown = 0;
      entries.forEach(function (entry) {
        var visible = matches(entry);
        entry.hidden = !visible;
        if (visible) shown += 1;
      });
      $all(".month").forEach(function (section) {
        var counter = $(".month-count", section);
        if (counter && !counter.hasAttribute("data-total")) counter.setAttribute("data-total", counter.textContent);
        if (counter) {
          counter.textContent = active().length
            ? counted("shown_count", shown, {}, "(" + shown + " shown)") : counter.getAttribute("data-total");
        }
      });
      var filtering = active().length > 0;
      if (filtering) loadFacets();
      var totals = updateMonths(filtering);
      var parts = [counted("shown_here", entries.length, { shown: shown },
        shown + " of " + entries.length + " interactions on this page")];
      if (filtering && window.logbookFacets) {
        if (totals.here && monthTotal > entries.length) {
          parts.push(fill(word("in_month", "{count} in {month}"), { count: countText(totals.here), month: monthName() }));
        }
        parts.push(totals.all[1]
          ? fill(word("in_logbook", "{count} in the whole logbook"), { count: countText(totals.all) })
          : fill(word("in_logbook_bounded", "{count} in the whole logbook (each month counted by its rarest filter)"),
            { count: countText(totals.all) }));
      } else if (filtering && failed) {
        parts.push(word("not_loaded", "the counts of other months could not be loaded"));
      }
      $("#filter-count").textContent = parts.join(word("separator", "; "));
      $all("#order-link, #month-nav a, .pager a").forEach(function (link) { link.search = location.search; });
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
    setupPermalinks();
  });
})();
