"""`novbe` run in the test's own process (`novbe.cli.main`), giving what a real process gives:
the exit code, stdout and stderr. For tests of what a command does and says; a test of the
program's start-up (`python -m novbe`) runs it as a real subprocess. In-process a command costs
milliseconds instead of ~1 CPU-s of imports, and leaves the process as it found it: the
environment, and the root logger's handlers that `main` sets up."""

from __future__ import annotations

import io
import logging
import os
import subprocess
from collections.abc import Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout

from novbe.cli import main


def novbe_in_process(argv: Sequence[str],
                     env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`novbe ARGV…` with `env` added to the environment, as a finished process."""
    saved_env = dict(os.environ)
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.update(env or {})
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as exc:           # argparse: a usage error (2) or --help (0)
                if isinstance(exc.code, str):   # as the interpreter would: the text, exit 1
                    print(exc.code, file=err)
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        for handler in root.handlers:
            if handler not in saved_handlers:
                handler.close()
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["novbe", *argv], code, out.getvalue(), err.getvalue())
