"""The render stage: SiteView → the site's files, in memory.

Every link is relative (``root`` is the way back to the site's top from the
page being rendered) and points at ``…/index.html`` explicitly, so the site
works opened from disk and under any sub-path.  Two pages can never claim the
same output path.
"""

from __future__ import annotations

import functools
import re
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
from logbook.core.records import quick_pickle
from logbook.core.timeparse import Moment, zone_named
from logbook.evidence.audit import case_findings, ordered_findings
from logbook.evidence.derive import CaseView, Entry, Exhibit, Grouped, SiteView, merge_groups, merge_timeline
from logbook.evidence.wording import duration, entry_name, message_noun, response_parts
from logbook.load.catalogues import LOCALES_DIR, load_language
from logbook.load.themes import Theme, default_theme_dir
from logbook.site.calendar import calendar_ics
from logbook.site.charts import chart_parts, dashboard_charts, mini_timeline
from logbook.site.folding import fold_translations
from logbook.site.messages import render_message
from logbook.site.pagekeys import EVIDENCE, READ_EVIDENCE, PageKeys, reads_evidence
from logbook.site.pages import (
    FACETS,
    TOP,
    ListPage,
    MonthFacets,
    facet_index,
    facet_script,
    list_pages,
    month_facets,
    quietest_first,
    timeline_pages,
    top,
)
from logbook.site.search import SEARCH_FILES, case_keys, index_job, index_key, search_files
from logbook.speed.cache import Drawn, Stamp, digest_text, file_stamp, folder_stamps
from logbook.speed.fragments import FragmentEnvironment, FragmentExtension
from logbook.speed.policy import EachCase, Reuse
from logbook.speed.reuse import (
    Hashed,
    Memo,
    Ref,
    SharedDict,
    SiteReads,
    context_token,
    token,
)
from logbook.speed.workers import run_jobs
from logbook.store.exhibits import human_size
from logbook.validate.status import ENDING_STATUSES

FEED_SIZE = 50
T = TypeVar("T")


class RenderError(Exception):
    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


@quick_pickle
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

    def stamp(self, rel: str) -> Stamp | None: ...

    def link(self, rel: str, published: Path, stamp: Stamp) -> bool: ...


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


def recording_lag(entry: Entry, lang: Language = ENGLISH) -> str:
    """``recorded 2 h after the event`` / ``recorded before the time it gives``; for an entry with a
    date alone, ``recorded on the day of the event`` or ``recorded 3 days after the day of the event``."""
    delta = entry.recording_lag
    if delta is None:
        return ""
    if delta < timedelta(0):
        return lang._("recorded before the time it gives (a planned or forward-dated entry)")
    if not entry.interaction.at.has_time:
        if delta == timedelta(0):
            return lang._("recorded on the day of the event")
        return lang._("recorded {duration} after the day of the event", duration=duration(delta, lang))
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
    env.folding = functools.partial(fold_translations, translations=lang.translations)  # see site/folding.py
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
        lag=lambda entry: recording_lag(entry, lang),
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
        response_parts=_response_parts,
        script_words=script_words(lang),
    )
    env.filters.update(entry_name=lambda i: entry_name(i, lang), message_noun=lambda c: message_noun(c, lang))
    return env


def script_words(lang: Language) -> dict[str, Any]:
    """The words logbook.js and search.js write into a page (search status, the timeline's filter count
    and month counts, the copy button), in the page's language; the scripts keep their English ones
    when a page carries none."""
    return {
        "searching": lang._("Searching…"),
        "results": lang.plural_forms("{n} result for “{query}”", "{n} results for “{query}”"),
        "index_error": lang._("could not load the search index ({file})"),
        "shown_here": lang.plural_forms(
            "{shown} of {n} interaction on this page", "{shown} of {n} interactions on this page"
        ),
        "shown_count": lang.plural_forms("({n} shown)", "({n} shown)"),
        "in_month": lang._("{count} in {month}"),
        "in_logbook": lang._("{count} in the whole logbook"),
        "in_logbook_bounded": lang._("{count} in the whole logbook (each month counted by its rarest filter)"),
        "up_to": lang._("up to {n}"),
        "not_loaded": lang._("the counts of other months could not be loaded"),
        "separator": lang.p_("between clauses", "; "),
        "copy": lang._("Copy link"),
        "copied": lang._("Copied"),
        "copy_prompt": lang._("Copy this link:"),
    }


