"""The render stage: SiteView → the site's files, in memory.

Every link is relative (``root`` is the way back to the site's top from the
page being rendered) and points at ``…/index.html`` explicitly, so the site
works opened from disk and under any sub-path.  Two pages can never claim the
same output path.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

import jinja2
from markupsafe import Markup, escape

from logbook import __version__
from logbook.core.clock import time_html, zone_note
from logbook.core.diagnostics import Diagnostic, Location, error
from logbook.core.language import ENGLISH, N_, Language
from logbook.core.models import chronology_key
from logbook.core.outputs import agent_page, agent_slug, case_page, tag_page
from logbook.core.palette import status_css
from logbook.core.timeparse import Moment, zone_named
from logbook.evidence.audit import audit_findings
from logbook.evidence.derive import CaseView, Entry, Exhibit, Grouped, SiteView, merge_groups, merge_timeline
from logbook.evidence.wording import duration, entry_name, message_noun, response_parts
from logbook.load.catalogues import load_language
from logbook.load.themes import Theme, default_theme_dir
from logbook.site.calendar import calendar_ics
from logbook.site.charts import dashboard_charts, mini_timeline
from logbook.site.messages import render_message
from logbook.site.search import search_files, search_jobs
from logbook.speed.cache import BuildCache, digest_text
from logbook.speed.reuse import FragmentEnvironment, FragmentExtension, Memo, Ref, SharedDict, stable, token
from logbook.speed.workers import run_jobs
from logbook.store.exhibits import human_size

FEED_SIZE = 50
T = TypeVar("T")


class RenderError(Exception):
    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass(frozen=True, slots=True)
class SiteFiles:
    pages: dict[str, bytes]  # output path → content
    copies: dict[str, Path]  # output path → file to copy (with a PageSink: those not copied there yet)
    written: tuple[str, ...] = ()  # output paths already written to the PageSink, in no particular order

    @property
    def count(self) -> int:
        return len(self.pages) + len(self.written)


class PageSink(Protocol):
    """Where a one-off build writes pages as soon as they are drawn (publish.Staging), so that no
    process holds the whole site in memory.  Called from worker processes too."""

    def write(self, rel: str, content: bytes) -> None: ...

    def copy(self, rel: str, source: Path) -> None: ...


class _Output:
    """Collects output files (or hands pages to a *sink*) and refuses a second file at the same path."""

    def __init__(self, sink: PageSink | None = None) -> None:
        self.pages: dict[str, bytes] = {}
        self.copies: dict[str, Path] = {}
        self.written: list[str] = []
        self.sink = sink
        self._claimed: set[str] = set()

    def claim(self, path: str) -> None:
        if path in self._claimed:
            raise RenderError([error("output-conflict", f"two outputs want the same path '{path}'", Location(path))])
        self._claimed.add(path)

    def page(self, path: str, html: str | bytes) -> None:
        self.claim(path)
        self.keep(path, _encoded(html))

    def keep(self, path: str, content: bytes | None) -> None:
        """A claimed page: written to the sink (None: a worker has written it there), or kept in memory."""
        if self.sink is None:
            assert content is not None
            self.pages[path] = content
            return
        if content is not None:
            self.sink.write(path, content)
        self.written.append(path)

    def copy(self, path: str, source: Path) -> None:
        self.claim(path)
        self.copies[path] = source


def recording_lag(delta: timedelta | None, lang: Language = ENGLISH) -> str:
    """``recorded 2 h after the event`` / ``recorded before the time it gives``."""
    if delta is None:
        return ""
    if delta < timedelta(0):
        return lang._("recorded before the time it gives (a planned or forward-dated entry)")
    if delta < timedelta(minutes=1):
        return lang._("recorded as it happened")
    return lang._("recorded {duration} after the event", duration=duration(delta, lang))


def make_environment(theme: Theme, lang: Language = ENGLISH) -> FragmentEnvironment:
    """The templates' environment in the reader's language: ``{% trans %}`` and ``_()`` from its
    catalogue, and every filter that shows a date, a duration or an amount in its forms."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(theme.template_dirs),
            jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(default_theme_dir() / "templates"))}),
        ]
    )
    env = FragmentEnvironment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=[FragmentExtension, "jinja2.ext.i18n"],
    )
    env.install_gettext_translations(lang.translations, newstyle=True)  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
    env.filters.update(
        moment=_moment,
        instant=_instant,
        iso=lambda m: m.iso() if m else "",
        duration=lambda d: duration(d, lang),
        size=lambda size: human_size(size, lang),
        day=lang.day,
        shortdate=lambda m: lang.date(m.when),
        month=lambda key: lang.month(int(key[:4]), int(key[5:7])),  # a "2026-10" key of the timeline
        amount=lambda a: lang.amount(a.value, a.currency),
        number=lang.number,
        stamp=lambda d: f"{lang.date(d.astimezone(UTC))} {lang.clock(d.astimezone(UTC))} UTC",
        lag=lambda d: recording_lag(d, lang),
        status=lambda s: lang.p_("status", s),
        channel=lambda c: lang.p_("channel", c),
        role=lambda r: lang.p_("party role", r),
    )
    env.globals.update(
        version=__version__,
        lang=lang,
        Markup=Markup,  # a translated sentence's markup around a value: Markup("<strong>%s</strong>")|format(n)
        agent_slug=agent_slug,
        mini_timeline=lambda view, zone_name: mini_timeline(view, zone_name, lang),
        times_note=_times_note,
        shows_image=_shows_image,
        response_parts=lambda response, ended: response_parts(response, ended, lang),
        script_words=script_words(lang),
    )
    env.filters.update(entry_name=lambda i: entry_name(i, lang), message_noun=lambda c: message_noun(c, lang))
    return env


