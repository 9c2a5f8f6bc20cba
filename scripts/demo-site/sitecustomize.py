"""What every Python process of `make demo` does first (``scripts/demo.sh`` puts this folder on
``PYTHONPATH``; Python imports ``sitecustomize`` at start-up, before the program).

- **Libraries' deprecation warnings are not shown.** Rasa's environment prints a screenful at start
  (SQLAlchemy 2.0, ``pkg_resources``, ``distutils``, jax, pyparsing...), and Sanic turns them on for
  every module, so a warnings filter (``PYTHONWARNINGS``) cannot keep them out: the display is
  filtered instead. A warning is a library's when the line it points at is in a library (site-packages,
  or the standard library); one that points at our code shows as ever, whatever its category, as do
  every other warning and every error. Also left out: ``rasa_sdk``'s notice that its version differs
  from Rasa's (the project pins both on purpose).
- **The Rasa server loads its model in half the time.** ``skops.io`` (which reads the intent
  classifier) builds, when first imported, a table of numpy's and scipy's functions by searching
  every loaded module for each of them; imported inside Rasa, after TensorFlow, that is 6,000
  modules and about 4.5 s. Imported here first, it is 0.5 s. Only ``rasa run`` does it.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import warnings
from typing import TextIO

LIBRARY_DIRS = tuple(
    {os.path.realpath(p) + os.sep for p in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"])}
    | {os.path.realpath(p) + os.sep for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
)
QUIET = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
QUIET_MESSAGES = ("Your versions of rasa and rasa_sdk might not be compatible",)

_show = warnings.showwarning


def from_a_library(filename: str) -> bool:
    path = os.path.realpath(filename) if filename else ""
    return path.startswith(LIBRARY_DIRS) or "site-packages" + os.sep in path or filename.startswith("<frozen")


def showwarning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """``warnings.showwarning``, leaving out libraries' deprecation warnings."""
    if from_a_library(filename) and (issubclass(category, QUIET) or str(message).startswith(QUIET_MESSAGES)):
        return
    _show(message, category, filename, lineno, file, line)


warnings.showwarning = showwarning

if os.path.basename(sys.argv[0] if sys.argv else "") == "rasa" and sys.argv[1:2] == ["run"]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import skops.io  # noqa: F401  (before TensorFlow: see above)
    except ImportError:
        pass
