"""Every `docparse` subcommand, argument and option says what it is for in --help."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from docparse.cli import build_parser


def parsers(
    parser: argparse.ArgumentParser, path: str = "docparse"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, f"{path} {name}")


def undocumented(parser: argparse.ArgumentParser, path: str) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            # A subcommand's help is the pseudo-action listed under the command.
            described = {choice.dest for choice in action._choices_actions if choice.help}
            yield from (f"{path} {name}" for name in action.choices if name not in described)
            continue
        if not action.help or action.help == argparse.SUPPRESS:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}"


def test_every_subcommand_and_option_has_help() -> None:
    found = list(parsers(build_parser()))
    assert {"docparse serve", "docparse convert", "docparse config-doc"} <= {p for p, _ in found}
    missing = [name for path, parser in found for name in undocumented(parser, path)]
    assert missing == []


def test_the_check_finds_an_option_without_help() -> None:
    parser = argparse.ArgumentParser(prog="x")
    commands = parser.add_subparsers(dest="command")
    bare = commands.add_parser("bare")
    bare.add_argument("--quiet", action="store_true")
    commands.add_parser("told", help="has help").add_argument("file", help="a file")
    assert list(undocumented(parser, "x")) == ["x bare"]
    assert list(undocumented(bare, "x bare")) == ["x bare --quiet"]
