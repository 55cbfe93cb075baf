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
        result = build(root, args.out, args.as_of, strict=args.strict)
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


COMMANDS = {"check": run_check, "build": run_build}


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
