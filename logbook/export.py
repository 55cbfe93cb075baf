"""``logbook export``: the packet a user hands to a disputes team, as PDF and/or ZIP.

* ZIP: a standalone evidence page, its stylesheet, the exhibits renamed descriptively
  (``GT-1042_2026-03-16_chat_exhibit-2.png``), and ``MANIFEST.sha256`` in the format
  ``sha256sum -c`` checks.  Entries are sorted and dated ``--as-of``, so the same
  record gives the same archive.
* PDF: the same page through WeasyPrint (an HTML-to-PDF engine), with page numbers and
  a footer naming the case; image exhibits are printed, every exhibit is listed with its
  SHA-256.  WeasyPrint may read only the packet's own files: nothing remote is fetched.
* ``--for PROFILE`` (built in, or ``[profiles.NAME]`` in logbook.toml) chooses what goes in
  (internal notes, which refs, redaction); ``--reason``
  adds a chargeback checklist.  A private case is refused unless ``--include-private``.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from markupsafe import Markup

from logbook.core.clock import packet_zone_line
from logbook.core.models import Config, Profile
from logbook.core.outputs import published_name, safe_file_name
from logbook.core.palette import status_css
from logbook.core.records import quick_pickle
from logbook.core.redact import redact_settings
from logbook.core.timeparse import Moment, zone_named
from logbook.evidence.checklists import CHECKLISTS
from logbook.evidence.derive import CaseView, Entry, SiteView, derive_case
from logbook.load.catalogues import load_language
from logbook.load.config import language_problem
from logbook.load.provenance import removed_records
from logbook.load.stage import load_logbook
from logbook.load.themes import resolve_theme
from logbook.site.render import as_of_text, case_markdown, make_environment
from logbook.store.outfile import OutputFile, write_output
from logbook.store.textfile import copy_regular, read_regular


class ExportError(Exception):
    """The packet cannot be made as asked."""


@quick_pickle
@dataclass(frozen=True, slots=True)
class Packet:
    case_id: str
    html: str
    files: dict[str, Path]  # packet-relative name → source file (exhibits, stylesheet)


def exhibit_name(case_id: str, entry: Entry, number: int, file_name: str) -> str:
    suffix = Path(published_name(file_name)).suffixes
    stem = safe_file_name(f"{case_id}_{entry.interaction.at.date_text()}_{entry.interaction.channel}_exhibit-{number}")
    return stem + "".join(
        suffix[-2:] if published_name(file_name).endswith(".txt") and len(suffix) > 1 else suffix[-1:]
    )


def _renamed(view: CaseView) -> CaseView:
    """The view with exhibits renamed descriptively and placed under exhibits/."""
    by_number = {}
    for entry in view.entries:
        for exhibit in entry.exhibits:
            if exhibit.number not in by_number:
                name = exhibit_name(view.case.id, entry, exhibit.number, exhibit.file_name)
                by_number[exhibit.number] = replace(exhibit, output_name=f"exhibits/{name}")
    entries = tuple(replace(e, exhibits=tuple(by_number[x.number] for x in e.exhibits)) for e in view.entries)
    return replace(view, entries=entries, exhibits=tuple(by_number[x.number] for x in view.exhibits))


def prepare_packet(
    root: Path,
    case_id: str,
    as_of: datetime,
    profile_name: str | None = None,
    reason: str | None = None,
    include_private: bool = False,
    language: str | None = None,
) -> Packet:
    """The packet of one case; *language* is its reader's when not the site's (``--lang``)."""
    root = root.resolve()
    loaded = load_logbook(root)
    case = next((c for c in loaded.logbook.cases if c.id.casefold() == case_id.casefold()), None)
    if case is None:
        raise ExportError(f"no case with id '{case_id}' (logbook check shows why a case may not load)")
    errors = [
        d
        for d in loaded.diagnostics
        if d.is_error
        and d.location.path.startswith(
            str(Path(case.location.path).parent) if case.form == "bundle" else case.location.path
        )
    ]
    if errors:
        raise ExportError(
            f"case '{case.id}' has errors; fix them first: {errors[0].location.path}:"
            f"{errors[0].location.line}: {errors[0].message}"
        )
    if case.private and not include_private:
        raise ExportError(f"case '{case.id}' is private; add --include-private to export it anyway")
    config = _in_language(loaded.logbook.config, language)
    lang = load_language(config.language)
    profile = config.profile(profile_name) if profile_name else Profile()
    if profile is None:
        raise ExportError(f"no profile '{profile_name}'; known: {', '.join(sorted(p.name for p in config.profiles))}")
    if reason and reason not in CHECKLISTS:
        raise ExportError(f"no checklist for reason '{reason}'; known: {', '.join(CHECKLISTS)}")
    if profile.redact is not None:
        config = replace(config, redact=replace(config.redact, enabled=profile.redact))
    config = redact_settings(config)  # type: ignore[assignment]  # the title, the keeper's name
    removed = removed_records(loaded.logbook.cases, loaded.history).get(case.id, ())
    view = _renamed(
        derive_case(case, root, as_of, config, loaded.history, removed, include_private, internal=profile.internal)
    )
    site = SiteView(str(root), config, as_of, (view,), (), loaded.history)  # the packet's one case only
    refs = tuple((k, v) for k, v in view.case.refs if profile.refs is None or k in profile.refs)
    description, messages = case_markdown(view)
    theme = resolve_theme(root, config.theme)
    zone = zone_named(config.timezone)
    zone_key = case.timezone or config.timezone  # the packet's times are in its case's zone
    page = (
        make_environment(theme, lang)
        .get_template("packet.html")
        .render(
            view=view,
            site=site,
            config=config,
            refs=refs,
            profile=profile.name,
            keeper=config.keeper,
            checklist=CHECKLISTS[reason](view, lang) if reason else None,
            stylesheet="style.css",
            status_colours=Markup(status_css(config.statuses)),
            keeper_name=config.keeper_name(),
            zone_name=zone_key,
            zone_line=packet_zone_line(zone_named(zone_key), as_of.year, lang),
            description=description,
            messages=messages,
            as_of=Moment(as_of.astimezone(zone)),
            as_of_text=as_of_text(as_of.astimezone(zone), lang),
            root="",
        )
    )
    files = {x.output_name: root / x.attachment.path for x in view.exhibits if not x.withheld}
    files["style.css"] = theme.static_files()["style.css"]
    return Packet(case.id, page, files)


def _in_language(config: Config, language: str | None) -> Config:
    """The configuration with the packet reader's language (``--lang``) when one is given."""
    if language is None:
        return config
    problem = language_problem(language)
    if problem is not None:
        raise ExportError(f"--lang: {problem[0].removeprefix('[site] ')} ({problem[1]})")
    return replace(config, language=language)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_zip(packet: Packet, target: OutputFile, as_of: datetime) -> list[str]:
    """The ZIP, deterministic: sorted names, fixed timestamps. Returns the names inside.  Written
    beside *target* and renamed onto it (see outfile.py: nothing is ever replaced unless allowed)."""
    folder = f"{packet.case_id}-evidence"
    contents = {f"{folder}/evidence.html": packet.html.encode("utf-8")}
    contents.update({f"{folder}/{name}": read_regular(path) for name, path in packet.files.items()})
    manifest = "".join(f"{_sha256(data)}  {name}\n" for name, data in sorted(contents.items()))
    contents["MANIFEST.sha256"] = manifest.encode()
    stamp = max(as_of, datetime(1980, 1, 1, tzinfo=as_of.tzinfo)).timetuple()[:6]

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(contents):
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, contents[name])

    write_output(target, write)
    return sorted(contents)


