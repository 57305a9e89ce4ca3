"""``python -m timetagger``: validate the settings, then serve with uvicorn.

``--help`` lists every setting with its default; ``--version`` prints the version.
``python -m timetagger check|repair|backup|restore ...`` run the maintenance commands
of ``timetagger.admin`` instead of the server.
An unknown option or an invalid value stops with one line naming it (exit code 2).
"""

import logging
import logging.config
import os
import shutil
import sys
import tempfile

from . import __version__, admin, config
from ._config import ConfigError, help_text


def log_config(level: str) -> dict:
    """The logging setup, applied by uvicorn in the main process and in every worker."""
    level = level.upper()
    server_level = "WARNING" if level == "INFO" else level
    handler = {"handlers": ["default"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "default": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "bare": {"format": "%(message)s"},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            },
            "access": {  # the access log: its lines as they are (JSON or text)
                "class": "logging.StreamHandler",
                "formatter": "bare",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "timetagger": {**handler, "level": level},
            "timetagger.access": {
                "handlers": ["access"],
                "propagate": False,
                "level": "INFO",
            },
            "uvicorn": {**handler, "level": server_level},
            "uvicorn.error": {"level": server_level},
        },
    }


def prepare_datadir() -> None:
    """Create the data directory and the signing key before any worker starts (with
    ``database_url``: reach the database, apply its schema, share the key there)."""
    if config.database_url:
        prepare_database()
        return
    from .server._tokens import ensure_key
    from .server._utils import data_path

    try:
        ensure_key(data_path("jwt.key"))
    except OSError as err:
        raise ConfigError(
            f"invalid value for datadir: {config.datadir!r} ({err.strerror or err})"
        ) from None


def prepare_database() -> None:
    """With ``database_url``: the schema applied and the signing key shared before
    any worker starts. A single process serves the requests itself: its Server is
    built now, its pool connected (not during the first login)."""
    from .server._pgstore import shared_signing_key
    from .server._server import current_server

    try:
        if config.workers > 1:
            shared_signing_key(config.database_url)
        else:
            server = current_server()
            server.signer.key  # noqa: B018 (read now: the schema is applied too)
            server.stores.backend.warm()
    except RuntimeError as err:  # _pgstore.DatabaseError, or a key too short
        raise ConfigError(f"database_url: {err}") from None


def check_site_dir() -> None:
    if config.site_dir and not os.path.isfile(
        os.path.join(config.site_dir, "index.html")
    ):
        raise ConfigError(
            f"invalid value for site_dir: {config.site_dir!r} "
            "(no index.html there: run 'make build' or 'python build.py' first)"
        )


def main(argv: list[str] | None = None) -> int:
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

    metrics_dir = shared_metrics_dir()
    try:
        run_uvicorn(uvicorn, host, port, GuardedHttpToolsProtocol)
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def shared_metrics_dir():
    """With metrics and several workers: a new folder where prometheus_client keeps
    every worker's numbers (a scrape adds them up). Returns it, to be removed at the
    end; None when not needed or given by the host (PROMETHEUS_MULTIPROC_DIR)."""
    if not config.metrics or config.workers < 2:
        return None
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    folder = tempfile.mkdtemp(prefix="timetagger-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    return folder


def run_uvicorn(uvicorn, host, port, protocol):
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
        http=protocol,  # head size limit (431), request deadline (408)
    )


if __name__ == "__main__":
    sys.exit(main())
