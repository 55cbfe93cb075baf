"""The render stage: SiteView → the site's files, in memory.

Every link is relative (``root`` is the way back to the site's top from the
page being rendered) and points at ``…/index.html`` explicitly, so the site
works opened from disk and under any sub-path.  Two pages can never claim the
same output path.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

import jinja2
from markupsafe import Markup

from . import __version__
from .audit import audit_findings
from .cache import BuildCache, Memo, digest_text
from .calendar import calendar_ics
from .charts import dashboard_charts, mini_timeline
from .derive import CaseView, Entry, SiteView
from .models import Agent
from .diagnostics import Diagnostic, Location, error
from .exhibits import human_size
from .messages import render_message
from .search import search_files
from .themes import Theme, default_theme_dir
from .timeparse import Moment, zone_named


FEED_SIZE = 50


class RenderError(Exception):
    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass(frozen=True, slots=True)
class SiteFiles:
    pages: dict[str, bytes]  # output path → content
    copies: dict[str, Path]  # output path → file to copy


class _Output:
    """Collects output files and refuses a second file at the same path."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.copies: dict[str, Path] = {}

    def _claim(self, path: str) -> None:
        if path in self.pages or path in self.copies:
            raise RenderError([error("output-conflict", f"two outputs want the same path '{path}'", Location(path))])

    def page(self, path: str, html: str) -> None:
        self._claim(path)
        self.pages[path] = html.encode("utf-8")

    def copy(self, path: str, source: Path) -> None:
        self._claim(path)
        self.copies[path] = source