def _shows_image(message: Markup | None, exhibit: Exhibit) -> bool:
    """Whether a message's own text already shows the image exhibit (``![…](photo.png)``): then its
    figure names the exhibit without printing the picture a second time."""
    return message is not None and f'src="{escape(exhibit.output_name)}"' in message


@jinja2.pass_context
def _response_parts(context: Any, response: Any, ended: bool) -> tuple[str, str, str]:
    """A response sentence's parts, its date the day in the page's zone, as its other times."""
    name = context.get("zone_name")
    return response_parts(response, ended, context.get("lang") or ENGLISH, zone_named(name) if name else None)


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
    """The page's one sentence on its zone (its offsets in the year of the build's moment) and on the
    mark of a date without a time."""
    as_of = context.get("as_of")
    year = context.get("zone_year") or (as_of.when.year if as_of else 2000)
    return zone_note(zone_named(context.get("zone_name") or "UTC"), year, context.get("lang"))


def _environment(theme: Theme, reuse: Reuse, lang: Language) -> FragmentEnvironment:
    """The template environment in the site's language; serve keeps it (and its compiled templates,
    pages and fragments) while no template file and not the language changes."""
    folders = [*theme.template_dirs, str(default_theme_dir() / "templates")]
    return reuse.kept_while(
        "environment",
        lambda: (theme, lang.code, folder_stamps(folders)),
        lambda: make_environment(theme, lang),
    )


@quick_pickle
@dataclass(frozen=True, slots=True)
class PageJob:
    """One page of the site: *template* drawn with the context every page gets and *context*.

    *more* gives context that is costly to make, from the rest of the context alone (a one-off
    build makes it with the page; serve only when the rest changed, as that keys the page);
    *weight* is about how many interactions the page shows (to share the work out evenly);
    *copies* are files published with the page as they are (output path, source, what its content
    is: the exhibit's SHA-256 and size, by which a build takes the copy the last one published);
    *shows_evidence*: the page shows its case views' facts and promise states, which the passing
    time changes (the evidence page), so its key covers them (site/pagekeys.py)."""

    path: str
    template: str
    context: dict[str, Any]
    weight: int = 1
    more: Callable[[], dict[str, Any]] | None = None
    copies: Sequence[tuple[str, Path, str]] = ()
    shows_evidence: bool = False


@quick_pickle
@dataclass(frozen=True, slots=True)
class FileJob:
    """A file of the site not drawn from a template (a search file): *make* gives its content; *key*,
    a digest of everything it is made from, lets a build take it from the site published last."""

    path: str
    make: Callable[[], str | bytes]
    weight: int = 1
    key: str | None = None


@quick_pickle
@dataclass(frozen=True, slots=True)
class FilesJob:
    """Files of the site made together (the search index: its term chunks and result cards are cut
    from one index): *make* gives (output path, content) as each is made, so that each can be
    written before the next is made (a path may come again, when the index is made anew after a
    damaged cache entry: the last content holds); *key* is FileJob's, for each of them."""

    make: Callable[[], Iterable[tuple[str, bytes]]]
    weight: int = 1
    key: str | None = None


Job = PageJob | FileJob | FilesJob


