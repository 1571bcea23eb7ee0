"""What the command line and its subcommands share: exit codes and terminal colour.

Exit codes (the one place they are defined):

====  =====================================================================
0     no finding at or above the ``--fail-on`` threshold
1     findings at or above the threshold
2     usage, configuration, rule or plugin error; or a file that could not be
      linted (missing, unreadable, binary, undecodable, a rule timed out)
3     internal error (a bug in healthlint or a plugin)
====  =====================================================================
"""

from __future__ import annotations

import os
from typing import TextIO

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3


def use_color(choice: str, stream: TextIO) -> bool:
    """``--color auto|always|never``: auto means a terminal, unless ``NO_COLOR`` is set."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())