def script_words(lang: Language) -> dict[str, Any]:
    """The words logbook.js writes into a page (search status, filter count, the copy button), in the
    page's language; the script keeps its English ones when a page carries none."""
    return {
        "searching": lang._("Searching…"),
        "results": lang.plural_forms("{n} result for “{query}”", "{n} results for “{query}”"),
        "results_so_far": lang.plural_forms("{n} result so far… for “{query}”", "{n} results so far… for “{query}”"),
        "shown": lang.plural_forms("{shown} of {n} interaction", "{shown} of {n} interactions"),
        "copy": lang._("Copy link"),
        "copied": lang._("Copied"),
        "copy_prompt": lang._("Copy this link:"),
        "shard_error": lang._("could not load search shard {n}"),
    }


def _shows_image(message: Markup | None, exhibit: Exhibit) -> bool:
    """Whether a message's own text already shows the image exhibit (``![…](photo.png)``): then its
    figure names the exhibit without printing the picture a second time."""
    return message is not None and f'src="{escape(exhibit.output_name)}"' in message


@jinja2.pass_context
def _moment(context: Any, moment: Moment | None) -> Markup:
    """A moment in the page's zone (``zone_name`` in its context; as recorded when the page has none)."""
    name = context.get("zone_name")
    return time_html(moment, zone_named(name) if name else None, context.get("lang"))


@jinja2.pass_context
def _instant(context: Any, when: datetime) -> Markup:
    """A computed instant (a status's start) in the page's zone: no recorded offset to keep."""
    name = context.get("zone_name")
    return time_html(Moment(when.astimezone(zone_named(name)) if name else when), None, context.get("lang"))


@jinja2.pass_context
def _times_note(context: Any) -> str:
    """The page's one sentence on its zone and on the mark of a date without a time."""
    as_of = context.get("as_of")
    return zone_note(
        zone_named(context.get("zone_name") or "UTC"), as_of.when.year if as_of else 2000, context.get("lang")
    )


def _environment(theme: Theme, cache: BuildCache | None, lang: Language) -> FragmentEnvironment:
    """The template environment; an incremental cache keeps it (and its compiled templates, pages and
    fragments) while no template file and not the language changes."""
    if cache is None or not cache.incremental:
        return make_environment(theme, lang)
    stamp = (theme, lang.code, tuple(_file_stamps([*theme.template_dirs, str(default_theme_dir() / "templates")])))
    known = cache.runtime.get("environment")
    if known is None or known[0] != stamp:
        known = cache.runtime["environment"] = (stamp, make_environment(theme, lang))
    env: FragmentEnvironment = known[1]
    return env