def render_site(
    site: SiteView,
    theme: Theme,
    reuse: Reuse | None = None,
    sink: PageSink | None = None,
    published: Path | None = None,
) -> SiteFiles:
    """Every output file: the page plan (site_plan) drawn; the *reuse* policy decides what is taken from
    before (Markdown bodies and search documents from the build cache; in serve, pages and fragments
    whose inputs are unchanged).  With a *sink*, pages are written there as they are drawn and only
    their paths are returned.  *published* is the output folder, where the last site built may still
    have search shards to reuse."""
    reuse = reuse or Reuse()
    lang = load_language(site.config.language)
    env = _environment(theme, reuse, lang)
    env.fragments = reuse.memo("fragments")
    zone = zone_named(site.config.timezone)
    env.globals["local_date"] = lambda m: f"{m.instant.astimezone(zone):%Y-%m-%d}"
    out = _Output(sink)
    planner = _Planner(site, reuse, zone, lang, _linking(site, theme, reuse, sink, published))
    linked = planner.linking is not None  # then the keys must know of a template reading a view's evidence
    env.watched, env.watched_names = (reads_evidence, EVIDENCE) if linked else (None, frozenset())
    try:
        plan = site_plan(planner, published)
        _draw(plan, _Painter(env, planner.common, site), reuse, out, planner.linking)
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
    out.page("calendar.ics", planner.whole_site("calendar", lambda: calendar_ics(site, planner.lang)))
    out.page("status-colours.css", status_css(site.config.statuses))
    for rel, source in theme.static_files().items():
        out.copy(f"assets/{rel}", source)
    return SiteFiles(out.pages, out.copies, tuple(out.written))


class _Planner:
    """What the page plan is made with: the site, the policy's reuse, and the context every page gets."""

    def __init__(self, site: SiteView, reuse: Reuse, zone: Any, lang: Language, linking: _Linking | None) -> None:
        self.site, self.reuse, self.zone, self.lang, self.linking = site, reuse, zone, lang, linking
        self.common = {
            "site": site,
            "config": site.config,
            "zone_name": site.config.timezone,
            "zone_year": site.as_of.astimezone(zone).year,
        }
        # Only a page whose statements depend on the moment is given it (and states it): see
        # docs/format.md, "As of", and site/pagekeys.py.
        self.judged = {
            "as_of": Moment(site.as_of.astimezone(zone)),
            "as_of_text": as_of_text(site.as_of.astimezone(zone), lang),
        }
        self.site_key = Hashed((token(site.cases), Ref(site.config), site.as_of, Ref(site.history), site.root))

    def shared(self, name: Hashable, items: Iterable[Any], source: object = None) -> Any:
        return self.reuse.shared(name, items, source)

    def whole_site(self, name: str, compute: Callable[[], T]) -> T:
        """A value computed from the whole site (serve keeps it while no case view changes)."""
        return self.reuse.whole_site((name, self.site_key), compute)

    def per_cases(self, name: str, compute: Callable[[CaseView], T], extra: Hashable = None) -> list[T]:
        """What *compute* makes of each case view, in site order, with *extra* (serve makes it again only
        for the views that changed)."""
        return self.reuse.per_cases(name, self.site.cases, compute, extra)

    def combined(self, name: str, parts: Callable[[], Sequence[object]], combine: Callable[[], T]) -> T:
        """A whole-site value that follows from *parts* alone (serve keeps it while they are the same)."""
        return self.reuse.combined(name, parts, combine)

    def timeline(self) -> list[tuple[CaseView, Entry]]:
        """The site's timeline (serve merges the changed cases into last build's)."""
        return list(self.reuse.carry("timeline", lambda last: merge_timeline(self.site.cases, last)).pairs)

    def grouped(self, name: str, group_of: Callable[[CaseView, Entry], str | None]) -> Grouped:
        """Entries by month or by agent (serve regroups only what changed views touch)."""
        return self.reuse.carry(f"grouped {name}", lambda last: merge_groups(self.site.cases, last, group_of))

    def markdown(self, view: CaseView) -> tuple[Markup, dict[str, Markup]]:
        """A case's description and messages as HTML (by content in the build cache; in serve by view)."""
        messages = self.reuse.memo("messages")

        def convert() -> tuple[Markup, dict[str, Markup]]:
            description, html = case_markdown(view, messages)
            return description, SharedDict(html)

        return self.reuse.per_case((view,), "markdown", convert)


def site_plan(planner: _Planner, published: Path | None) -> list[Job]:
    """Every page of the site, in the order they are drawn: the lists, the timeline, search, tags and
    agents, the feed, then one page per case (the theme's template contract: see docs/themes.md)."""
    return [
        *_list_pages(planner),
        *_timeline_pages(planner),
        PageJob("search/index.html", "search.html", {}),
        *_search_jobs(planner.site, planner.reuse, published, planner.linking, planner.per_cases),
        *_tag_and_agent_pages(planner),
        _feed_page(planner),
        *_case_pages(planner),
    ]


