"""tlsdoctor lint [PATH...]: find disabled verification and leaked inspection settings."""

from __future__ import annotations

import argparse
import sys
from contextlib import AbstractContextManager, nullcontext
from typing import IO

from tlsdoctor.cli._options import add_jobs
from tlsdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from tlsdoctor.i18n import _, os_reason


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help=_("files or folders to lint (default: .)")
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "sarif"),
        default=None,
        help=_("output format (default: text)"),
    )
    parser.add_argument("--json", action="store_true", help=_("same as --format json"))
    parser.add_argument(
        "--select",
        metavar="RULES",
        action="append",
        help=_("comma-separated rule ids or prefixes to run (ALL for every rule)"),
    )
    parser.add_argument(
        "--extend-select",
        metavar="RULES",
        action="append",
        help=_("comma-separated rules to run in addition to the default or configured ones"),
    )
    parser.add_argument(
        "--ignore", metavar="RULES", action="append", help=_("comma-separated rules to skip")
    )
    parser.add_argument(
        "--exclude",
        metavar="GLOB",
        action="append",
        default=[],
        help=_("skip paths matching this glob (repeatable; adds to the config's exclude)"),
    )
    parser.add_argument(
        "--no-config",
        action="store_true",
        help=_("ignore .tlsdoctor.toml and [tool.tlsdoctor.lint] in pyproject.toml"),
    )
    parser.add_argument(
        "--no-ignore",
        action="store_true",
        help=_("also lint files that .gitignore excludes"),
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help=_("write the report to FILE instead of stdout")
    )
    add_jobs(parser, _("worker processes (default: one per CPU for large trees)"))
    parser.add_argument("--list-rules", action="store_true", help=_("list the rules and exit"))


def _open_output(path: str | None) -> IO[str] | nullcontext[IO[str]]:
    if path is None:
        return nullcontext(sys.stdout)
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as err:
        raise UsageError(
            _("cannot write {path}: {error}", path=path, error=os_reason(err))
        ) from None


def _progress() -> AbstractContextManager[object]:
    """A spinner on stderr while linting, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return nullcontext()
    from tlsdoctor.render.console import console

    return console(stderr=True).status(_("linting..."))


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.core.lint import lint_paths
    from tlsdoctor.core.lint.rules import catalog, select_rules, split_codes
    from tlsdoctor.core.lint.sarif import to_sarif
    from tlsdoctor.render import lint as render

    output_format = "json" if args.json else (args.format or "text")
    if any(not glob.strip().strip("/") for glob in args.exclude or ()):
        raise UsageError(_("--exclude needs a glob: an empty one would match every path"))
    if args.list_rules:
        rules = catalog()
        if output_format == "text":
            render.render_rules(rules)
        else:
            render.write_json(render.rules_json(rules), sys.stdout)
        return EXIT_OK
    with _progress():
        result = lint_paths(
            args.paths or ["."],
            select=args.select,
            ignore=split_codes(args.ignore) or None,
            extend_select=args.extend_select,
            exclude=args.exclude,
            use_config=not args.no_config,
            use_git=not args.no_ignore,
            jobs=args.jobs,
        )
    ran = select_rules(list(result.rules))
    if output_format == "text" and args.output is None:
        render.render_text(result, ran)
    else:
        with _open_output(args.output) as stream:
            if output_format == "sarif":
                render.write_json(to_sarif(result.findings, ran), stream)
            elif output_format == "json":
                render.write_json(render.to_json(result), stream)
            else:
                for f in result.findings:
                    stream.write(f"{f.path}:{f.line}:{f.column}: {f.rule} {f.message}\n")
    return EXIT_FINDINGS if result.failed else EXIT_OK
