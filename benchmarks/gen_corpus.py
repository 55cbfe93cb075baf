"""A deterministic (seeded) generator of valid logbooks for benchmarks and scale tests.

    python benchmarks/gen_corpus.py --cases 1000 --per-case 10 --out /tmp/corpus-M [--seed 1] [--form hugo]

Sizes used by the benchmark: S = 100 × 10, M = 1,000 × 10, L = 10,000 × 10 (interaction
files plus one case.md each).  Bodies are 1.5–3 KB of Markdown: paragraphs, quotes, lists
and links.  Every generated logbook passes `logbook check` with no diagnostics; ``--form``
writes the same content laid out for Hugo, MkDocs or Pelican.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

COMPANIES = [
    "GadgetTown",
    "Northbank Telecom",
    "Skyways Air",
    "Hearthvale Furniture",
    "Cloudpress",
    "Flatline Broadband",
    "Brightwatt Energy",
    "Parcelpoint",
    "Medora Insurance",
    "Quickcart",
]
PEOPLE = ["Maria", "Jonas", "Petra", "Sam", "Priya", "Dev", "Aisha", "Ben", "Kim", "Lopez", "Arjun", "Lena"]
PRODUCTS = [
    "blender",
    "router",
    "sofa",
    "phone contract",
    "annual plan",
    "suitcase",
    "kettle",
    "monitor",
    "meter reading",
]
PROBLEMS = [
    "arrived broken",
    "was charged twice",
    "never arrived",
    "stopped working after a week",
    "was cancelled without notice",
    "shows the wrong amount",
    "was refunded only in part",
]
CHANNELS = ["email", "chat", "phone", "social", "sms", "letter", "in-person", "portal", "note"]
ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
SENTENCES = [
    "I am writing about order {order}, which {problem}.",
    "Your colleague {agent} told me on the phone that this would be sorted within five working days.",
    "Please confirm in writing what will happen next and by when.",
    "I have attached the photos and the delivery note to my earlier email.",
    "We have escalated your case to the team responsible, who will contact you shortly.",
    "Thank you for your patience while we look into the {product}.",
    "The refund of {amount} has not reached my account, although it was promised for last week.",
    "As discussed, I am keeping a record of every contact in this matter.",
]


def paragraph(rng: random.Random, facts: dict[str, str]) -> str:
    return " ".join(rng.choice(SENTENCES).format(**facts) for _ in range(rng.randint(3, 6)))


def body(rng: random.Random, facts: dict[str, str]) -> str:
    parts: list[str] = []
    while sum(len(p) for p in parts) < rng.randint(1500, 3000):
        kind = rng.random()
        if kind < 0.55:
            parts.append(paragraph(rng, facts))
        elif kind < 0.7:
            parts.append("> " + paragraph(rng, facts))
        elif kind < 0.85:
            parts.append("\n".join(f"- {rng.choice(SENTENCES).format(**facts)}" for _ in range(rng.randint(2, 4))))
        else:
            parts.append(
                f"See the [help page](https://support.example.com/{facts['order'].lower()}) and **reference "
                f"{facts['order']}**."
            )
    return "\n\n".join(parts) + "\n"


@dataclass(frozen=True)
class Item:
    slug: str
    at: datetime
    title: str
    channel: str
    direction: str
    agent: tuple[str, str] | None
    promise: tuple[str, datetime] | None
    body: str


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    status: str
    opened: datetime
    counterparty: str
    order: str
    amount: str
    zone: str
    summary: str
    items: tuple[Item, ...]


def build_model(cases: int, per_case: int, seed: int = 1) -> list[Case]:
    """The content, independent of layout: every form writes exactly this."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, 9, 0)
    model = []
    for n in range(cases):
        company = rng.choice(COMPANIES)
        order = f"{company[:2].upper()}-{rng.randint(100000, 999999)}"
        facts = {
            "order": order,
            "problem": rng.choice(PROBLEMS),
            "agent": rng.choice(PEOPLE),
            "product": rng.choice(PRODUCTS),
            "amount": f"{rng.randint(10, 900)}.{rng.randint(0, 99):02d} EUR",
        }
        opened = start + timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 600))
        status = rng.choice(["open", "waiting", "escalated", "resolved"])
        zone = rng.choice(ZONES)
        summary = paragraph(rng, facts)
        items, moment = [], opened
        for k in range(per_case):
            moment += timedelta(hours=rng.randint(1, 120), minutes=rng.randint(0, 59))
            channel = rng.choice(CHANNELS)
            direction = "internal" if channel == "note" else rng.choice(["in", "out"])
            agent = (rng.choice(PEOPLE), f"A-{rng.randint(1, 40)}") if direction == "in" else None
            promise = (
                (f"Reply within {rng.randint(1, 10)} days", moment + timedelta(days=rng.randint(1, 14)))
                if rng.random() < 0.2
                else None
            )
            items.append(
                Item(
                    f"{k:03d}-{channel}-{direction}",
                    moment,
                    f"{channel.title()} about {order}",
                    channel,
                    direction,
                    agent,
                    promise,
                    body(rng, facts),
                )
            )
        model.append(
            Case(
                f"C-{n:05d}",
                f"The {facts['product']} {facts['problem']}",
                status,
                opened,
                company,
                order,
                facts["amount"],
                zone,
                summary,
                tuple(items),
            )
        )
    return model


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _yaml_item(item: Item, date_key: str) -> str:
    lines = [
        f"{date_key}: {item.at:%Y-%m-%dT%H:%M}:00Z",
        f"title: {item.title}",
        f"channel: {item.channel}",
        f"direction: {item.direction}",
    ]
    if item.agent:
        lines.append(f"agent: {item.agent[0]} ({item.agent[1]})")
    if item.promise:
        lines.append(f"promises:\n  - what: {item.promise[0]}\n    due: {item.promise[1]:%Y-%m-%d}")
    return "\n".join(lines)


