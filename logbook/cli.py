"""The command line: a thin shell that parses arguments, runs a stage and prints.

This is the one place that prints, turns domain errors into messages, and picks
exit codes: 0 clean, 1 problems found (errors, or warnings with --strict), 2 usage.
Heavy modules are imported inside the commands so ``logbook --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from logbook import __version__
from logbook.core.diagnostics import printable

if TYPE_CHECKING:
    from logbook.core.diagnostics import Diagnostic

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line (``logbook serve: error: argument --port: …``), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {printable(message)} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    """A TCP port: 0 (any free one) to 65535."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a port: use 1 to 65535, or 0 for any free one")
    return number


def _file_name(text: str) -> Path:
    """A file to write: a name, not an empty string or a folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty file name")
    if text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"'{text}' names a folder; give a file name")
    return Path(text)


def _folder_name(text: str) -> Path:
    """A folder to write into: not an empty string (which would mean the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name")
    return Path(text)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="logbook", description="Dispute-ready static sites from plain-text customer-service records.")
    parser.add_argument("--version", action="version", version=f"logbook {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser("check", help="validate the logbook and report every problem")
    check.add_argument("path", nargs="?", default=".", type=Path, help="the logbook folder (default: .)")
    check.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text (default), json, or github (workflow annotations)",
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings too")

    build = commands.add_parser("build", help="check, then publish the site")
    build.add_argument("path", nargs="?", default=".", type=Path, help="the logbook folder (default: .)")
    build.add_argument("--out", type=_folder_name, help="output folder (default: PATH/_site)")
    build.add_argument(
        "--as-of",
        metavar="DATE",
        help="judge deadlines as of this date or date-time (default: the end of yesterday in the logbook's zone)",
    )
    build.add_argument("--strict", action="store_true", help="refuse to publish when there are warnings")
    build.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="build from nothing, ignoring and not writing the build cache",
    )

    audit = commands.add_parser("audit", help="list what is overdue or due soon; exit 1 when anything is overdue")
    audit.add_argument("path", nargs="?", default=".", type=Path, help="the logbook folder (default: .)")
    audit.add_argument("--as-of", metavar="DATE", help="review as of this date or date-time (default: now)")
    audit.add_argument("--format", choices=("text", "json"), default="text")

    export = commands.add_parser("export", help="the evidence packet of one case: PDF and/or ZIP")
    export.add_argument("case_id", metavar="CASE")
    export.add_argument("--pdf", type=_file_name, metavar="FILE", help="write the packet as a PDF")
    export.add_argument(
        "--zip", type=_file_name, metavar="FILE", help="write the evidence page, exhibits and MANIFEST.sha256"
    )
    export.add_argument(
        "--force",
        action="store_true",
        help="replace FILE if it exists (never a file of the logbook, never one that is not regular)",
    )
    export.add_argument(
        "--for",
        dest="profile",
        metavar="PROFILE",
        help="audience profile: bank, supervisor, internal, or one from [profiles] in logbook.toml",
    )
    export.add_argument(
        "--reason",
        choices=("not-received", "not-as-described", "credit-not-processed"),
        help="add the chargeback evidence checklist for this reason",
    )
    export.add_argument("--include-private", action="store_true", help="allow exporting a private case")
    export.add_argument(
        "--lang", metavar="LANG", help="the packet's language when not the site's (en, or a catalogue's: de, fr, …)"
    )
    export.add_argument("--as-of", metavar="DATE", help="judge deadlines as of this date (default: now)")
    export.add_argument("-C", "--logbook", dest="path", default=Path("."), type=Path, help="the logbook folder")

    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild on change and reload the browser")
    serve.add_argument("path", nargs="?", default=".", type=Path, help="the logbook folder (default: .)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--out", type=_folder_name, help="output folder (default: PATH/_site)")
    serve.add_argument("--as-of", metavar="DATE", help="judge deadlines as of this date (default: now)")

    _authoring_commands(commands)

    schema = commands.add_parser("schema", help="print JSON Schemas for case and interaction front matter")
    schema.add_argument("kind", nargs="?", choices=("case", "interaction"), help="only this schema")
    schema.add_argument("--out", type=_folder_name, help="write case.schema.json and interaction.schema.json here")
    schema.add_argument("-C", "--logbook", dest="path", default=Path("."), type=Path, help="the logbook folder")
    return parser


