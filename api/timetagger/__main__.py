"""``python -m timetagger``: validate the settings, then serve with uvicorn.

``--help`` lists every setting with its default; ``--version`` prints the version.
``python -m timetagger check|repair|backup|restore ...`` run the maintenance commands
of ``timetagger.admin`` instead of the server.
An unknown option or an invalid value stops with one line naming it (exit code 2).
"""

import logging
import logging.config
import os
import sys

from . import __version__, admin, config
from ._config import ConfigError, help_text


def log_config(level):
    """The logging setup, applied by uvicorn in the main process and in every worker."""
    level = level.upper()
    server_level = "WARNING" if level == "INFO" else level
    handler = {"handlers": ["default"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "default": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "timetagger": {**handler, "level": level},
            "uvicorn": {**handler, "level": server_level},
            "uvicorn.error": {"level": server_level},
        },
    }


def prepare_datadir():
    """Create the data directory and the signing key before any worker starts (with
    ``database_url``: reach the database, apply its schema, share the key there)."""
    from .server._tokens import ensure_key

    try:
        ensure_key()
    except OSError as err:
        raise ConfigError(
            f"invalid value for datadir: {config.datadir!r} ({err.strerror or err})"
        ) from None
    except RuntimeError as err:  # the database of database_url cannot be used
        raise ConfigError(f"database_url: {err}") from None


def check_site_dir():
    if config.site_dir and not os.path.isfile(
        os.path.join(config.site_dir, "index.html")
    ):
        raise ConfigError(
            f"invalid value for site_dir: {config.site_dir!r} "
            "(no index.html there: run 'make build' or 'python build.py' first)"
        )


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in admin.COMMANDS:  # check, repair, backup, restore
        return admin.run(argv)
    if "--help" in argv or "-h" in argv:
        print(help_text() + "\n\n" + admin.commands_help())
        return 0
    if "--version" in argv:
        print(f"timetagger {__version__}")
        return 0
    try:
        config.load(argv, strict=True)
        check_site_dir()
        prepare_datadir()
    except ConfigError as err:
        print(f"timetagger: {err}", file=sys.stderr)
        return 2
    logging.config.dictConfig(log_config(config.log_level))
    import uvicorn

    host, _, port = config.bind.rpartition(":")
    host = host.strip("[]")
    logging.getLogger("timetagger").info(
        "TimeTagger %s serving at http://%s:%s%s",
        __version__,
        host,
        port,
        config.path_prefix,
    )
    # The environment carries the validated settings to worker processes.
    for name, value in config.as_dict().items():
        os.environ["TIMETAGGER_" + name.upper()] = (
            ("true" if value else "false") if isinstance(value, bool) else str(value)
        )
    from .server._protocol import GuardedHttpToolsProtocol

    uvicorn.run(
        "timetagger.server._app:app",
        host=host,
        port=int(port),
        workers=config.workers if config.workers > 1 else None,
        log_config=log_config(config.log_level),
        # The app applies X-Forwarded-For itself, for trusted_proxies only, after
        # keeping the direct peer (which the localhost and proxy logins check).
        proxy_headers=False,
        server_header=False,
        access_log=False,
        http=GuardedHttpToolsProtocol,  # head size limit (431), request deadline (408)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
