"""The command line: a thin shell that parses arguments, runs a stage and prints.

This is the one place that prints, turns domain errors into messages, and picks
exit codes: 0 clean, 1 problems found (errors, or warnings with --strict), 2 usage.
Heavy modules are imported inside the commands so ``logbook --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from . import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="logbook", description="Dispute-ready static sites from plain-text "
                                     "customer-service records.")
    parser.add_argument("--version", action="version", version=f"logbook {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser("check", help="validate the logbook and report every problem")
    check.add_argument("path", nargs="?", default=".", type=Path, help="the logbook folder (default: .)")
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="text (default), json, or github (workflow annotations)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")

    build = commands.add_parser("build", help="check, then publish the site")
    build.add_argument("path", nargs="?", default=".", type=Path, help="the logbook folder (default: .)")
    build.add_argument("--out", type=Path, help="output folder (default: PATH/_site)")
    build.add_argument("--as-of", metavar="DATE", help="judge deadlines as of this date or date-time (default: now)")
    build.add_argument("--strict", action="store_true", help="refuse to publish when there are warnings")
    build.add_argument("--no-cache", dest="cache", action="store_false",
                       help="build from nothing, ignoring and not writing the build cache")

    audit = commands.add_parser("audit", help="list what is overdue or due soon; exit 1 when anything is overdue")
    audit.add_argument("path", nargs="?", default=".", type=Path, help="the logbook folder (default: .)")
    audit.add_argument("--as-of", metavar="DATE", help="review as of this date or date-time (default: now)")
    audit.add_argument("--format", choices=("text", "json"), default="text")

    export = commands.add_parser("export", help="the evidence packet of one case: PDF and/or ZIP")
    export.add_argument("case_id", metavar="CASE")
    export.add_argument("--pdf", type=Path, metavar="FILE", help="write the packet as a PDF")
    export.add_argument("--zip", type=Path, metavar="FILE", help="write the evidence page, exhibits and MANIFEST.sha256")
    export.add_argument("--for", dest="profile", metavar="PROFILE", help="audience profile: bank, supervisor, internal, "
                        "or one from [profiles] in logbook.toml")
    export.add_argument("--reason", choices=("not-received", "not-as-described", "credit-not-processed"),
                        help="add the chargeback evidence checklist for this reason")
    export.add_argument("--include-private", action="store_true", help="allow exporting a private case")
    export.add_argument("--as-of", metavar="DATE", help="judge deadlines as of this date (default: now)")
    export.add_argument("-C", "--logbook", dest="path", default=Path("."), type=Path, help="the logbook folder")

    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild on change and reload the browser")
    serve.add_argument("path", nargs="?", default=".", type=Path, help="the logbook folder (default: .)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--out", type=Path, help="output folder (default: PATH/_site)")
    serve.add_argument("--as-of", metavar="DATE", help="judge deadlines as of this date (default: now)")

    init = commands.add_parser("init", help="start a new logbook")
    init.add_argument("path", nargs="?", default=".", type=Path, help="folder to create it in (default: .)")
    init.add_argument("--title", default="Logbook", help="site title")
    init.add_argument("--timezone", default="UTC", help="IANA zone for times written without an offset")

    new = commands.add_parser("new", help="create a case")
    new.add_argument("case_id", metavar="CASE-ID")
    new.add_argument("--title", required=True)
    new.add_argument("--counterparty")
    new.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    new.add_argument("--single-file", action="store_true", help="one Markdown file instead of a bundle folder")
    new.add_argument("-C", "--logbook", dest="path", default=Path("."), type=Path, help="the logbook folder")

    add = commands.add_parser("add", help="record an interaction (stamped now unless --at)")
    add.add_argument("case_id", metavar="CASE-ID")
    add.add_argument("--channel", required=True)
    add.add_argument("--direction", required=True, choices=("in", "out", "internal"))
    add.add_argument("--at", help="when (default: now, in the case's zone)")
    add.add_argument("--title")
    add.add_argument("--agent", help="e.g. 'Maria (A-12)'")
    add.add_argument("--from", dest="sender")
    add.add_argument("--to", dest="recipient")
    add.add_argument("--ref", help="their message or case number")
    add.add_argument("--subject")
    add.add_argument("-m", "--message", default="", help="the message text ('-' reads standard input)")
    add.add_argument("--attach", nargs="+", default=[], type=Path, metavar="FILE", help="files to copy into the case")
    add.add_argument("--no-edit", action="store_true", help="do not open $EDITOR")
    add.add_argument("-C", "--logbook", dest="path", default=Path("."), type=Path, help="the logbook folder")

    followup = commands.add_parser("followup", help="print a follow-up email confirming a call in writing")
    followup.add_argument("case_id", metavar="CASE-ID")
    followup.add_argument("interaction", nargs="?", help="its #anchor (e-20260311-1520) or number; default: last call")
    followup.add_argument("--record", action="store_true", help="also record it as an outbound email")
    followup.add_argument("--to", dest="recipient", help="recipient, when recording")
    followup.add_argument("-C", "--logbook", dest="path", default=Path("."), type=Path, help="the logbook folder")

    imp = commands.add_parser("import", help="record emails (.eml, mbox, Maildir) and WhatsApp exports as interactions")
    imp.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="an .eml, an mbox, a Maildir folder, "
                     "a WhatsApp export (.txt or .zip)")
    target = imp.add_mutually_exclusive_group()
    target.add_argument("--case", dest="case_id", metavar="ID", help="put every message in this case")
    target.add_argument("--new-case", metavar="ID", help="create this case (with --title) and put every message in it")
    imp.add_argument("--title", help="the new case's title (with --new-case)")
    imp.add_argument("--me", action="append", default=[], metavar="ADDRESS_OR_NAME",
                     help="an address or chat name that is you: its messages are 'out' (repeatable; also [me] in logbook.toml)")
    imp.add_argument("--format", dest="fmt", choices=("auto", "eml", "mbox", "maildir", "whatsapp"), default="auto")
    imp.add_argument("--date-order", choices=("dmy", "mdy", "ymd"), help="a chat export's dates: day-first, month-first or year-first "
                     "(default: decided from the whole file)")
    imp.add_argument("--dry-run", action="store_true", help="say where each message would go; write nothing")
    imp.add_argument("-C", "--logbook", dest="path", default=Path("."), type=Path, help="the logbook folder")

    schema = commands.add_parser("schema", help="print JSON Schemas for case and interaction front matter")
    schema.add_argument("kind", nargs="?", choices=("case", "interaction"), help="only this schema")
    schema.add_argument("--out", type=Path, help="write case.schema.json and interaction.schema.json here")
    schema.add_argument("-C", "--logbook", dest="path", default=Path("."), type=Path, help="the logbook folder")
    return parser


def _display_path(root: Path, rel: str) -> str:
    full = root / rel
    try:
        shown = os.path.relpath(full)
    except ValueError:
        return str(full)
    return str(full) if shown.startswith("../../") else shown


def _print_diagnostics(diagnostics: Sequence, root: Path, fmt: str, stream) -> None:
    from .diagnostics import format_github, format_text, to_json
    paths = [_display_path(root, d.location.path) for d in diagnostics]
    if fmt == "json":
        print(to_json(diagnostics, paths), file=stream)
        return
    formatter = format_github if fmt == "github" else format_text
    for diagnostic, path in zip(diagnostics, paths):
        print(formatter(diagnostic, path), file=stream)


def _logbook_root(path: Path) -> Path:
    if not path.is_dir():
        raise SystemExit(_usage(f"'{path}' is not a folder"))
    return path.resolve()


def _usage(message: str) -> int:
    print(f"logbook: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_check(args: argparse.Namespace) -> int:
    from .build import check
    from .diagnostics import summary
    root = _logbook_root(args.path)
    result = check(root)
    _print_diagnostics(result.diagnostics, root, args.format, sys.stdout)
    if args.format == "text":
        print(f"checked {len(result.logbook.cases)} cases in {result.files} files: {summary(result.diagnostics)}",
              file=sys.stderr)
    failed = result.has_errors or (args.strict and result.diagnostics)
    return EXIT_PROBLEMS if failed else EXIT_OK


def run_build(args: argparse.Namespace) -> int:
    from .build import build
    from .progress import Progress
    from .diagnostics import summary
    from .publish import PublishError
    from .timeparse import TimeError, parse_moment, zone_named
    root = _logbook_root(args.path)
    if args.as_of is not None:
        try:
            parse_moment(args.as_of, zone_named("UTC"))
        except TimeError as exc:
            return _usage(f"--as-of: {exc}")
    try:
        with Progress(sys.stderr) as progress:
            result = build(root, args.out, args.as_of, strict=args.strict, cache=args.cache, progress=progress.stage)
    except PublishError as exc:
        print(f"logbook: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    _print_diagnostics(result.diagnostics, root, "text", sys.stderr)
    if not result.published:
        print(f"not published: {summary(result.diagnostics)}; the previous site is untouched", file=sys.stderr)
        return EXIT_PROBLEMS
    index = result.out / "index.html"
    print(f"built {result.pages} pages from {result.files} files into {_display_path(result.out, '.')}"
          f" ({summary(result.diagnostics)}); open {index.as_uri()}", file=sys.stderr)
    return EXIT_OK


def run_audit(args: argparse.Namespace) -> int:
    from .audit import audit_findings, findings_json, findings_table, has_overdue
    from .build import as_of_instant
    from .derive import derive_site
    from .load import load_logbook
    from .timeparse import TimeError
    root = _logbook_root(args.path)
    loaded = load_logbook(root)
    try:
        as_of = as_of_instant(args.as_of, loaded.logbook.config.timezone)
    except TimeError as exc:
        return _usage(f"--as-of: {exc}")
    site = derive_site(loaded.logbook, as_of, loaded.history, include_private=True)
    findings = audit_findings(site, loaded.diagnostics)
    print(findings_json(findings, as_of) if args.format == "json" else findings_table(findings, as_of), end="")
    return EXIT_PROBLEMS if has_overdue(findings) else EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from .build import as_of_instant
    from .config import load_config
    from .export import ExportError, prepare_packet, write_pdf, write_zip
    from .timeparse import TimeError
    if not args.pdf and not args.zip:
        return _usage("export needs --pdf FILE and/or --zip FILE")
    root = _logbook_root(args.path)
    try:
        as_of = as_of_instant(args.as_of, load_config(root)[0].timezone)
    except TimeError as exc:
        return _usage(f"--as-of: {exc}")
    try:
        packet = prepare_packet(root, args.case_id, as_of, args.profile, args.reason, args.include_private)
        if args.zip:
            names = write_zip(packet, args.zip, as_of)
            print(f"wrote {args.zip} ({len(names)} files; check with: unzip, then sha256sum -c MANIFEST.sha256)",
                  file=sys.stderr)
        if args.pdf:
            write_pdf(packet, args.pdf)
            print(f"wrote {args.pdf}", file=sys.stderr)
    except ExportError as exc:
        return _refuse(exc)
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from .serve import serve
    root = _logbook_root(args.path)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"logbook: warning: serving on {args.host} makes your records visible to other machines", file=sys.stderr)
    return serve(root, args.out, args.host, args.port, args.as_of)


def run_init(args: argparse.Namespace) -> int:
    from .authoring import AuthoringError, init_logbook
    from .timeparse import TimeError
    try:
        written = init_logbook(args.path, args.title, args.timezone)
    except (AuthoringError, TimeError) as exc:
        return _usage(str(exc)) if isinstance(exc, TimeError) else _refuse(exc)
    for path in written.paths:
        print(f"created {_display_path(Path.cwd(), str(path))}", file=sys.stderr)
    print("next: logbook new CASE-ID --title '…'", file=sys.stderr)
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    from .authoring import AuthoringError, new_case
    try:
        written = new_case(_logbook_root(args.path), args.case_id, args.title, args.counterparty, tuple(args.tag),
                           args.single_file)
    except AuthoringError as exc:
        return _refuse(exc)
    print(f"created {_display_path(Path.cwd(), str(written.paths[0]))}", file=sys.stderr)
    return EXIT_OK


def run_add(args: argparse.Namespace) -> int:
    from .authoring import AuthoringError, NewInteraction, add_interaction
    message = sys.stdin.read() if args.message == "-" else args.message
    new = NewInteraction(channel=args.channel, direction=args.direction, at=args.at, title=args.title,
                         agent=args.agent, sender=args.sender, recipient=args.recipient, ref=args.ref,
                         subject=args.subject, message=message, attachments=tuple(args.attach))
    try:
        written = add_interaction(_logbook_root(args.path), args.case_id, new)
    except AuthoringError as exc:
        return _refuse(exc)
    record = written.paths[0]
    for path in written.paths:
        print(f"wrote {_display_path(Path.cwd(), str(path))}", file=sys.stderr)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if editor and not args.no_edit and sys.stdin.isatty() and sys.stdout.isatty() and not os.environ.get("CI"):
        import shlex
        import subprocess
        subprocess.call([*shlex.split(editor), str(record)])
    return EXIT_OK


def run_followup(args: argparse.Namespace) -> int:
    from .authoring import AuthoringError, followup_text, record_followup
    root = _logbook_root(args.path)
    try:
        text, case, _ = followup_text(root, args.case_id, args.interaction)
        print(text, end="")
        if args.record:
            written = record_followup(root, case.id, text, args.recipient)
            print(f"recorded as {_display_path(Path.cwd(), str(written.paths[0]))}", file=sys.stderr)
    except AuthoringError as exc:
        return _refuse(exc)
    return EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    import json
    from .config import load_config
    from .schema import case_schema, interaction_schema
    config, _ = load_config(args.path.resolve()) if args.path.is_dir() else (None, [])
    schemas = {"case": case_schema(config) if config else case_schema(),
               "interaction": interaction_schema(config) if config else interaction_schema()}
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for kind, schema in schemas.items():
            target = args.out / f"{kind}.schema.json"
            target.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"wrote {target}", file=sys.stderr)
        return EXIT_OK
    chosen = schemas[args.kind] if args.kind else schemas
    print(json.dumps(chosen, indent=2, ensure_ascii=False))
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from .authoring import AuthoringError
    from .importing import ImportRequest, plan_import, write_plan
    from .importing.report import done_lines, plan_lines
    if args.new_case and not args.title:
        return _usage("--new-case needs --title '…'")
    if args.title and not args.new_case:
        return _usage("--title goes with --new-case")
    root = _logbook_root(args.path)
    request = ImportRequest(tuple(args.sources), args.case_id, (args.new_case, args.title) if args.new_case else None,
                            tuple(args.me), args.fmt, args.date_order)
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
    return EXIT_PROBLEMS if plan.has_errors or plan.unplaced or result.diagnostics else EXIT_OK


def _refuse(exc: Exception) -> int:
    print(f"logbook: error: {exc}", file=sys.stderr)
    return EXIT_PROBLEMS


COMMANDS = {"check": run_check, "build": run_build, "audit": run_audit, "export": run_export, "serve": run_serve, "init": run_init, "new": run_new,
            "add": run_add, "followup": run_followup, "schema": run_schema, "import": run_import}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except SystemExit as exc:
        return int(exc.code or 0)
    except KeyboardInterrupt:
        print("logbook: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