def _example(commands: Any, name: str, help: str, example: str) -> argparse.ArgumentParser:
    """A writing command's parser, its --help ending with a worked example."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help,
        description=help[:1].upper() + help[1:] + ".",
        epilog="example:\n" + example,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


class _PromiseAction(argparse.Action):
    """``--promise TEXT`` starts a promise; ``--due``, ``--promise-id`` and ``--by`` after it belong to it."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, value: Any, option: str | None = None
    ) -> None:
        promises = list(getattr(namespace, "promises", None) or [])
        if self.dest == "what":
            promises.append({"what": value})
        elif not promises:
            parser.error(f"{option} must come after the --promise it belongs to")
        elif self.dest in promises[-1]:
            parser.error(f"{option} is given twice for the promise '{promises[-1]['what']}'")
        else:
            promises[-1][self.dest] = value
        namespace.promises = promises


def _logbook_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "-C",
        "--logbook",
        dest="path",
        default=Path("."),
        type=Path,
        help="the logbook folder (default: the one you are in, found upward like git)",
    )


def _authoring_commands(commands: Any) -> None:
    init = _example(
        commands,
        "init",
        "start a new logbook (a git repository; the first commit is made)",
        '  logbook init my-disputes --title "Alex\'s disputes" --timezone Europe/London',
    )
    init.add_argument("path", nargs="?", default=".", type=Path, help="folder to create it in (default: .)")
    init.add_argument("--title", default="Logbook", help="site title")
    init.add_argument("--timezone", default="UTC", help="IANA zone for times written without an offset")

    new = _example(
        commands,
        "new",
        "create a case",
        '  logbook new SM-7781 --title "Called ShenMart: refund not received" --counterparty ShenMart \\\n'
        '      --amount "64.50 USD" --ref order=HA-1 --opened 2026-11-02 --tag refund-delayed',
    )
    new.add_argument("case_id", metavar="CASE-ID")
    new.add_argument("--title", required=True, help="one line saying what the case is about")
    new.add_argument("--counterparty", help="the other side: a company or a customer")
    new.add_argument("--amount", help="money at stake: a number and a currency code, e.g. '64.50 USD'")
    new.add_argument(
        "--ref",
        action="append",
        default=[],
        metavar="NAME=NUMBER",
        help="a reference number, e.g. order=HA-1 (repeatable)",
    )
    new.add_argument("--opened", metavar="WHEN", help="when the dispute began (default: today)")
    new.add_argument(
        "--party",
        action="append",
        default=[],
        metavar="NAME:ROLE",
        help="another party and its role, e.g. 'Northbank:card-issuer' (repeatable)",
    )
    new.add_argument("--timezone", metavar="ZONE", help="IANA zone of this case's local times, e.g. Europe/London")
    new.add_argument("--tag", action="append", default=[], help="a tag from logbook.toml's [tags] (repeatable)")
    new.add_argument("--background", metavar="TEXT", help="what happened and what you want ('-' reads standard input)")
    new.add_argument("--single-file", action="store_true", help="one Markdown file instead of a bundle folder")
    _logbook_option(new)
    _recording_commands(commands)
    _import_command(commands)


