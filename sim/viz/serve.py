"""The view's web server: Solara's own Starlette app under uvicorn, on 127.0.0.1 only.

:func:`bind` takes the port first (so "port in use" is a clear error before anything starts,
and no other process can take it between the check and the start); :func:`serve` hands the
launch to the app (:func:`sim.viz.session.set_launch`), says where the view is, and serves until
Ctrl-C (or SIGTERM), which uvicorn turns into a graceful shutdown: open pages are closed (each
page's play loop is cancelled between months) and :func:`serve` returns. Solara's telemetry is
switched off (nothing leaves the machine), and a closed page is freed after two minutes.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import warnings

from .session import Launch, set_launch

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "sim.viz.app"
#: A closed page's replicate (and a play loop left running) is dropped after this, not after
#: Solara's default of 24 hours: each page holds a model.
CULL_TIMEOUT = "2m"


class PortInUse(OSError):
    """The port is taken by another program (or another view)."""


def bind(port: int, host: str = HOST) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: any free port). PortInUse if it is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)     # a port left in TIME_WAIT is free
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        if e.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortInUse(f"port {port} on {host} is in use (or not allowed); choose another with "
                            f"--port N, or --port 0 for any free port") from None
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _solara_app():
    """Solara's ASGI app serving :data:`APP`, with telemetry off."""
    # plain http on 127.0.0.1: Solara falls back to a lax session cookie, and says so at each page
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    os.environ["SOLARA_APP"] = APP
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    import solara.server.settings as settings

    settings.telemetry.mixpanel_enable = False
    settings.kernel.cull_timeout = CULL_TIMEOUT
    import solara.server.app as appmod
    from solara.server.starlette import app

    if "__default__" not in appmod.apps:          # solara.server.app was imported before SOLARA_APP was set
        appmod.apps["__default__"] = appmod.AppScript(APP)
    return app


def serve(launch: Launch, sock: socket.socket, *, out=sys.stdout) -> None:
    """Serve the view of ``launch`` on the bound socket ``sock`` until Ctrl-C or SIGTERM."""
    import uvicorn

    set_launch(launch)
    app = _solara_app()
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2,
                            lifespan="on")
    server = uvicorn.Server(config)
    print(f"view: http://{host}:{port}/  ({launch.scenario.name}, seed {launch.seed}; Ctrl-C stops the server)",
          file=out, flush=True)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:           # uvicorn shut down, then passed the signal on
        pass
    finally:
        sock.close()