def write_logbook(model: list[Case], out: Path) -> int:
    _write(out / "logbook.toml", '[site]\ntitle = "Benchmark logbook"\ntimezone = "Europe/Berlin"\n')
    files = 1
    for case in model:
        folder = out / "cases" / case.id
        _write(
            folder / "case.md",
            f"---\ntitle: {case.title}\nstatus: {case.status}\nopened: {case.opened:%Y-%m-%d}\n"
            f"counterparty: {case.counterparty}\nrefs:\n  order: {case.order}\n"
            f"amount: {case.amount}\ntimezone: {case.zone}\n---\n{case.summary}\n",
        )
        for item in case.items:
            _write(folder / f"{item.slug}.md", f"---\n{_yaml_item(item, 'at')}\n---\n{item.body}")
        files += 1 + len(case.items)
    return files


HUGO_CONFIG = """baseURL = 'https://example.org/'
title = 'Benchmark logbook'
disableKinds = ['taxonomy', 'term', 'rss', 'sitemap', 'robotsTXT', '404']
"""
HUGO_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02 15:04 -0700" }} {{ .Params.channel }} {{ .Params.direction }}
{{ with .Params.agent }}{{ . }}{{ end }}</p>
{{ with .Params.promises }}<ul>{{ range . }}<li>{{ .what }}: due {{ .due }}</li>{{ end }}</ul>{{ end }}
<article>{{ .Content }}</article></body></html>
"""
HUGO_LIST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<h1>{{ .Title }}</h1><article>{{ .Content }}</article>
<ol>{{ range .Pages.ByDate }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ol>
</body></html>
"""
HUGO_HOME = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Timeline</title></head><body><h1>Timeline</h1>
<ol>{{ range .Site.RegularPages.ByDate }}<li>{{ .Date.Format "2006-01-02 15:04" }} <a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ol>
</body></html>
"""


def write_hugo(model: list[Case], out: Path) -> int:
    _write(out / "hugo.toml", HUGO_CONFIG)
    for name, text in (("single", HUGO_PAGE), ("list", HUGO_LIST), ("home", HUGO_HOME)):
        _write(out / "layouts" / f"{name}.html", text)
    files = 0
    for case in model:
        folder = out / "content" / "cases" / case.id
        _write(
            folder / "_index.md",
            f"---\ntitle: {case.title}\ndate: {case.opened:%Y-%m-%dT%H:%M}:00Z\n"
            f"status: {case.status}\n---\n{case.summary}\n",
        )
        for item in case.items:
            _write(folder / f"{item.slug}.md", f"---\n{_yaml_item(item, 'date')}\n---\n{item.body}")
        files += 1 + len(case.items)
    return files


MKDOCS_CONFIG = """site_name: Benchmark logbook
docs_dir: docs
site_dir: site
use_directory_urls: false
theme:
  name: null
  custom_dir: theme