def _recording_commands(commands: Any) -> None:
    """The commands that record one thing in a case: add, status, close, followup."""
    add = _example(
        commands,
        "add",
        "record an interaction (stamped now unless --at)",
        "  logbook add SM-7781 --channel phone --direction out --agent 'Maria (A-12)' \\\n"
        "      -m 'She said the refund was approved.' \\\n"
        "      --promise 'Refund of 64.50 USD' --due 2026-11-16 --promise-id refund",
    )
    add.add_argument("case_id", metavar="CASE-ID")
    add.add_argument("--channel", required=True, help="email, chat, phone, letter, note, … (logbook.toml's channels)")
    add.add_argument(
        "--direction",
        required=True,
        choices=("in", "out", "internal"),
        help="in: you received it; out: you sent or said it; internal: a note to yourself",
    )
    add.add_argument("--at", metavar="WHEN", help="when (default: now, in the case's zone)")
    add.add_argument("--title")
    add.add_argument("--agent", help="e.g. 'Maria (A-12)'")
    add.add_argument("--from", dest="sender")
    add.add_argument("--to", dest="recipient")
    add.add_argument("--ref", help="their message or case number")
    add.add_argument("--subject", help="the subject line")
    add.add_argument("-m", "--message", default="", help="the message text ('-' reads standard input)")
    add.add_argument("--attach", nargs="+", default=[], type=Path, metavar="FILE", help="files to copy into the case")
    add.add_argument(
        "--promise",
        dest="what",
        action=_PromiseAction,
        metavar="TEXT",
        help="a promise made here (repeatable; --due, --promise-id, --by after it belong to it)",
    )
    add.add_argument("--due", dest="due", action=_PromiseAction, metavar="WHEN", help="when the promise is due")
    add.add_argument(
        "--promise-id",
        dest="id",
        action=_PromiseAction,
        metavar="ID",
        help="a short name to keep it by (default: made from its words)",
    )
    add.add_argument(
        "--by",
        dest="by",
        action=_PromiseAction,
        metavar="NAME",
        help="who made the promise (default: for a message received, its --agent or --party; else you)",
    )
    add.add_argument("--fulfils", action="append", default=[], metavar="ID", help="a promise this keeps (repeatable)")
    add.add_argument("--status", metavar="STATUS", help="the case's status from now on (also set in the case)")
    add.add_argument("--key", action="store_true", help="mark it as a key fact of the case")
    add.add_argument("--party", metavar="NAME", help="which party of the case this was with")
    add.add_argument(
        "--evidence",
        action="append",
        default=[],
        metavar="KIND",
        help="what this proves, a mark of the evidence checklist (repeatable)",
    )
    add.add_argument("--no-edit", action="store_true", help="do not open $EDITOR")
    _logbook_option(add)
    _case_state_commands(commands)


def _case_state_commands(commands: Any) -> None:
    """status, close, followup: a change of a case's state, or a letter confirming a call."""
    status = _example(
        commands,
        "status",
        "record a change of a case's status (a note) and set it in the case",
        "  logbook status SM-7781 escalated -m 'Complaint sent to the card issuer.'",
    )
    status.add_argument("case_id", metavar="CASE-ID")
    status.add_argument("status", metavar="STATUS", help="the new status (logbook.toml's statuses)")
    status.add_argument("--at", metavar="WHEN", help="when it changed (default: now, in the case's zone)")
    status.add_argument("-m", "--message", default="", help="a note saying why")
    _logbook_option(status)

    close = _example(
        commands,
        "close",
        "close a case: status closed, when, and a summary",
        "  logbook close SM-7781 --summary 'Refund of 64.50 USD received on 2026-11-20.'",
    )
    close.add_argument("case_id", metavar="CASE-ID")
    close.add_argument("--summary", required=True, help="how the case ended")
    close.add_argument("--at", metavar="WHEN", help="when it closed (default: now, in the case's zone)")
    close.add_argument("--force", action="store_true", help="close it although promises are still pending")
    _logbook_option(close)

    followup = _example(
        commands,
        "followup",
        "print a follow-up email confirming a call in writing",
        "  logbook followup SM-7781 --record --to support@shenmart.example",
    )
    followup.add_argument("case_id", metavar="CASE-ID")
    followup.add_argument("interaction", nargs="?", help="its #anchor (e-20260311-1520) or number; default: last call")
    followup.add_argument("--record", action="store_true", help="also record it as an outbound email")
    followup.add_argument("--to", dest="recipient", help="recipient, when recording")
    followup.add_argument("--at", metavar="WHEN", help="when it was sent, when recording (default: now)")
    followup.add_argument("--lang", metavar="LANG", help="the email's language (default: the site's)")
    _logbook_option(followup)