def _local_fetcher(weasyprint: object, base: Path) -> object:
    """A URL fetcher that reads only the packet's own files (nothing remote, nothing else on disk)."""
    from urllib.parse import unquote, urlsplit

    def check(url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "file" or not Path(unquote(parts.path)).resolve().is_relative_to(base.resolve()):
            raise ValueError(f"refusing to fetch {url}: packets use only their own files")

    if hasattr(weasyprint, "URLFetcher"):  # WeasyPrint 67 and newer

        class LocalFetcher(weasyprint.URLFetcher):  # type: ignore[name-defined,misc]  # WeasyPrint has no type hints
            def fetch(self, url: str, headers: object = None) -> object:
                check(url)
                return super().fetch(url, headers)

        return LocalFetcher(allowed_protocols=("file",))

    def fetch(url: str, *args: object, **kwargs: object) -> object:
        check(url)
        return weasyprint.default_url_fetcher(url, *args, **kwargs)  # type: ignore[attr-defined]  # WeasyPrint has no type hints

    return fetch


def write_pdf(packet: Packet, target: OutputFile) -> None:
    try:
        import weasyprint  # untyped, and optional: see [[tool.mypy.overrides]] in pyproject.toml
    except (ImportError, OSError) as exc:
        raise ExportError(
            "PDF export needs WeasyPrint, logbook's pdf extra: pip install '.[pdf]' in logbook's folder "
            f"(and the Pango library from your system's packages): {exc}"
        ) from None
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        (base / "evidence.html").write_text(packet.html, encoding="utf-8")
        for name, source in packet.files.items():
            (base / name).parent.mkdir(parents=True, exist_ok=True)
            copy_regular(source, base / name)

        document = weasyprint.HTML(filename=str(base / "evidence.html"), url_fetcher=_local_fetcher(weasyprint, base))
        write_output(target, lambda tmp: document.write_pdf(str(tmp)))