def duration(delta: timedelta | None) -> str:
    """``3 days 4 h``, ``5 h 20 min``, ``12 min``: as a person would say it."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days >= 60:
        return f"about {round(days / 30.44)} months"
    if days:
        return f"{days} day{'s' * (days != 1)}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {mins} min" if mins else "")
    return f"{mins} min"


def recording_lag(delta: timedelta | None) -> str:
    """``recorded 2 h after the event`` / ``recorded before the time it gives``."""
    if delta is None:
        return ""
    if delta < timedelta(0):
        return "recorded before the time it gives (a planned or forward-dated entry)"
    if delta < timedelta(minutes=1):
        return "recorded as it happened"
    return f"recorded {duration(delta)} after the event"


def make_environment(theme: Theme) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(theme.template_dirs),
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(default_theme_dir() / "templates"))}),
    ])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(moment=lambda m: m.display() if m else "", iso=lambda m: m.iso() if m else "",
                       duration=duration, size=human_size, day=lambda d: f"{d.day} {d:%B %Y}",
                       stamp=lambda d: f"{d.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC", lag=recording_lag)
    env.globals.update(version=__version__, agent_slug=agent_slug, mini_timeline=mini_timeline)
    return env


def render_site(site: SiteView, theme: Theme, cache: BuildCache | None = None) -> SiteFiles:
    """Every output file; with a *cache*, Markdown bodies and search documents seen before are reused."""
    env = make_environment(theme)
    out = _Output()
    zone = zone_named(site.config.timezone)
    env.globals["local_date"] = lambda m: f"{m.instant.astimezone(zone):%Y-%m-%d}"
    common = {"site": site, "config": site.config, "as_of": Moment(site.as_of.astimezone(zone)),
              "as_of_text": as_of_text(site.as_of.astimezone(zone))}
    try:
        def page(path: str, template: str, **context: Any) -> None:
            root = "../" * path.count("/")
            out.page(path, env.get_template(template).render(**common, root=root, page_path=path, **context))

        page("index.html", "dashboard.html", open_cases=[v for v in site.cases if v.case.status not in
                                                          ("resolved", "closed")],
             by_status=_by_status(site), findings=audit_findings(site), charts=dashboard_charts(site))
        page("cases/index.html", "cases.html", by_status=_by_status(site))
        timeline = site.timeline()
        messages_by_case = {view.case.id: case_markdown(view, cache.messages if cache else None)
                            for view in site.cases}  # each body rendered once
        filters = _timeline_filters(site, timeline)
        page("timeline/index.html", "timeline.html", months=_months(reversed(timeline), zone), newest_first=True,
             filters=filters)
        page("timeline/oldest/index.html", "timeline.html", months=_months(timeline, zone), newest_first=False,
             filters=filters)
        page("search/index.html", "search.html")
        for path, script in search_files(site, cache.analysed if cache else None).items():
            out.page(path, script)
        page("tags/index.html", "tags.html")
        for tag, views in site.tags:
            page(f"tags/{tag}/index.html", "tag.html", tag=tag, description=site.config.tag_description(tag),
                 cases=views)
        agents = agent_index(timeline)
        page("agents/index.html", "agents.html", agents=agents)
        for slug, (agent, pairs) in agents.items():
            page(f"agents/{slug}/index.html", "agent.html", agent=agent, pairs=pairs)
        out.page("feed.xml", env.get_template("feed.xml").render(
            **common, root="", entries=list(reversed(timeline))[:FEED_SIZE], messages=messages_by_case))
        for view in site.cases:
            base = f"cases/{view.case.id}"
            description, messages = messages_by_case[view.case.id]
            page(f"{base}/index.html", "case.html", view=view, description=description, messages=messages)
            for exhibit in view.exhibits:
                out.copy(f"{base}/{exhibit.output_name}", Path(site.root) / exhibit.attachment.path)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError([error("template-error", exc.message or "template syntax error",
                                 Location(exc.filename or exc.name or "template", exc.lineno or 1))]) from None
    except jinja2.TemplateError as exc:
        raise RenderError([error("template-error", f"template failed: {exc}", Location(_template_from_traceback(exc)))]) from None
    out.page("calendar.ics", calendar_ics(site).decode("utf-8"))
    for rel, source in theme.static_files().items():
        out.copy(f"assets/{rel}", source)
    return SiteFiles(out.pages, out.copies)


def _template_from_traceback(exc: BaseException) -> str:
    tb = exc.__traceback__
    name = "template"
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            name = filename
        tb = tb.tb_next
    return name


def as_of_text(local: datetime) -> str:
    """A date given to --as-of means the end of that day: say so rather than show the next midnight."""
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return f"the end of {(local - timedelta(days=1)):%Y-%m-%d} ({local.tzname()})"
    return Moment(local).display()


def case_markdown(view: CaseView, memo: Memo | None = None) -> tuple[Markup, dict[str, Markup]]:
    """The case description and every message, each rendered once, links pointing at exhibits."""
    hrefs = {e.attachment.path: e.output_name for e in view.exhibits}
    links = repr(sorted(hrefs.items()))

    def html(text: str, source_path: str) -> Markup:
        folder = Path(source_path).parent.as_posix()
        if memo is None:
            return Markup(render_message(text, folder, hrefs.get))
        return Markup(memo.get(digest_text(text, folder, links), lambda: render_message(text, folder, hrefs.get)))

    case = view.case
    messages = {e.anchor: html(e.interaction.body, e.interaction.body_location.path) for e in view.entries}
    return html(case.description, case.description_location.path), messages


def agent_slug(agent: Agent) -> str:
    return slugify(agent.id or agent.name)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "agent"


def agent_index(timeline: list[tuple[CaseView, Entry]]) -> dict[str, tuple[Agent, list[tuple[CaseView, Entry]]]]:
    """Every agent with the interactions they handled, newest first; agents known by id are merged by id."""
    agents: dict[str, tuple[Agent, list[tuple[CaseView, Entry]]]] = {}
    for view, entry in reversed(timeline):
        agent = entry.interaction.agent
        if agent is None:
            continue
        slug = agent_slug(agent)
        agents.setdefault(slug, (agent, []))[1].append((view, entry))
    return dict(sorted(agents.items()))


def _timeline_filters(site: SiteView, timeline: list[tuple[CaseView, Entry]]) -> list[tuple[str, str, list]]:
    """(field, label, [(value, text)]) for each filter, from the values that occur."""
    def options(values: set[str]) -> list[tuple[str, str]]:
        return [(v, v) for v in sorted(values) if v]
    agents = {agent_slug(e.interaction.agent): e.interaction.agent.display() for _, e in timeline if e.interaction.agent}
    return [
        ("tag", "Tag", options({t for v in site.cases for t in v.case.tags})),
        ("status", "Case status", [(s, s) for s in site.config.statuses]),
        ("channel", "Channel", options({e.interaction.channel for _, e in timeline})),
        ("direction", "Direction", [("in", "received"), ("out", "sent"), ("internal", "internal note")]),
        ("counterparty", "Counterparty", options({v.case.counterparty or "" for v in site.cases})),
        ("agent", "Agent", sorted(agents.items(), key=lambda item: item[1].casefold())),
    ]


def _by_status(site: SiteView) -> list[tuple[str, list[CaseView]]]:
    statuses = list(site.config.statuses)
    groups = {s: [v for v in site.cases if v.case.status == s] for s in statuses}
    return [(s, groups[s]) for s in statuses]


def _months(pairs: Iterable[tuple[CaseView, Entry]], zone: Any) -> list[tuple[str, list[tuple[CaseView, Entry]]]]:
    def month(pair: tuple[CaseView, Entry]) -> str:
        local: datetime = pair[1].interaction.at.instant.astimezone(zone)
        return f"{local:%Y-%m}"
    return [(key, list(group)) for key, group in itertools.groupby(pairs, key=month)]