def _import_command(commands: Any) -> None:
    imp = _example(
        commands,
        "import",
        "record emails (.eml, mbox, Maildir) and WhatsApp exports as interactions",
        "  logbook import ~/Downloads/order-HA-1.eml --case SM-7781 --me me@example.com",
    )
    imp.add_argument(
        "sources",
        nargs="+",
        type=Path,
        metavar="SOURCE",
        help="an .eml, an mbox, a Maildir folder, a WhatsApp export (.txt or .zip)",
    )
    target = imp.add_mutually_exclusive_group()
    target.add_argument("--case", dest="case_id", metavar="ID", help="put every message in this case")
    target.add_argument("--new-case", metavar="ID", help="create this case (with --title) and put every message in it")
    imp.add_argument("--title", help="the new case's title (with --new-case)")
    imp.add_argument(
        "--me",
        action="append",
        default=[],
        metavar="ADDRESS_OR_NAME",
        help="an address or chat name that is you: its messages are 'out' (repeatable; also [me] in logbook.toml)",
    )
    imp.add_argument("--format", dest="fmt", choices=("auto", "eml", "mbox", "maildir", "whatsapp"), default="auto")
    imp.add_argument(
        "--date-order",
        choices=("dmy", "mdy", "ymd"),
        help="a chat export's dates: day-first, month-first or year-first (default: decided from the whole file)",
    )
    imp.add_argument("--dry-run", action="store_true", help="say where each message would go; write nothing")
    _logbook_option(imp)


def _display_path(root: Path, rel: str) -> str:
    full = root / rel
    try:
        shown = os.path.relpath(full)
    except ValueError:
        return str(full)
    return str(full) if shown.startswith("../../") else shown


def _print_diagnostics(diagnostics: Sequence[Diagnostic], root: Path, fmt: str, stream: TextIO) -> None:
    from logbook.core.diagnostics import format_github, format_text, to_json

    paths = [_display_path(root, d.location.path) for d in diagnostics]
    if fmt == "json":
        print(to_json(diagnostics, paths), file=stream)
        return
    formatter = format_github if fmt == "github" else format_text
    for diagnostic, path in zip(diagnostics, paths):
        print(formatter(diagnostic, path), file=stream)


def _logbook_root(path: Path) -> Path:
    if not _is_folder(path):
        raise SystemExit(_usage(f"'{path}' is not a folder"))
    return path.resolve()


