/* logbook search: a term-partitioned index loaded piece by piece through <script> tags, so it works
 * opened from file:// and under the site's Content-Security-Policy (no fetch, no eval, no inline script).
 * The manifest says which chunk holds which keys; a query loads the chunks of its words, then the
 * result cards of the results it shows.  The tokenizer mirrors logbook/site/textindex.py: change both. */
(function () {
  "use strict";

  var PAGE = 10;
  var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{3134f}";
  var HAN_RUNS = new RegExp("([" + HAN + "]+)", "u");
  var WORD = "[\\p{L}\\p{N}]+";
  var JOINERS = "-_./:'’@+#";
  var TOKEN = new RegExp(WORD + "(?:[" + JOINERS.replace(/[-\/\\^$*+?.()|[\]{}]/g, "\\$&") + "]" + WORD + ")*", "gu");
  var RUN = new RegExp(WORD, "gu");

  var store = { manifest: null, terms: {}, results: {}, waiting: {} };
  window.__logbookSearch = function (kind, number, data) {
    var name = kind === "manifest" ? "manifest" : kind + "-" + number;
    if (kind === "manifest") store.manifest = data;
    else if (kind === "terms" || kind === "results") store[kind][number] = data;
    (store.waiting[name] || []).forEach(function (resolve) { resolve(data); });
    delete store.waiting[name];
  };

  function load(base, kind, number) {
    var have = kind === "manifest" ? store.manifest : store[kind][number];
    if (have) return Promise.resolve(have);
    var name = kind === "manifest" ? "manifest" : kind + "-" + number;
    return new Promise(function (resolve, reject) {
      if (store.waiting[name]) { store.waiting[name].push(resolve); return; }
      store.waiting[name] = [resolve];
      var script = document.createElement("script");
      script.src = base + name + ".js";
      script.charset = "utf-8";
      script.onerror = function () {
        reject(new Error(say("index_error", "could not load the search index ({file})", { file: name + ".js" })));
      };
      document.head.appendChild(script);
    });
  }

  /* The page's words (logbook.js reads them from the page in its language), else the English given. */
  function say(key, english, values) {
    var words = window.logbookWords, text = words ? words.word(key, english) : english;
    return text.replace(/\{(\w+)\}/g, function (all, name) { return values && name in values ? String(values[name]) : all; });
  }
  function counted(key, n, values, english) {
    return window.logbookWords ? window.logbookWords.counted(key, n, values, english) : english;
  }

  function normalised(text) { return text.normalize("NFKC").toLowerCase(); }

  function hanTerms(run) {
    var chars = Array.from(run), out = chars.slice();
    for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    return out;
  }

  /* The query as wants, every one of which must match: {key, prefix, parts}; an identifier's parts
   * stand in for it when the index does not have it whole. */
  function parse(text, stop) {
    var wants = [];
    normalised(text).split(/\s+/).forEach(function (piece) {
      var prefix = /[\p{L}\p{N}]\*$/u.test(piece);
      var parts = piece.split(HAN_RUNS);
      parts.forEach(function (part, position) {
        if (position % 2) {
          var chars = Array.from(part);
          (chars.length === 1 ? chars : hanTerms(part).slice(chars.length)).forEach(function (term) {
            wants.push({ key: term, prefix: false });
          });
          return;
        }
        var tokens = part.match(TOKEN) || [];
        tokens.forEach(function (token, index) {
          var last = prefix && position === parts.length - 1 && index === tokens.length - 1;
          var runs = token.match(RUN);
          if (runs.length > 1) {
            var words = runs.filter(function (word) { return !stop[word]; });
            wants.push({ key: token, prefix: last, parts: words.map(function (word) { return { key: word, prefix: false }; }) });
          } else if (last || !stop[token]) {
            wants.push({ key: token, prefix: last });
          }
        });
      });
    });
    return wants;
  }

  function chunkOf(key) {  /* the last chunk whose first key is <= key */
    var firsts = store.manifest.chunks, low = 0, high = firsts.length - 1;
    if (!firsts.length || key < firsts[0]) return -1;
    while (low < high) {
      var mid = (low + high + 1) >> 1;
      if (firsts[mid] <= key) low = mid; else high = mid - 1;
    }
    return low;
  }

  function chunksFor(want) {
    var first = chunkOf(want.key);
    var last = want.prefix ? chunkOf(want.key + "\uffff") : first;
    var numbers = [];
    for (var n = Math.max(first, 0); n <= last && last >= 0; n++) numbers.push(n);
    return numbers;
  }

  function entry(key) {
    var n = chunkOf(key);
    var chunk = n >= 0 ? store.terms[n] : null;
    return chunk && Object.prototype.hasOwnProperty.call(chunk, key) ? chunk[key] : undefined;
  }

  function decode(postings) {  /* document number -> score */
    var scores = new Map(), number = 0, i = 0;
    var gap = 0, score = 0;
    function varint() {
      var value = 0, digit;
      do { digit = DIGITS.indexOf(postings[i++]); value = value * 32 + (digit & 31); } while (digit >= 32);
      return value;
    }
    while (i < postings.length) {
      if (postings[i] === "~") {  /* the last pair, this many more times */
        i++;
        for (var times = varint(); times > 0; times--) { number += gap; scores.set(number, score); }
        continue;
      }
      gap = varint();
      number += gap;
      score = Math.exp(DIGITS.indexOf(postings[i++]) / 12) - 1;
      scores.set(number, score);
    }
    return scores;
  }

  /* The stems (terms with postings) a want stands for, and the words that show a match. */
  function terms(want) {
    var keys = [];
    if (want.prefix) {
      var n0 = chunkOf(want.key), n1 = chunkOf(want.key + "\uffff");
      for (var n = Math.max(n0, 0); n <= n1; n++) {
        Object.keys(store.terms[n] || {}).forEach(function (key) { if (key.lastIndexOf(want.key, 0) === 0) keys.push(key); });
      }
    } else {
      keys.push(want.key);
    }
    var stems = [];
    keys.forEach(function (key) {
      var value = entry(key);
      if (value === undefined) return;
      if (typeof value === "string") stems.push(value);
      else if (value.length === 3) stems.push(value[2]);
      else stems.push(key);
    });
    return stems;
  }

  function expanded(wants) {  /* an identifier the index lacks whole: its words instead */
    var out = [];
    wants.forEach(function (want) {
      if (want.parts && want.parts.length && !terms(want).length) out.push.apply(out, want.parts);
      else out.push(want);
    });
    return out;
  }

  function redirects(wants) {  /* chunks still needed for the stems that words point to */
    var needed = {};
    wants.forEach(function (want) {
      terms(want).forEach(function (stem) { var n = chunkOf(stem); if (n >= 0 && !store.terms[n]) needed[n] = true; });
    });
    return Object.keys(needed).map(Number);
  }

  function resolve(wants) {  /* {hits: [{number, score}] best first, marks: the words to highlight} */
    var total = null, marks = {};
    for (var w = 0; w < wants.length; w++) {
      var scores = new Map();
      marks[wants[w].key] = true;
      terms(wants[w]).forEach(function (stem) {
        var value = entry(stem);
        if (!value || typeof value === "string") return;
        marks[stem] = true;
        (value[1] || []).forEach(function (form) { marks[form] = true; });
        decode(value[0]).forEach(function (score, number) {
          scores.set(number, Math.max(scores.get(number) || 0, score));
        });
      });
      if (total === null) { total = scores; continue; }
      var next = new Map();
      total.forEach(function (score, number) { if (scores.has(number)) next.set(number, score + scores.get(number)); });
      total = next;
    }
    var hits = [];
    (total || new Map()).forEach(function (score, number) { hits.push({ number: number, score: score }); });
    hits.sort(function (a, b) { return b.score - a.score || a.number - b.number; });
    return { hits: hits, marks: marks };
  }

  /* Text with the matched words in <mark>, punctuation as written; a Han run marks its matched pairs. */
  function highlighted(text, marks) {
    var fragment = document.createDocumentFragment(), at = 0, lower = normalised(text);
    var re = new RegExp("[" + HAN + "]+|" + TOKEN.source, "gu"), match;
    var spans = [];
    if (lower.length === text.length) {
      while ((match = re.exec(lower)) !== null) {
        var token = match[0], start = match.index;
        if (new RegExp("^[" + HAN + "]", "u").test(token)) {
          var chars = Array.from(token), offset = start;
          for (var i = 0; i < chars.length; i++) {
            var pair = i + 1 < chars.length ? chars[i] + chars[i + 1] : null;
            if (pair && marks[pair]) spans.push([offset, offset + pair.length]);
            else if (marks[chars[i]]) spans.push([offset, offset + chars[i].length]);
            offset += chars[i].length;
          }
          continue;
        }
        if (marks[token]) { spans.push([start, start + token.length]); continue; }
        var run;
        RUN.lastIndex = 0;
        while ((run = RUN.exec(token)) !== null) {
          if (marks[run[0]]) spans.push([start + run.index, start + run.index + run[0].length]);
        }
      }
    }
    spans.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var merged = [];
    spans.forEach(function (span) {  /* overlapping pairs of Hanzi make one mark */
      var last = merged[merged.length - 1];
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else merged.push(span.slice());
    });
    merged.forEach(function (span) {
      fragment.appendChild(document.createTextNode(text.slice(at, span[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(span[0], span[1]);
      fragment.appendChild(mark);
      at = span[1];
    });
    fragment.appendChild(document.createTextNode(text.slice(at)));
    return fragment;
  }

  /* A body as read: Markdown's marks and link targets left out, punctuation kept, spaces collapsed. */
  function plain(markdown) {
    return markdown.replace(/!?\[([^\]\n]*)\]\([^)\n]*\)/g, "$1")
      .replace(/^[ \t]*(?:#{1,6}|>+|[-+*] )/gm, " ")
      .replace(/[*`]/g, "")
      .replace(/\s+/g, " ").trim();
  }

  function snippet(text, marks) {  /* about 200 characters around the first matched word */
    var lower = normalised(text), first = -1;
    if (lower.length === text.length) {
      Object.keys(marks).forEach(function (word) {
        var re = new RegExp("(^|[^\\p{L}\\p{N}])" + word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "u");
        var m = re.exec(lower);
        if (m && (first < 0 || m.index < first)) first = m.index + m[1].length;
      });
    }
    if (first < 60) return text.length > 220 ? text.slice(0, text.lastIndexOf(" ", 220) + 1 || 220) + "…" : text;
    var start = text.lastIndexOf(" ", first - 50) + 1;
    var end = text.indexOf(" ", start + 200);
    return "…" + text.slice(start, end < 0 ? undefined : end) + (end < 0 ? "" : " …");
  }

  function setup() {
    var form = document.getElementById("search-form");
    if (!form) return;
    var input = document.getElementById("search-input");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    var more = document.getElementById("search-more");
    var base = form.getAttribute("data-base");
    var root = form.getAttribute("data-root");
    var generation = 0, shown = 0, current = null;

    function card(hit, data, marks) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + data.h;
      link.appendChild(document.createTextNode(data.c + ": "));
      link.appendChild(highlighted(data.t, marks));
      var meta = document.createElement("p");
      meta.className = "muted";
      meta.textContent = data.d + " · " + data.ct;
      item.appendChild(link);
      item.appendChild(meta);
      if (data.u) {
        var subject = document.createElement("p");
        subject.className = "search-subject";
        subject.appendChild(highlighted(data.u, marks));
        item.appendChild(subject);
      }
      var text = document.createElement("p");
      text.className = "search-snippet";
      text.appendChild(highlighted(snippet(plain(data.s), marks), marks));
      item.appendChild(text);
      return item;
    }

    function showPage(mine) {  /* the next PAGE results: only their result files are loaded */
      var block = store.manifest.block, page = current.hits.slice(shown, shown + PAGE);
      var needed = {};
      page.forEach(function (hit) { needed[Math.floor(hit.number / block)] = true; });
      return Promise.all(Object.keys(needed).map(function (n) { return load(base, "results", Number(n)); })).then(function () {
        if (mine !== generation) return;
        page.forEach(function (hit) {
          var data = store.results[Math.floor(hit.number / block)][hit.number % block];
          list.appendChild(card(hit, data, current.marks));
        });
        shown += page.length;
        more.hidden = shown >= current.hits.length;
        list.setAttribute("data-complete", "true");
      });
    }

    function search(text) {
      var mine = ++generation;
      list.textContent = "";
      list.removeAttribute("data-complete");
      more.hidden = true;
      shown = 0;
      if (!text.trim()) { status.textContent = ""; return; }
      status.textContent = say("searching", "Searching…");
      var wants;
      load(base, "manifest", 0).then(function (manifest) {
        var stop = {};
        manifest.stop.forEach(function (word) { stop[word] = true; });
        wants = parse(text, stop);
        var numbers = {};
        wants.forEach(function (want) {
          chunksFor(want).forEach(function (n) { numbers[n] = true; });
        });
        return Promise.all(Object.keys(numbers).map(function (n) { return load(base, "terms", Number(n)); }));
      }).then(function () {
        wants = expanded(wants);  /* an identifier not found whole: the chunks of its words */
        var numbers = {};
        wants.forEach(function (want) { chunksFor(want).forEach(function (n) { if (!store.terms[n]) numbers[n] = true; }); });
        return Promise.all(Object.keys(numbers).map(function (n) { return load(base, "terms", Number(n)); }));
      }).then(function () {
        return Promise.all(redirects(wants).map(function (n) { return load(base, "terms", n); }));
      }).then(function () {
        if (mine !== generation) return;
        current = wants.length ? resolve(wants) : { hits: [], marks: {} };
        var count = current.hits.length;
        status.textContent = counted("results", count, { query: text },
          (count === 1 ? "1 result" : count.toLocaleString("en") + " results") + " for “" + text + "”");
        if (!count) list.setAttribute("data-complete", "true");
        return showPage(mine);
      }).catch(function (error) { if (mine === generation) status.textContent = error.message; });
    }

    more.addEventListener("click", function () { showPage(generation); });
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

  document.addEventListener("DOMContentLoaded", setup);
})();