def _file_stamps(folders: list[str]) -> Iterable[tuple[str, int, int, int]]:
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            st = path.stat()
            yield str(path), st.st_size, st.st_mtime_ns, st.st_ino


def render_site(
    site: SiteView,
    theme: Theme,
    cache: BuildCache | None = None,
    sink: PageSink | None = None,
    published: Path | None = None,
) -> SiteFiles:
    """Every output file; with a *cache*, Markdown bodies and search documents seen before are reused,
    and an incremental cache (serve) also reuses pages and fragments whose inputs are unchanged.
    With a *sink*, pages are written there as they are drawn and only their paths are returned.
    *published* is the output folder, where the last site built may still have search shards to reuse."""
    lang = load_language(site.config.language)
    env = _environment(theme, cache, lang)
    incremental = cache is not None and cache.incremental
    env.fragments = cache.fragments if incremental else None  # type: ignore[union-attr]  # cache is a BuildCache whenever incremental is true (serve)
    out = _Output(sink)
    zone = zone_named(site.config.timezone)
    env.globals["local_date"] = lambda m: f"{m.instant.astimezone(zone):%Y-%m-%d}"
    common = {
        "site": site,
        "config": site.config,
        "as_of": Moment(site.as_of.astimezone(zone)),
        "as_of_text": as_of_text(site.as_of.astimezone(zone), lang),
        "zone_name": site.config.timezone,
    }
    common_key = (Ref(env), token({k: v for k, v in common.items() if k != "site"}))
    site_key = (token(site.cases), Ref(site.config), site.as_of, Ref(site.history), site.root)

    per_view = cache.rendered if incremental else None  # type: ignore[union-attr]  # cache is a BuildCache whenever incremental is true (serve)

    def chronology() -> list[tuple[CaseView, Entry]]:
        """The site's timeline; an incremental cache merges the changed cases into last build's."""
        if not incremental:
            return site.timeline()
        assert cache is not None
        merged = merge_timeline(site.cases, cache.runtime.get("timeline"))
        cache.runtime["timeline"] = merged
        return list(merged.pairs)

    def month_of() -> Callable[[CaseView, Entry], str]:
        """Each entry's month in the site's zone (a new zone means a new configuration, so new views)."""
        return lambda view, entry: _month(entry, zone)

    def grouped(name: str, group_of: Callable[[CaseView, Entry], str | None]) -> Grouped:
        """Entries by month or by agent; an incremental cache regroups only what changed views touch."""
        if not incremental:
            return merge_groups(site.cases, None, group_of)
        assert cache is not None
        merged = merge_groups(site.cases, cache.runtime.get(f"grouped {name}"), group_of)
        cache.runtime[f"grouped {name}"] = merged
        return merged

    def shared(name: Hashable, items: Iterable[Any], source: object = None) -> Any:
        """A list handed to templates, the same object as last build's while its items are (see reuse.stable)."""
        if not incremental:
            return tuple(items)  # a tuple either way, so that even printing it gives the same page
        assert cache is not None
        return stable(cache.rendered, name, items, source)

    def per_case(view: CaseView, name: str, compute: Callable[[CaseView], T]) -> T:
        """What *compute* makes of one case view; an incremental cache keeps it while the view lives."""
        if not incremental:
            return compute(view)
        assert cache is not None
        return cache.rendered.by_identity((view,), name, lambda: compute(view))  # type: ignore[no-any-return]  # a memo table holds values of any type; the key says which

    def whole_site(name: str, compute: Callable[[], T]) -> T:
        """A value computed from the whole site: an incremental cache keeps it while no case view changes."""
        if not incremental:
            return compute()
        assert cache is not None
        return cache.rendered.get((name, site_key), compute)  # type: ignore[no-any-return]  # a memo table holds values of any type; the key says which

    pending: list[tuple[str, Callable[[], bytes | None], int]] = []  # a one-off build's pages, drawn at the end

    def later(
        path: str, make: Callable[[], str | bytes], weight: int = 1, copies: Sequence[tuple[str, Path]] = ()
    ) -> None:
        """A file drawn with the others at the end, in worker processes when there are cores to spare
        (each writes its pages to the sink itself, and copies the page's *copies* there too: creating
        thousands of files is slow on some disks, and goes faster side by side)."""
        out.claim(path)
        if sink is None:
            for rel, source in copies:
                out.copy(rel, source)
            pending.append((path, lambda: _encoded(make()), weight))
            return
        for rel, _ in copies:
            out.claim(rel)

        def draw_and_write() -> None:
            sink.write(path, _encoded(make()))
            for rel, source in copies:
                sink.copy(rel, source)

        pending.append((path, draw_and_write, weight + len(copies)))

    try:

        def page(
            path: str,
            template: str,
            weight: int = 1,
            more: Callable[[], dict[str, Any]] | None = None,
            copies: Sequence[tuple[str, Path]] = (),
            **context: Any,
        ) -> None:
            """One page; *more* gives context that is costly to make, from the rest of the context alone (a
            one-off build makes it with the page; serve only when the rest changed, as that keys the page),
            *weight* is about how many interactions the page shows (to share the work out evenly), *copies*
            are files published with the page as they are (output path, source)."""
            root = "../" * path.count("/")

            def draw(reader: Any = site, context: dict[str, Any] = context) -> str:
                return env.get_template(template).render(
                    **{**common, "site": reader, **context}, root=root, page_path=path
                )

            def pieces(reader: Any, context: dict[str, Any]) -> Iterator[str]:  # the same text, in pieces
                return env.get_template(template).generate(
                    **{**common, "site": reader, **context}, root=root, page_path=path
                )  # a case page's zone_name wins

            if not incremental:
                later(path, (lambda: draw(site, {**context, **more()})) if more is not None else draw, weight, copies)
                return
            assert cache is not None
            full: Callable[[], dict[str, Any]] = (
                (lambda: {**context, **more()}) if more is not None else (lambda: context)
            )
            out.page(
                path,
                cache.pages.render(
                    env, path, (template, common_key, token(context)), site, lambda reader: pieces(reader, full())
                ),
            )
            for rel, source in copies:
                out.copy(rel, source)

        entries = sum(len(view.entries) for view in site.cases)
        by_status = [(status, shared(("status", status), views)) for status, views in _by_status(site)]
        page(
            "index.html",
            "dashboard.html",
            weight=len(site.cases),
            open_cases=shared("open", (v for v in site.cases if v.case.status not in ("resolved", "closed"))),
            by_status=by_status,
            findings=shared("findings", whole_site("findings", lambda: audit_findings(site, (), per_view))),
            charts=whole_site("charts", lambda: dashboard_charts(site, per_view, lang)),
        )
        page("cases/index.html", "cases.html", weight=len(site.cases), by_status=by_status)
        timeline = chronology()

        def markdown(view: CaseView) -> tuple[Markup, dict[str, Markup]]:
            if incremental:
                assert cache is not None

                def convert() -> tuple[Markup, dict[str, Markup]]:
                    description, messages = case_markdown(view, cache.messages)
                    return description, SharedDict(messages)

                return cache.rendered.by_identity((view,), "markdown", convert)  # type: ignore[no-any-return]  # a memo table holds values of any type; the key says which
            return case_markdown(view, cache.messages if cache else None)

        def exhibit_copies(view: CaseView) -> list[tuple[str, Path]]:
            return [
                (f"cases/{view.case.id}/{exhibit.output_name}", Path(site.root) / exhibit.attachment.path)
                for exhibit in view.exhibits
            ]

        def case_context(view: CaseView) -> dict[str, Any]:
            description, messages = markdown(view)
            return {"description": description, "messages": messages}

        filters = whole_site(
            "filters", lambda: _timeline_filters(site, lambda view: per_case(view, "filters", _filter_values))
        )
        months = list(grouped("months", month_of()).groups.items())  # oldest first, each month oldest first
        page(
            "timeline/index.html",
            "timeline.html",
            weight=entries // 2,
            newest_first=True,
            filters=filters,
            months=[(month, shared(("newest", month), pairs[::-1], pairs)) for month, pairs in reversed(months)],
        )
        page(
            "timeline/oldest/index.html",
            "timeline.html",
            weight=entries // 2,
            newest_first=False,
            filters=filters,
            months=[(month, shared(("oldest", month), pairs, pairs)) for month, pairs in months],
        )
        page("search/index.html", "search.html")
        if incremental:
            for path, script in search_files(site, cache.analysed, cache.rendered, published).items():  # type: ignore[union-attr]  # cache is a BuildCache whenever incremental is true (serve)
                out.page(path, script)
        else:
            for path, make, weight in search_jobs(site, cache.analysed if cache else None, published):
                later(path, make, weight)
        page("tags/index.html", "tags.html")
        for tag, views in site.tags:
            page(tag_page(tag), "tag.html", tag=tag, description=site.config.tag_description(tag), cases=views)
        agents = {
            slug: (pairs[-1][1].interaction.agent, shared(("agent", slug), pairs[::-1], pairs))  # newest first
            for slug, pairs in grouped("agents", _agent_of).groups.items()
        }
        page("agents/index.html", "agents.html", agents=agents)
        for slug, (agent, pairs) in agents.items():
            page(agent_page(slug), "agent.html", weight=len(pairs) // 2, agent=agent, pairs=pairs)
        feed = list(reversed(timeline))[:FEED_SIZE]
        feed_cases = list(dict.fromkeys(view for view, _ in feed))
        page(
            "feed.xml",
            "feed.xml",
            weight=sum(len(view.entries) for view in feed_cases),
            entries=feed,
            more=lambda: {"messages": {view.case.id: markdown(view) for view in feed_cases}},
        )
        for view in site.cases:
            page(
                case_page(view.case.id),
                "case.html",
                weight=4 * len(view.entries) + 1,
                view=view,
                zone_name=view.case.timezone or site.config.timezone,
                more=functools.partial(case_context, view),
                copies=per_case(view, "copies", exhibit_copies),
            )
        for path, content in zip(
            [path for path, _, _ in pending],
            run_jobs(
                [make for _, make, _ in pending],
                [weight for _, _, weight in pending],
                [cache.messages, cache.analysed] if cache is not None else (),
            ),
        ):
            out.keep(path, content)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(
            [
                error(
                    "template-error",
                    exc.message or "template syntax error",
                    Location(exc.filename or exc.name or "template", exc.lineno or 1),
                )
            ]
        ) from None
    except jinja2.TemplateError as exc:
        raise RenderError(
            [error("template-error", f"template failed: {exc}", Location(_template_from_traceback(exc)))]
        ) from None
    out.page("calendar.ics", whole_site("calendar", lambda: calendar_ics(site, lang)))
    out.page("status-colours.css", status_css(site.config.statuses))
    for rel, source in theme.static_files().items():
        out.copy(f"assets/{rel}", source)
    return SiteFiles(out.pages, out.copies, tuple(out.written))


def _encoded(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


def _template_from_traceback(exc: BaseException) -> str:
    tb = exc.__traceback__
    name = "template"
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            name = filename
        tb = tb.tb_next
    return name


def as_of_text(local: datetime, lang: Language = ENGLISH) -> str:
    """A date given to --as-of means the end of that day: say so rather than show the next midnight."""
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return lang._("the end of {date} ({zone})", date=lang.date(local - timedelta(days=1)), zone=local.tzname())
    if lang.is_source:
        return Moment(local).display()
    return f"{lang.date(local)} {lang.clock(local)} {local.tzname()} ({Moment(local).offset_text()})"


def case_markdown(view: CaseView, memo: Memo | None = None) -> tuple[Markup, dict[str, Markup]]:
    """The case description and every message, each rendered once, links pointing at exhibits.

    With a *memo*, a case's HTML is kept as one zlib-compressed entry, keyed by every text it was made
    from: half the time of compressing each message on its own, and under half the bytes."""
    hrefs = {e.attachment.path: e.output_name for e in view.exhibits}
    case = view.case
    sources = [
        (case.description, case.description_location.path),
        *((e.interaction.body, e.interaction.body_location.path) for e in view.entries),
    ]

    def rendered() -> list[str]:
        return [render_message(text, Path(path).parent.as_posix(), hrefs.get) for text, path in sources]

    if memo is None:
        html = rendered()
    else:
        key = digest_text(
            "case", str(len(sources)), repr(sorted(hrefs.items())), *(part for source in sources for part in source)
        )
        html = memo.get_compressed(key, lambda: _MESSAGE_END.join(rendered()).encode()).decode().split(_MESSAGE_END)
    return Markup(html[0]), {e.anchor: Markup(text) for e, text in zip(view.entries, html[1:])}


_MESSAGE_END = "\x00"  # between messages in a memo entry: never in their HTML (markdown-it-py makes NUL U+FFFD)


def _agent_of(view: CaseView, entry: Entry) -> str | None:
    """The agent page an entry is listed on (agents known by id are merged by id)."""
    agent = entry.interaction.agent
    return agent_slug(agent) if agent is not None else None


@dataclass(frozen=True, slots=True)
class _FilterValues:
    """What one case adds to the timeline's filter choices."""

    tags: frozenset[str]
    channels: frozenset[str]
    counterparty: str
    agents: dict[str, tuple[tuple[Any, ...], str]]  # slug → (timeline key of its newest entry here, name shown)


def _filter_values(view: CaseView) -> _FilterValues:
    agents: dict[str, tuple[tuple[Any, ...], str]] = {}
    for entry in view.entries:  # chronological: the newest entry's name wins, as on the whole timeline
        agent = entry.interaction.agent
        if agent is not None:
            agents[agent_slug(agent)] = ((chronology_key(entry.interaction), view.case.id), agent.display())
    return _FilterValues(
        frozenset(view.case.tags),
        frozenset(e.interaction.channel for e in view.entries),
        view.case.counterparty or "",
        agents,
    )


def _timeline_filters(
    site: SiteView, values_of: Callable[[CaseView], _FilterValues]
) -> list[tuple[str, str, list[Any]]]:
    """(field, label, [(value, text)]) for each filter, from the values that occur."""

    def options(values: set[str]) -> list[tuple[str, str]]:
        return [(v, v) for v in sorted(values) if v]

    tags: set[str] = set()
    channels: set[str] = set()
    counterparties: set[str] = set()
    newest: dict[str, tuple[tuple[Any, ...], str]] = {}
    for view in site.cases:
        values = values_of(view)
        tags |= values.tags
        channels |= values.channels
        counterparties.add(values.counterparty)
        for slug, seen in values.agents.items():
            if slug not in newest or seen[0] > newest[slug][0]:
                newest[slug] = seen
    agents = {slug: name for slug, (_, name) in newest.items()}
    return [
        ("tag", N_("Tag"), options(tags)),  # labels and direction words translated where shown
        ("status", N_("Case status"), [(s, s) for s in site.config.statuses]),
        ("channel", N_("Channel"), options(channels)),
        (
            "direction",
            N_("Direction"),
            [("in", N_("received")), ("out", N_("sent")), ("internal", N_("internal note"))],
        ),
        ("counterparty", N_("Counterparty"), options(counterparties)),
        ("agent", N_("Agent"), sorted(agents.items(), key=lambda item: item[1].casefold())),
    ]


def _by_status(site: SiteView) -> list[tuple[str, list[CaseView]]]:
    statuses = list(site.config.statuses)
    groups = {s: [v for v in site.cases if v.case.status == s] for s in statuses}
    return [(s, groups[s]) for s in statuses]


def _month(entry: Entry, zone: Any) -> str:
    local: datetime = entry.interaction.at.instant.astimezone(zone)
    return f"{local:%Y-%m}"