def _is_folder(path: Path) -> bool:
    """``Path.is_dir`` without its exceptions (a name too long, a loop of links: not a folder)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _usage(message: str) -> int:
    print(f"logbook: error: {printable(message)}", file=sys.stderr)
    return EXIT_USAGE


def run_check(args: argparse.Namespace) -> int:
    from logbook.build import check
    from logbook.core.diagnostics import summary

    root = _logbook_root(args.path)
    result = check(root)
    _print_diagnostics(result.diagnostics, root, args.format, sys.stdout)
    if args.format == "text":
        print(
            f"checked {len(result.logbook.cases)} cases in {result.files} files: {summary(result.diagnostics)}",
            file=sys.stderr,
        )
    failed = result.has_errors or (args.strict and result.diagnostics)
    return EXIT_PROBLEMS if failed else EXIT_OK


def run_build(args: argparse.Namespace) -> int:
    from logbook.build import build
    from logbook.core.diagnostics import summary
    from logbook.progress import Progress
    from logbook.site.publish import PublishError

    root = _logbook_root(args.path)
    refused = _as_of_refused(args.as_of, root) or _output_folder_refused(root, args.out)
    if refused:
        return _usage(refused)
    try:
        with Progress(sys.stderr) as progress:
            result = build(root, args.out, args.as_of, strict=args.strict, cache=args.cache, progress=progress.stage)
    except PublishError as exc:
        return _refuse(exc)
    except OSError as exc:  # anything the publish stage did not name itself
        return _refuse(f"build failed: {_os_error(exc)}; the previous site is untouched")
    _print_diagnostics(result.diagnostics, root, "text", sys.stderr)
    if not result.published:
        print(f"not published: {summary(result.diagnostics)}; the previous site is untouched", file=sys.stderr)
        return EXIT_PROBLEMS
    index = result.out / "index.html"
    print(
        f"built {result.pages} pages from {result.files} files into {_display_path(result.out, '.')}"
        f" ({summary(result.diagnostics)}); open {index.as_uri()}",
        file=sys.stderr,
    )
    return EXIT_OK


def _output_folder_refused(root: Path, out: Path | None) -> str:
    """Why ``--out`` is not a folder build or serve may publish to ('' when it is)."""
    from logbook.build import DEFAULT_OUT
    from logbook.site.publish import PublishError, check_output_dir

    try:
        check_output_dir(out or root / DEFAULT_OUT, root)
    except PublishError as exc:
        return str(exc)
    except OSError as exc:
        return f"output folder {out}: {_os_error(exc)}"
    return ""


def _os_error(exc: OSError) -> str:
    """An OSError in the user's words: what failed, and on which file."""
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def run_audit(args: argparse.Namespace) -> int:
    from logbook.build import as_of_instant
    from logbook.core.timeparse import TimeError
    from logbook.evidence.audit import audit_findings, findings_json, findings_table, has_overdue
    from logbook.evidence.derive import derive_site
    from logbook.load.catalogues import load_language
    from logbook.load.stage import load_logbook

    root = _logbook_root(args.path)
    loaded = load_logbook(root)
    try:
        as_of = as_of_instant(args.as_of, loaded.logbook.config.timezone)
    except TimeError as exc:
        return _usage(f"--as-of: {exc}")
    site = derive_site(loaded.logbook, as_of, loaded.history, include_private=True)
    findings = audit_findings(site, loaded.diagnostics)
    from dataclasses import replace

    from logbook.core.diagnostics import json_safe

    if args.format == "json":
        print(json_safe(findings_json(findings, as_of)), end="")
    else:  # each value on its line: a newline in a title must not make a line of its own
        shown = [
            replace(f, case_id=printable(f.case_id), message=printable(f.message), path=f.path and printable(f.path))
            for f in findings
        ]
        print(findings_table(shown, as_of, load_language(loaded.logbook.config.language)), end="")
    return EXIT_PROBLEMS if has_overdue(findings) else EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from logbook.build import as_of_instant
    from logbook.core.timeparse import TimeError
    from logbook.export import ExportError, prepare_packet, write_pdf, write_zip
    from logbook.load.config import load_config
    from logbook.store.outfile import OutputFileError, output_file

    if not args.pdf and not args.zip:
        return _usage("export needs --pdf FILE and/or --zip FILE")
    if args.lang is not None and (problem := _language_problem(args.lang)):
        return _usage(problem)
    root = _logbook_root(args.path)
    try:
        as_of = as_of_instant(args.as_of, load_config(root)[0].timezone)
    except TimeError as exc:
        return _usage(f"--as-of: {exc}")
    try:  # the targets first: a refused one costs no packet
        targets = {
            flag: output_file(path, root, args.force)
            for flag, path in (("--zip", args.zip), ("--pdf", args.pdf))
            if path is not None
        }
        if len({target.path for target in targets.values()}) < len(targets):
            return _usage("--zip and --pdf name the same file")
        packet = prepare_packet(root, args.case_id, as_of, args.profile, args.reason, args.include_private, args.lang)
        if "--zip" in targets:
            names = write_zip(packet, targets["--zip"], as_of)
            print(
                f"wrote {args.zip} ({len(names)} files; check with: unzip, then sha256sum -c MANIFEST.sha256)",
                file=sys.stderr,
            )
        if "--pdf" in targets:
            write_pdf(packet, targets["--pdf"])
            print(f"wrote {args.pdf}", file=sys.stderr)
    except OutputFileError as exc:
        return _usage(str(exc)) if exc.usage else _refuse(exc)
    except ExportError as exc:
        return _refuse(exc)
    except OSError as exc:
        return _refuse(f"export failed: {_os_error(exc)}")
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from logbook.serve.server import ServeError, serve

    root = _logbook_root(args.path)
    refused = _output_folder_refused(root, args.out) or _host_refused(args.host) or _as_of_refused(args.as_of, root)
    if refused:
        return _usage(refused)
    host = args.host[1:-1] if args.host.startswith("[") and args.host.endswith("]") else args.host
    try:
        return serve(root, args.out, host, args.port, args.as_of)
    except ServeError as exc:
        print(f"logbook: error: {printable(str(exc))}", file=sys.stderr)
        return exc.code


