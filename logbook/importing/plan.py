"""The whole import decided before anything is written: read every source, skip what is recorded,
route the rest, and say what could not be read — as values, for the CLI to report or write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from logbook.core.diagnostics import Diagnostic, Location, error, warning
from logbook.core.models import Case, Config
from logbook.core.outputs import ID_RE
from logbook.core.records import quick_pickle
from logbook.core.timeparse import TimeError, parse_moment, zone_named
from logbook.load.stage import LoadResult, load_logbook
from logbook.speed.cache import open_cache
from logbook.speed.policy import DiskReuse

from .mail import MailError, message_key, read_email
from .model import Incoming, Origin
from .routing import Route, Router
from .sources import SourceError, detect_format, read_chat, read_emails
from .whatsapp import ChatError, read_chat_export


@quick_pickle
@dataclass(frozen=True, slots=True)
class ImportRequest:
    sources: tuple[Path, ...]
    case_id: str | None = None
    new_case: tuple[str, str] | None = None  # (id, title)
    me: tuple[str, ...] = ()
    fmt: str = "auto"
    date_order: str | None = None


@quick_pickle
@dataclass(frozen=True, slots=True)
class Planned:
    message: Incoming
    case_id: str
    direction: str
    how: str  # why it goes there: "--case", "thread", "ref GT-889123"


@quick_pickle
@dataclass(frozen=True, slots=True)
class Unplaced:
    message: Incoming
    reason: str


@quick_pickle
@dataclass(frozen=True, slots=True)
class ImportPlan:
    planned: tuple[Planned, ...]
    already: int  # messages whose id is already recorded (or repeated within this import)
    unplaced: tuple[Unplaced, ...]
    system_lines: int  # chat lines without a sender, not imported
    diagnostics: tuple[Diagnostic, ...]
    new_case: tuple[str, str] | None
    cases: dict[str, Case] = field(default_factory=dict)  # the loaded cases the plan writes to, by id
    config: Config = field(default_factory=Config)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


@dataclass
class _Read:
    """What reading the sources gave: messages not recorded yet, and everything worth saying."""

    messages: list[Incoming] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    already: int = 0
    system_lines: int = 0
    chat_keys: dict[str, list[str]] = field(default_factory=dict)  # every message key of each chat source


def load_cached(root: Path, save: bool = False) -> LoadResult:
    """The logbook, loaded through the build cache (a re-import of a big mailbox would otherwise
    parse every interaction again); with *save*, the cache is written back, keeping what builds
    stored (after an import wrote something, so that the next one finds it parsed)."""
    store = open_cache(root)
    store.load_tables()
    loaded = load_logbook(root, DiskReuse(store))
    if save:
        store.save(prune=False)
    return loaded


def plan_import(root: Path, request: ImportRequest) -> ImportPlan:
    loaded = load_cached(root)
    config = loaded.logbook.config
    problems = [d for d in loaded.diagnostics if d.is_error]
    if problems:
        first = problems[0]
        return _refused(
            error(
                "import-logbook-errors",
                f"the logbook has {len(problems)} error(s); fix them first "
                f"(logbook check): {first.location.path}:{first.location.line}: {first.message}",
                first.location,
            )
        )
    cases = {case.id.casefold(): case for case in loaded.logbook.cases}
    target, refusal = _target(request, cases)
    if refusal:
        return _refused(refusal)
    recorded = {i.message_id for case in loaded.logbook.cases for i in case.interactions if i.message_id}
    read = _read_sources(request, recorded)
    if any(d.code == "import-unreadable" for d in read.diagnostics):  # a source named by mistake: import nothing
        return ImportPlan((), read.already, (), read.system_lines, tuple(read.diagnostics), None)
    me = {x.casefold() for x in (*request.me, *config.me.addresses, *config.me.names)}
    if not me and read.messages:
        read.diagnostics.append(
            warning(
                "import-no-me",
                "no --me given and no [me] in logbook.toml: every message is recorded as received (direction in)",
                Location(str(request.sources[0])),
            )
        )
    router = Router(loaded.logbook.cases)
    chats = _chat_routes(read.messages, router, read.chat_keys) if not target else {}
    planned, unplaced = [], []
    for message in sorted(read.messages, key=time_order):
        route = Route(target, "--case") if target else chats.get(message.origin.source) or router.route(message)
        if route.case_id is None:
            unplaced.append(Unplaced(message, route.how))
            continue
        case = cases.get(route.case_id.casefold())
        problem = _time_problem(message, (case.timezone if case else None) or config.timezone)
        if problem:
            unplaced.append(Unplaced(message, problem))
            read.diagnostics.append(
                error(
                    "import-bad-message",
                    f"{message.origin.within()}: {problem}; not imported",
                    Location(message.origin.source, message.origin.line),
                )
            )
            continue
        router.place(message, route.case_id)
        direction = "out" if me.intersection(message.sender_ids) else "in"
        planned.append(Planned(message, route.case_id, direction, route.how))
    used = {p.case_id.casefold() for p in planned}
    return ImportPlan(
        tuple(planned),
        read.already,
        tuple(unplaced),
        read.system_lines,
        tuple(read.diagnostics),
        request.new_case,
        {c.id: c for k, c in cases.items() if k in used},
        config,
    )


def _chat_routes(messages: list[Incoming], router: Router, chat_keys: dict[str, list[str]]) -> dict[str, Route]:
    """A chat export is routed as a whole: to the case holding its messages already recorded (a later
    export of the same chat), else by the refs named anywhere in its new messages."""
    texts: dict[str, list[str]] = {}
    for message in messages:
        if message.channel == "chat":
            texts.setdefault(message.origin.source, []).append(message.route_text)
    routes = {}
    for source, parts in texts.items():
        placed = set().union(*(router.thread_case.get(key, set()) for key in chat_keys.get(source, ())))
        if len(placed) == 1:  # its earlier messages are recorded in one case: the chat goes on there
            routes[source] = Route(next(iter(placed)), "the chat's earlier messages")
            continue
        probe = Incoming(
            key="",
            origin=Origin(source),
            at=datetime(2000, 1, 1),
            channel="chat",
            sender=None,
            sender_ids=(),
            recipient=None,
            cc=None,
            subject=None,
            body="",
            attachments=(),
            original=None,
            route_text="\n".join(parts),
        )
        route = router.route(probe)
        routes[source] = Route(route.case_id, f"{route.how}, read over the whole chat")
    return routes


def _time_problem(message: Incoming, zone_name: str) -> str | None:
    """Why the message's time cannot be written in the case (a local time the clocks skip), or None."""
    try:
        parse_moment(message.at_text(), zone_named(zone_name))
    except TimeError as exc:
        return f"its time {message.at_text()} cannot be recorded in {zone_name}: {exc}"
    return None


