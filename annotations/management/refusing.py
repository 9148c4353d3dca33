"""The base of our management commands: every refusal exits 1 with a message on stderr, and
writes nothing (argparse's own refusals, a wrong option or value, would exit 2)."""

import sys

from django.core.management.base import BaseCommand, CommandParser


class _ExitOneParser(CommandParser):
    def error(self, message):
        if self.called_from_command_line:
            self.print_usage(sys.stderr)
            self.exit(1, f"{self.prog}: error: {message}\n")
        super().error(message)  # from call_command: a CommandError


class RefusingCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = _ExitOneParser
        return parser
