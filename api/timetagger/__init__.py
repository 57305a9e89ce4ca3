"""TimeTagger, split: a self-hostable time tracker.

This package is the server side: the configuration (``timetagger.config``), the
``/api/v2`` process (``timetagger.server``) and the asset functions the site build uses.
``python -m timetagger`` starts the API; ``build.py`` at the repository root compiles the
static site.
"""

__version__ = "26.11.0"

version_info = tuple(int(part) for part in __version__.split("."))

from ._config import config  # noqa: E402

__all__ = ["__version__", "config", "version_info"]