def _refused(diagnostic: Diagnostic) -> ImportPlan:
    return ImportPlan((), 0, (), 0, (diagnostic,), None)


def _target(request: ImportRequest, cases: dict[str, Case]) -> tuple[str | None, Diagnostic | None]:
    """The case every message goes to (--case, --new-case), or None to route each one."""
    where = Location(str(request.sources[0]) if request.sources else ".")
    if request.new_case:
        case_id = request.new_case[0]
        if not ID_RE.fullmatch(case_id):
            return None, error(
                "invalid-id",
                f"'{case_id}' is not a valid case id: letters, digits, '.', '_' and "
                "'-', starting with a letter or digit",
                where,
            )
        if case_id.casefold() in cases:
            return None, error(
                "import-case-exists", f"case '{case_id}' already exists; import into it with --case", where
            )
        return case_id, None
    if request.case_id:
        case = cases.get(request.case_id.casefold())
        if case is None:
            return None, error(
                "import-no-case",
                f"no case with id '{request.case_id}'",
                where,
                "create it with --new-case ID --title '…', or with logbook new",
            )
        return case.id, None
    return None, None


def time_order(message: Incoming) -> tuple[float, str, int]:
    at = message.at if message.at.tzinfo else message.at.replace(tzinfo=UTC)
    return at.timestamp(), message.origin.source, message.origin.index or 0


def _read_sources(request: ImportRequest, recorded: set[str]) -> _Read:
    read = _Read()
    seen = set(recorded)
    for path in request.sources:
        shown = str(path.absolute())
        try:
            fmt = detect_format(path) if request.fmt == "auto" else request.fmt
            if fmt == "whatsapp":
                _read_chat(path, shown, request, seen, read)
            else:
                _read_mailbox(path, shown, fmt, seen, read)
        except (SourceError, ChatError) as exc:
            read.diagnostics.append(error("import-unreadable", f"{path.name} {exc}", Location(shown)))
    return read


def _read_mailbox(path: Path, shown: str, fmt: str, seen: set[str], read: _Read) -> None:
    for raw in read_emails(path, fmt):
        origin = Origin(shown, raw.index, raw.line)
        key = message_key(raw.data)
        if key in seen:
            read.already += 1
            continue
        seen.add(key)
        try:
            message, warnings = read_email(raw.data, origin, key)
        except MailError as exc:
            read.diagnostics.append(
                error("import-bad-message", f"{origin.within()}: {exc}; not imported", Location(shown, raw.line))
            )
            continue
        except Exception as exc:  # the stdlib parser on hostile input: reported, never a traceback
            read.diagnostics.append(
                error(
                    "import-bad-message",
                    f"{origin.within()}: cannot be parsed ({type(exc).__name__}: {exc}); not imported",
                    Location(shown, raw.line),
                )
            )
            continue
        read.diagnostics.extend(
            warning("import-date", f"{origin.within()}: {text}", Location(shown, raw.line)) for text in warnings
        )
        read.messages.append(message)


def _read_chat(path: Path, shown: str, request: ImportRequest, seen: set[str], read: _Read) -> None:
    result = read_chat_export(read_chat(path), shown, request.date_order)
    read.system_lines += result.system_lines
    read.chat_keys[shown] = [message.key for message in result.messages]
    for message in result.messages:
        if message.key in seen:
            read.already += 1
            continue
        seen.add(message.key)
        read.messages.append(message)