def _list_pages(planner: _Planner) -> list[Job]:
    """The dashboard (what needs attention first, the top of each list), the list of cases, and every
    list in full, a bounded page at a time (site/pages.py decides the pages)."""
    site, shared = planner.site, planner.shared
    per_view = planner.reuse.memo("rendered")
    by_status = [(status, shared(("status", status), views)) for status, views in _by_status(site)]
    open_cases = shared("open", quietest_first(v for v in site.cases if v.case.status not in ENDING_STATUSES))
    found = planner.per_cases("findings", lambda view: case_findings(view, site), (site.config, site.as_of))
    ordered = planner.combined("findings", lambda: found, lambda: tuple(ordered_findings(found)))  # never changed
    findings = shared("findings", ordered, ordered)
    dashboard = {
        "open_cases": top(open_cases),
        "open_total": len(open_cases),
        "by_status": tuple((status, len(views)) for status, views in by_status),
        "findings": top(findings),
        "findings_total": len(findings),
        "charts": planner.combined(
            "charts",
            lambda: chart_parts(site, per_view, planner.per_cases),
            lambda: tuple(dashboard_charts(site, per_view, planner.lang)),
        ),
    }
    cases = {"by_status": tuple((status, len(views), top(views)) for status, views in by_status)}
    jobs: list[Job] = [
        PageJob("index.html", "dashboard.html", {**dashboard, **planner.judged}, weight=TOP * 4),
        PageJob("cases/index.html", "cases.html", cases, weight=TOP * len(by_status)),
    ]
    for status, views in by_status:
        for part in list_pages(f"status/{status}", views):
            context = {"status": status, **_list_context(part, planner, views)}
            jobs.append(PageJob(part.path, "case_list.html", context, len(part.rows)))
    for part in list_pages("open", open_cases):
        jobs.append(PageJob(part.path, "open_cases.html", _list_context(part, planner, open_cases), len(part.rows)))
    for part in list_pages("attention", findings):
        context = {**_list_context(part, planner, findings), **planner.judged}
        jobs.append(PageJob(part.path, "attention.html", context, weight=len(part.rows) // 4))
    return jobs


def _timeline_pages(planner: _Planner) -> list[Job]:
    """A page per month in each order (site/pages.py), and the per-month filter counts the pages'
    filters read to count across the whole logbook."""
    site = planner.site
    values = planner.per_cases("filters", _filter_values)
    filters = planner.combined(
        "filters", lambda: [site.config.statuses, *values], lambda: tuple(_timeline_filters(site, values))
    )
    zone = planner.zone
    months = list(planner.grouped("months", lambda view, entry: _month(entry, zone)).groups.items())
    jobs: list[Job] = []
    for month_page in timeline_pages(months):  # months oldest first, each month oldest first
        context = {
            "filters": filters,
            "month": month_page.month,
            "pairs": planner.shared(("timeline", month_page.path), month_page.pairs),  # serve: the same while unchanged
            "newest_first": month_page.newest_first,
            "months": month_page.months,
            "other_order": month_page.other_order,
            **_list_context(month_page.part),
        }
        jobs.append(PageJob(month_page.path, "timeline.html", context, weight=len(month_page.pairs) // 2))

    def facets_of(pairs: Sequence[Any]) -> MonthFacets:
        """A month's filter counts (serve keeps them while the month's entries are the very same:
        merge_groups keeps every month no changed view touches)."""
        count = functools.partial(month_facets, pairs, _facet_values, lambda e: _day(e, zone))
        return planner.reuse.per_case((pairs,), "facets", count)

    def counted() -> list[object]:
        return [(month, len(pairs), facets_of(pairs)) for month, pairs in months]

    script = planner.combined("facets", counted, lambda: facet_script(facet_index(months, facets_of)))
    jobs.append(FileJob(FACETS, functools.partial(_same_bytes, script)))
    return jobs


def _search_jobs(
    site: SiteView, reuse: Reuse, published: Path | None, linking: _Linking | None, each: EachCase
) -> list[Job]:
    """The search index's files: made now in serve from each view's documents (*each* keeps them),
    else made beside the pages from each case's documents, analysed on every core first
    (search.index_job); with *linking*, taken whole from the site published last while their key is
    the same."""
    analysed, per_view = reuse.memo("analysed"), reuse.memo("rendered")
    if per_view is None:
        if linking is None:
            return [FilesJob(*index_job(site, analysed))]
        keys = case_keys(site)
        key = digest_text(index_key(site, keys), linking.keys.common.hex())
        kept = linking.files_kept(key, SEARCH_FILES)
        if kept:  # the files are taken as they are; made only where one cannot be linked after all
            index = functools.cache(lambda: dict(index_job(site, analysed, keys)[0]()))
            return [FileJob(path, functools.partial(_one_of, index, path), 0, key) for path in kept]
        return [FilesJob(*index_job(site, analysed, keys), key)]
    made = search_files(site, analysed, per_view, published, each)
    return [FileJob(path, functools.partial(_same_bytes, script)) for path, script in made.items()]


def _one_of(files: Callable[[], dict[str, bytes]], path: str) -> bytes:
    return files()[path]


def _same_bytes(content: str | bytes) -> str | bytes:
    """A file made already (serve's search files, the facet index): handed to the drawing as it is."""
    return content


def _tag_and_agent_pages(planner: _Planner) -> list[Job]:
    site = planner.site
    jobs: list[Job] = [PageJob("tags/index.html", "tags.html", {})]
    for tag, views in site.tags:
        for part in list_pages(_folder(tag_page(tag)), views):
            context = {
                "tag": tag,
                "description": site.config.tag_description(tag),
                **_list_context(part, planner, views),
            }
            jobs.append(PageJob(part.path, "tag.html", context, weight=len(part.rows)))
    agents = {
        slug: (pairs[-1][1].interaction.agent, planner.shared(("agent", slug), pairs[::-1], pairs))  # newest first
        for slug, pairs in planner.grouped("agents", _agent_of).groups.items()
    }
    jobs.append(PageJob("agents/index.html", "agents.html", {"agents": agents}))
    for slug, (agent, pairs) in agents.items():
        cases = len({view.case.id for view, _ in pairs})
        for part in list_pages(_folder(agent_page(slug)), pairs):
            context = {"agent": agent, "case_count": cases, **_list_context(part, planner, pairs)}
            jobs.append(PageJob(part.path, "agent.html", context, weight=len(part.rows) // 2))
    return jobs


def _feed_page(planner: _Planner) -> PageJob:
    feed = list(reversed(planner.timeline()))[:FEED_SIZE]
    feed_cases = list(dict.fromkeys(view for view, _ in feed))
    return PageJob(
        "feed.xml",
        "feed.xml",
        {"entries": feed},
        weight=sum(len(view.entries) for view in feed_cases),
        more=lambda: {"messages": {view.case.id: planner.markdown(view) for view in feed_cases}},
    )


def _case_pages(planner: _Planner) -> list[Job]:
    site = planner.site

    def exhibit_copies(view: CaseView) -> list[tuple[str, Path, str]]:
        return [
            (
                f"cases/{view.case.id}/{exhibit.output_name}",
                Path(site.root) / exhibit.attachment.path,
                f"{exhibit.facts.sha256} {exhibit.facts.size}",
            )
            for exhibit in view.exhibits
            if not exhibit.withheld
        ]

    def case_context(view: CaseView) -> dict[str, Any]:
        description, messages = planner.markdown(view)
        return {"description": description, "messages": messages}

    return [
        PageJob(
            case_page(view.case.id),
            "case.html",
            {
                "view": view,
                "zone_name": view.case.timezone or site.config.timezone,
                **(planner.judged if view.judged_as_of is not None else {}),  # a settled case states no moment
            },
            weight=4 * len(view.entries) + 1,
            more=functools.partial(case_context, view),
            copies=copies,
            shows_evidence=True,
        )
        for view, copies in zip(site.cases, planner.per_cases("copies", exhibit_copies, site.root))
    ]


class _Painter:
    """Draws a page job with its template: the context every page gets, then the job's own (a case
    page's zone_name wins), the way back to the top (``root``) and the page's own path."""

    def __init__(self, env: FragmentEnvironment, common: dict[str, Any], site: SiteView) -> None:
        self.env, self.common, self.site = env, common, site
        self.key = (Ref(env), token({k: v for k, v in common.items() if k != "site"}))

    def context(self, job: PageJob, reader: Any) -> dict[str, Any]:
        more = job.more() if job.more is not None else {}
        root = "../" * job.path.count("/")
        return {**self.common, "site": reader, **job.context, **more, "root": root, "page_path": job.path}

    def draw(self, job: PageJob, reader: Any = None) -> str:
        """The page's text; *reader* stands in for the site (SiteReads: notes what the page reads)."""
        return self.env.get_template(job.template).render(**self.context(job, reader or self.site))

    def pieces(self, job: PageJob, reader: Any) -> Iterator[str]:
        """The same text, in pieces (for serve's page memo)."""
        return self.env.get_template(job.template).generate(**self.context(job, reader))


@quick_pickle
@dataclass(frozen=True, slots=True)
class _Linking:
    """What a one-off build with the build cache needs to take unchanged pages from the site it
    published last (see site/pagekeys.py): how that site's pages were drawn, and this build's keys."""

    published: Path
    before: dict[str, Drawn]
    keys: PageKeys

    def files_kept(self, key: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
        """The files (paths matching *pattern*) the last build made with *key*, when it made them all with
        it and each is still the file it wrote; () otherwise."""
        made = {path: drawn for path, drawn in self.before.items() if pattern.fullmatch(path)}
        if not made or any(drawn[0] != key for drawn in made.values()):
            return ()
        if any(file_stamp(self.published / path) != drawn[3] for path, drawn in made.items()):
            return ()
        return tuple(sorted(made))


def _linking(
    site: SiteView, theme: Theme, reuse: Reuse, sink: PageSink | None, published: Path | None
) -> _Linking | None:
    """None: every page drawn (no build cache, serve, or no sink to link into)."""
    before = reuse.drawn(published) if sink is not None and published is not None else None
    if before is None or published is None:
        return None
    folders = [*map(Path, theme.template_dirs), default_theme_dir() / "templates", LOCALES_DIR]
    drawn_with = (
        site.config.language,
        site.config.timezone,
        site.as_of.astimezone(zone_named(site.config.timezone)).year,
        _zone_files(site),
    )
    return _Linking(published, before, PageKeys.made(site, drawn_with, folders))


def _zone_files(site: SiteView) -> tuple[tuple[str, Stamp | None], ...]:
    """The stat of the time zone database's file of each zone the site shows times in (an updated
    database may give other offsets; the tzdata package's version is the build cache's, LIBRARIES)."""
    import zoneinfo

    zones = sorted({site.config.timezone, *(v.case.timezone for v in site.cases if v.case.timezone)})
    found = []
    for name in zones:
        paths = [Path(folder) / name for folder in zoneinfo.TZPATH]
        found.append((name, next((stamp for stamp in map(file_stamp, paths) if stamp is not None), None)))
    return tuple(found)


def _draw(plan: list[Job], painter: _Painter, reuse: Reuse, out: _Output, linking: _Linking | None = None) -> None:
    """The plan drawn: serve's page memo draws a page again only when its inputs changed; otherwise
    every page is drawn at the end, on every core, but for the pages *linking* takes from the site
    published last (their key unchanged)."""
    pages = reuse.pages
    if pages is not None:
        seen: dict[int, tuple[Any, Hashable]] = {}
        for job in plan:
            if isinstance(job, FileJob):
                out.page(job.path, job.make())
                continue
            if isinstance(job, FilesJob):
                for path, script in job.make():
                    out.page(path, script)
                continue
            key = (job.template, painter.key, context_token(job.context, seen))
            out.page(job.path, pages.render(job.path, key, painter.site, functools.partial(painter.pieces, job)))
            for rel, source, _ in job.copies:
                out.copy(rel, source)
        return
    pending = [_deferred(job, painter, out, linking) for job in plan]
    results = run_jobs([make for make, _ in pending], [weight for _, weight in pending], reuse.worker_memos())
    drawn: dict[str, Drawn] = {}
    for job, made in zip(plan, results):
        files: dict[str, Made]
        copied: set[str] = set()
        if isinstance(job, FilesJob):  # its paths are known only now
            assert isinstance(made, dict)
            for path in made:
                out.claim(path)
            files = made
        elif isinstance(made, dict):  # a page and its copies (claimed already), with how each was made
            files, copied = made, {rel for rel, _, _ in job.copies} if isinstance(job, PageJob) else set()
        else:
            files = {job.path: made}
        for path, content in files.items():
            if isinstance(content, tuple):
                drawn[path] = content
                content = None
            if path not in copied:
                out.keep(path, content)
    if linking is not None:
        reuse.record_drawn(linking.published, drawn)


Made = bytes | Drawn | None  # a page's content, or (written to the sink already) how it was drawn, or nothing


def _deferred(
    job: Job, painter: _Painter, out: _Output, linking: _Linking | None
) -> tuple[Callable[[], Made | dict[str, Made]], int]:
    """A job as (drawing, weight) for the workers.  With a sink, each worker writes its pages there
    itself, and copies the page's *copies* too: creating thousands of files is slow on some disks,
    and goes faster side by side; the drawing then gives None, or with *linking* how the page was
    drawn (or that it was linked).  A FilesJob's drawing gives that for each of its files, and so does
    a page's with copies (the page's, then each copy's)."""
    sink = out.sink
    if isinstance(job, FilesJob):
        return functools.partial(_files_made, job, sink, linking), job.weight
    make: Callable[[], str | bytes] = job.make if isinstance(job, FileJob) else functools.partial(painter.draw, job)
    copies = job.copies if isinstance(job, PageJob) else ()
    out.claim(job.path)
    if sink is None:
        for rel, source, _ in copies:
            out.copy(rel, source)
        return lambda: _encoded(make()), job.weight
    for rel, _, _ in copies:
        out.claim(rel)

    def draw_and_write() -> Made | dict[str, Made]:
        assert sink is not None
        made: Made = None
        if isinstance(job, PageJob) and linking is not None:
            made = _drawn_or_linked(job, painter, sink, linking)
        elif isinstance(job, FileJob) and job.key is not None and linking is not None:
            made = _made_or_linked(job, sink, linking)
        else:
            sink.write(job.path, _encoded(make()))
        if not copies:
            return made
        return {job.path: made, **_copies_made(copies, sink, linking)}

    return draw_and_write, job.weight + len(copies)


def _copies_made(copies: Sequence[tuple[str, Path, str]], sink: PageSink, linking: _Linking | None) -> dict[str, Made]:
    """A page's copies made in *sink*: each copied, or with *linking* taken from the last site."""
    if linking is None:
        for rel, source, _ in copies:
            sink.copy(rel, source)
        return dict.fromkeys((rel for rel, _, _ in copies), None)
    return {rel: _copied_or_linked(rel, source, what, sink, linking) for rel, source, what in copies}


def _copied_or_linked(rel: str, source: Path, what: str, sink: PageSink, linking: _Linking) -> Drawn | None:
    """An exhibit linked from the site published last when that build copied the same content (*what*:
    its SHA-256 and size) to the same path and the file is still the one it wrote, else copied (a large
    logbook's exhibits are most of its bytes: an edit or a new day should not copy them all again)."""
    key = f"copy {what}"
    known = linking.before.get(rel)
    if known is not None and known[0] == key and sink.link(rel, linking.published, known[3]):
        return known
    sink.copy(rel, source)
    stamp = sink.stamp(rel)
    return None if stamp is None else (key, (), "", stamp)


def _made_or_linked(job: FileJob, sink: PageSink, linking: _Linking) -> Drawn | None:
    """A file linked from the site published last when it was made with the same key, else made."""
    known = linking.before.get(job.path)
    assert job.key is not None  # only a keyed file is made here
    if known is not None and known[0] == job.key and sink.link(job.path, linking.published, known[3]):
        return known
    return _written(job.path, job.make(), job.key, sink, linking)


def _files_made(job: FilesJob, sink: PageSink | None, linking: _Linking | None) -> dict[str, Made]:
    """A FilesJob's files, each written to the *sink* (with *linking*, keyed by the job's key), else kept."""
    files = job.make()
    if sink is None:
        return {path: _encoded(content) for path, content in files}
    if job.key is None or linking is None:
        written: dict[str, Made] = {}
        for path, content in files:
            sink.write(path, content)
            written[path] = None
        return written
    return {path: _written(path, content, job.key, sink, linking) for path, content in files}


def _written(path: str, content: str | bytes, key: str, sink: PageSink, linking: _Linking) -> Drawn | None:
    """A file made with *key* written, and how (None: it cannot be stamped, so not linked next time)."""
    sink.write(path, _encoded(content))
    stamp = sink.stamp(path)
    return None if stamp is None else (key, (), linking.keys.site(()), stamp)


def _drawn_or_linked(job: PageJob, painter: _Painter, sink: PageSink, linking: _Linking) -> Drawn | None:
    """The page linked from the site published last when its key and what it read of the site are
    those it was drawn with, else drawn and written; how it was drawn (None: it has no key).  A page
    whose template read a view's evidence (READ_EVIDENCE among its reads) is keyed with it."""
    keys = linking.keys
    known = linking.before.get(job.path)
    evidence = job.shows_evidence or (known is not None and READ_EVIDENCE in known[1])
    key = keys.page(job.template, job.context, evidence)
    if key is not None and known is not None and known[0] == key and keys.site(known[1]) == known[2]:
        if sink.link(job.path, linking.published, known[3]):
            return known
    reader = SiteReads(painter.site)
    painter.env.noted = False
    sink.write(job.path, _encoded(painter.draw(job, reader)))
    stamp = sink.stamp(job.path)
    if key is None or stamp is None:
        return None
    reads = set(reader._reads)
    if painter.env.noted and not job.shows_evidence:
        reads.add(READ_EVIDENCE)
        key = keys.page(job.template, job.context, True)
        if key is None:
            return None
    return key, tuple(sorted(reads)), keys.site(reads), stamp


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
    hrefs = {e.attachment.path: e.output_name for e in view.exhibits if not e.withheld}  # a withheld one: plain text
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


@quick_pickle
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


def _timeline_filters(site: SiteView, per_case: Sequence[_FilterValues]) -> list[tuple[str, str, list[Any]]]:
    """(field, label, [(value, text)]) for each filter, from the values that occur (*per_case*: each
    case's _filter_values, in site order)."""

    def options(values: set[str]) -> list[tuple[str, str]]:
        return [(v, v) for v in sorted(values) if v]

    tags: set[str] = set()
    channels: set[str] = set()
    counterparties: set[str] = set()
    newest: dict[str, tuple[tuple[Any, ...], str]] = {}
    for values in per_case:
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


def _day(entry: Entry, zone: Any) -> int:
    day: int = entry.interaction.at.instant.astimezone(zone).day
    return day


def _facet_values(view: CaseView, entry: Entry) -> dict[str, tuple[str, ...]]:
    """The filter values one timeline entry carries (the data-* attributes of its list item)."""
    i = entry.interaction
    return {
        "tag": tuple(view.case.tags),
        "status": (view.case.status,),
        "channel": (i.channel,),
        "direction": (i.direction,),
        "counterparty": (view.case.counterparty,) if view.case.counterparty else (),
        "agent": (agent_slug(i.agent),) if i.agent else (),
    }


def _list_context(part: ListPage, planner: _Planner | None = None, whole: Sequence[Any] = ()) -> dict[str, Any]:
    """What a list page's template gets of its place in the list (plain values, so serve keys it),
    and with a *planner* its rows, cut from the *whole* list: in serve the same object as last
    build's while they are (at once when the whole list is the same object)."""
    context: dict[str, Any] = {
        "pager_links": part.pager,
        "page_number": part.number,
        "total": part.total,
        "first": part.first,
    }
    if planner is not None:
        context["rows"] = planner.shared(("rows", part.path), part.rows, whole)
    return context


def _folder(first_page: str) -> str:
    """The folder of a list whose first page is *first_page* (``tags/x/index.html`` → ``tags/x``)."""
    return first_page.removesuffix("/index.html")