plugins: []
"""
MKDOCS_MAIN = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head><body>
<h1>{{ page.title }}</h1><p>{{ page.meta.at }} {{ page.meta.channel }} {{ page.meta.direction }} {{ page.meta.agent }}</p>
{% if page.meta.promises %}<ul>{% for p in page.meta.promises %}<li>{{ p.what }}: due {{ p.due }}</li>{% endfor %}</ul>{% endif %}
<article>{{ page.content }}</article></body></html>
"""


def write_mkdocs(model: list[Case], out: Path) -> int:
    _write(out / "mkdocs.yml", MKDOCS_CONFIG)
    _write(out / "theme" / "main.html", MKDOCS_MAIN)
    _write(out / "docs" / "index.md", "# Benchmark logbook\n")
    files = 1
    for case in model:
        folder = out / "docs" / "cases" / case.id
        _write(folder / "case.md", f"---\ntitle: {case.title}\nstatus: {case.status}\n---\n{case.summary}\n")
        for item in case.items:
            _write(folder / f"{item.slug}.md", f"---\n{_yaml_item(item, 'at')}\n---\n{item.body}")
        files += 1 + len(case.items)
    return files


PELICAN_CONFIG = """SITENAME = 'Benchmark logbook'
PATH = 'content'
TIMEZONE = 'UTC'
DEFAULT_LANG = 'en'
THEME = 'theme'
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
DIRECT_TEMPLATES = ['index']
TAG_SAVE_AS = CATEGORY_SAVE_AS = AUTHOR_SAVE_AS = ARCHIVES_SAVE_AS = ''
DEFAULT_PAGINATION = False
ARTICLE_URL = ARTICLE_SAVE_AS = '{category}/{slug}.html'
RELATIVE_URLS = True
CACHE_CONTENT = LOAD_CONTENT_CACHE = False
"""
PELICAN_ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ article.title }}</title></head><body>
<h1>{{ article.title }}</h1><p>{{ article.date.isoformat() }} {{ article.channel }} {{ article.direction }}</p>
<article>{{ article.content }}</article></body></html>
"""
PELICAN_INDEX = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Timeline</title></head><body>
<ol>{% for a in articles %}<li>{{ a.date.isoformat() }} <a href="{{ a.url }}">{{ a.title }}</a></li>{% endfor %}</ol>
</body></html>
"""


def write_pelican(model: list[Case], out: Path) -> int:
    _write(out / "pelicanconf.py", PELICAN_CONFIG)
    _write(out / "theme" / "templates" / "article.html", PELICAN_ARTICLE)
    _write(out / "theme" / "templates" / "index.html", PELICAN_INDEX)
    for stub in ("base", "page", "category", "tag", "author", "archives", "tags", "categories", "authors"):
        _write(out / "theme" / "templates" / f"{stub}.html", "<!doctype html><html><body></body></html>\n")
    files = 0
    for case in model:
        folder = out / "content" / case.id
        _write(
            folder / "case.md",
            f"Title: {case.title}\nDate: {case.opened:%Y-%m-%d %H:%M}\nSlug: {case.id}\n"
            f"Category: {case.id}\n\n{case.summary}\n",
        )
        for item in case.items:
            _write(
                folder / f"{item.slug}.md",
                f"Title: {item.title}\nDate: {item.at:%Y-%m-%d %H:%M}\n"
                f"Slug: {case.id}-{item.slug}\nCategory: {case.id}\n"
                f"Channel: {item.channel}\nDirection: {item.direction}\n\n{item.body}",
            )
        files += 1 + len(case.items)
    return files


WRITERS = {"logbook": write_logbook, "hugo": write_hugo, "mkdocs": write_mkdocs, "pelican": write_pelican}


def generate(out: Path, cases: int, per_case: int, seed: int = 1, form: str = "logbook") -> int:
    return WRITERS[form](build_model(cases, per_case, seed), out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--per-case", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--form", choices=sorted(WRITERS), default="logbook")
    args = parser.parse_args()
    files = generate(args.out, args.cases, args.per_case, args.seed, args.form)
    print(f"wrote {files:,} files to {args.out}")


if __name__ == "__main__":
    main()