def _as_of_refused(as_of: str | None, root: Path) -> str:
    """Why ``--as-of`` is not a date or date-time ('' when it is, or is absent), read in the
    logbook's zone as the build reads it (a local time in a daylight-saving gap does not exist)."""
    from logbook.build import as_of_instant
    from logbook.core.timeparse import TimeError
    from logbook.load.config import load_config

    if as_of is None:
        return ""
    try:
        as_of_instant(as_of, load_config(root)[0].timezone)
    except TimeError as exc:
        return f"--as-of: {exc}"
    return ""


def _host_refused(host: str) -> str:
    """Why ``--host`` cannot be bound ('' when it may be): an IP address, or a name that resolves."""
    import ipaddress
    import re
    import socket

    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.ip_address(bare)
        return ""
    except ValueError:
        pass
    if re.fullmatch(r"[0-9.]*|.*:.*", bare) or not bare.strip() or "\x00" in bare:
        return f"--host {host!r} is not an IP address"
    try:
        socket.getaddrinfo(bare, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return f"--host {host!r} is not an IP address or a host name that resolves"
    return ""


def _writing_root(path: Path) -> Path:
    """The logbook a writing command works on: -C FOLDER or the folder it is run in, searched upward."""
    from logbook.authoring.locate import NotALogbook, find_root

    try:
        return find_root(path)
    except NotALogbook as exc:
        raise SystemExit(_usage(str(exc))) from None


def _cannot_write(exc: OSError) -> int:
    """A file system that refuses (read-only, full, no permission): one line, nothing half-written."""
    where = f" {exc.filename}" if exc.filename else ""
    print(f"logbook: error: could not write{where}: {exc.strerror or exc}", file=sys.stderr)
    return EXIT_PROBLEMS


def _report(written: Any, verb: str) -> int:
    """What a writing command did: its files, the defaults it took, its commit (or why there is none)."""
    for path in written.paths:
        print(f"{verb} {_display_path(Path.cwd(), str(path))}", file=sys.stderr)
    for note in written.notes:
        print(f"  {note}", file=sys.stderr)
    if written.commit:
        print(f"committed {written.commit}", file=sys.stderr)
    if written.commit_error:
        print(
            f"logbook: error: written, but not committed: {written.commit_error}; commit the files above yourself",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    return EXIT_OK


def _text_arg(value: str | None) -> str | None:
    return sys.stdin.read() if value == "-" else value


def run_init(args: argparse.Namespace) -> int:
    from logbook.authoring.commands import AuthoringError, init_logbook

    try:
        written = init_logbook(args.path, args.title, args.timezone)
    except AuthoringError as exc:
        return _refuse(exc)
    except OSError as exc:
        return _cannot_write(exc)
    code = _report(written, "created")
    print("next: logbook new CASE-ID --title '…'", file=sys.stderr)
    return code


def run_new(args: argparse.Namespace) -> int:
    from logbook.authoring.commands import AuthoringError, NewCase, new_case
    from logbook.authoring.partyargs import party_fields

    try:
        extra = party_fields(args.party)
        written = new_case(
            _writing_root(args.path),
            NewCase(
                args.case_id,
                args.title,
                args.counterparty,
                tuple(args.tag),
                args.single_file,
                args.amount,
                tuple(args.ref),
                args.opened,
                args.timezone,
                _text_arg(args.background),
                extra,
            ),
        )
    except AuthoringError as exc:
        return _refuse(exc)
    except OSError as exc:
        return _cannot_write(exc)
    return _report(written, "created")


def run_add(args: argparse.Namespace) -> int:
    from logbook.authoring.casestate import add_with_status
    from logbook.authoring.commands import AuthoringError, NewInteraction, PromiseGiven, add_interaction
    from logbook.authoring.partyargs import interaction_fields

    root = _writing_root(args.path)
    try:
        new = NewInteraction(
            channel=args.channel,
            direction=args.direction,
            at=args.at,
            title=args.title,
            agent=args.agent,
            sender=args.sender,
            recipient=args.recipient,
            ref=args.ref,
            subject=args.subject,
            message=_text_arg(args.message) or "",
            attachments=tuple(args.attach),
            promises=tuple(PromiseGiven(**p) for p in getattr(args, "promises", None) or ()),
            status=args.status,
            fulfils=tuple(args.fulfils),
            key=args.key,
            extra=interaction_fields(args.party, tuple(args.evidence)),
        )
        add = add_with_status if args.status and args.status.strip() else add_interaction
        written = add(root, args.case_id, new)
    except AuthoringError as exc:
        return _refuse(exc)
    except OSError as exc:
        return _cannot_write(exc)
    code = _report(written, "wrote")
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if editor and not args.no_edit and sys.stdin.isatty() and sys.stdout.isatty() and not os.environ.get("CI"):
        import shlex
        import subprocess

        record = written.paths[0]
        before = record.read_bytes()
        subprocess.call([*shlex.split(editor), str(record)])
        if written.commit and record.is_file() and record.read_bytes() != before:
            return _commit_edit(root, record, written.message)
    return code


def _commit_edit(root: Path, record: Path, message: str) -> int:
    """What was typed in the editor, committed on top of what the command recorded (both stay in history)."""
    from logbook.store.notary import CommitFailed, commit

    try:
        print(f"committed {commit(root, [record], message + ' (completed in the editor)')}", file=sys.stderr)
    except CommitFailed as exc:
        print(f"logbook: error: your edit is saved but not committed: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    from logbook.authoring.casestate import set_status
    from logbook.authoring.commands import AuthoringError

    try:
        written = set_status(_writing_root(args.path), args.case_id, args.status, args.at, _text_arg(args.message))
    except AuthoringError as exc:
        return _refuse(exc)
    except OSError as exc:
        return _cannot_write(exc)
    return _report(written, "wrote")


def run_close(args: argparse.Namespace) -> int:
    from logbook.authoring.casestate import close_case
    from logbook.authoring.commands import AuthoringError

    try:
        written = close_case(_writing_root(args.path), args.case_id, _text_arg(args.summary) or "", args.at, args.force)
    except AuthoringError as exc:
        return _refuse(exc)
    except OSError as exc:
        return _cannot_write(exc)
    return _report(written, "wrote")


def _language_problem(code: str) -> str | None:
    """The one usage line for a ``--lang`` no catalogue speaks, with the did-you-mean."""
    from logbook.load.config import language_problem

    problem = language_problem(code)
    return None if problem is None else f"--lang: no catalogue for '{code}' ({problem[1]})"


def run_followup(args: argparse.Namespace) -> int:
    from logbook.authoring.commands import AuthoringError
    from logbook.authoring.followup import followup_text, record_followup
    from logbook.core.diagnostics import terminal_safe

    root = _writing_root(args.path)
    if args.at and not args.record:
        return _usage("--at says when the follow-up was sent; it goes with --record")
    if args.lang is not None and (problem := _language_problem(args.lang)):
        return _usage(problem)
    try:
        text, case, _ = followup_text(root, args.case_id, args.interaction, args.lang)
        print(terminal_safe(text), end="")
        if "\n" not in text.rstrip().rpartition("\n\n")[2]:  # the closing line alone: no keeper to sign
            print('(unsigned: set keeper = "Your Name" under [site] in logbook.toml to sign it)', file=sys.stderr)
        if args.record:
            return _report(record_followup(root, case.id, text, args.recipient, at=args.at), "recorded as")
    except AuthoringError as exc:
        return _refuse(exc)
    except OSError as exc:
        return _cannot_write(exc)
    return EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    import json

    from logbook.load.config import load_config
    from logbook.load.schema import case_schema, interaction_schema

    config, _ = load_config(args.path.resolve()) if _is_folder(args.path) else (None, [])
    schemas = {
        "case": case_schema(config) if config else case_schema(),
        "interaction": interaction_schema(config) if config else interaction_schema(),
    }
    if args.out:
        return _write_schemas(args.out, args.path.resolve(), schemas)
    chosen = schemas[args.kind] if args.kind else schemas
    print(json.dumps(chosen, indent=2, ensure_ascii=False))
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from logbook.authoring.commands import AuthoringError
    from logbook.importing import ImportRequest, plan_import, write_plan

    from .importing.report import done_lines, plan_lines

    if args.new_case and not args.title:
        return _usage("--new-case needs --title '…'")
    if args.title and not args.new_case:
        return _usage("--title goes with --new-case")
    root = _logbook_root(args.path)
    request = ImportRequest(
        tuple(args.sources),
        args.case_id,
        (args.new_case, args.title) if args.new_case else None,
        tuple(args.me),
        args.fmt,
        args.date_order,
    )
    plan = plan_import(root, request)
    _print_diagnostics(plan.diagnostics, root, "text", sys.stderr)
    for line in plan_lines(plan, args.dry_run):
        print(line, file=sys.stderr)
    if args.dry_run or not plan.planned:
        return EXIT_PROBLEMS if plan.has_errors or plan.unplaced else EXIT_OK
    try:
        result = write_plan(root, plan)
    except (AuthoringError, OSError) as exc:
        return _refuse(exc)
    _print_diagnostics(result.diagnostics, root, "text", sys.stderr)
    for line in done_lines(plan, result, lambda p: _display_path(Path.cwd(), str(p))):
        print(line, file=sys.stderr)
    if result.commit_error:
        print(
            f"logbook: error: written, but not committed: {result.commit_error}; commit the files above yourself",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    return EXIT_PROBLEMS if plan.has_errors or plan.unplaced or result.diagnostics else EXIT_OK


def _write_schemas(folder: Path, root: Path, schemas: dict[str, dict[str, Any]]) -> int:
    """``schema --out``: the folder is made if missing; a file there is replaced only when it is a
    schema logbook wrote (regenerating is the point), never anything else (see outfile.py)."""
    import json

    from logbook.store.outfile import OutputFileError, output_file, write_output

    if os.path.lexists(folder) and not _is_folder(folder):
        return _usage(f"--out {folder} is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for kind, schema in schemas.items():
            path = folder / f"{kind}.schema.json"
            target = output_file(path, root, replace=_is_our_schema(path, schema["$id"]))
            text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
            write_output(target, lambda tmp: None if tmp.write_text(text, encoding="utf-8") else None)  # noqa: B023 - called here, in this turn
            print(f"wrote {path}", file=sys.stderr)
    except OutputFileError as exc:
        return _usage(str(exc)) if exc.usage else _refuse(exc)
    except OSError as exc:
        return _refuse(f"cannot write the schemas into {folder}: {_os_error(exc)}")
    return EXIT_OK


def _is_our_schema(path: Path, schema_id: str) -> bool:
    """Whether *path* is a regular file holding a schema ``logbook schema`` wrote (small, JSON, its $id)."""
    import json
    import stat

    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > 1_000_000:
            return False
        return bool(json.loads(path.read_text(encoding="utf-8")).get("$id") == schema_id)
    except (OSError, ValueError, AttributeError):
        return False


def _refuse(exc: Exception | str) -> int:
    print(f"logbook: error: {printable(str(exc))}", file=sys.stderr)
    return EXIT_PROBLEMS


COMMANDS = {
    "check": run_check,
    "build": run_build,
    "audit": run_audit,
    "export": run_export,
    "serve": run_serve,
    "init": run_init,
    "new": run_new,
    "add": run_add,
    "status": run_status,
    "close": run_close,
    "followup": run_followup,
    "schema": run_schema,
    "import": run_import,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except SystemExit as exc:
        return int(exc.code or 0)
    except OSError as exc:  # the last net: a file-system error no command put in its own words
        return _refuse(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
    except KeyboardInterrupt:
        print("logbook: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
