"""The ``minigrad`` command (also ``python -m minigrad``).

    minigrad compare --plot compare.png     # which optimizer and loss? (table, plot, JSON)
    minigrad losses --plot losses.png       # every loss and its gradient
    minigrad info                           # version, backends, device

Mistakes (an unknown name, a bad number, a missing optional package) end with
a one-line message on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import __version__
from . import compare, info, loss_curves
from .common import CLIError

__all__ = ["main", "build_parser"]

_COMMANDS = (compare, loss_curves, info)


class _Parser(argparse.ArgumentParser):
    """argparse, with errors on one line (no usage block): ``minigrad compare: error: ...``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``minigrad`` argument parser, one subcommand per command module."""
    parser = _Parser(
        prog="minigrad",
        description="minigrad: a small tape-based reverse-mode autograd. Which loss and optimizer should I use?",
    )
    parser.add_argument("--version", action="version", version=f"minigrad {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="{compare,losses,info}")
    for command in _COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``minigrad`` command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error("choose a command: compare, losses, info")
    try:
        return args.run(args)
    except CLIError as err:
        print(f"minigrad {args.command}: error: {err}", file=sys.stderr)
        return err.code
    except KeyboardInterrupt:
        print(f"minigrad {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `minigrad losses | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
