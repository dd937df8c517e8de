"""gunicorn's settings and hooks for `duibiao serve` (gunicorn --config python:duibiao.config.gunicorn).

The application is preloaded: the master imports it and warms what can be shared
(`warmup.warm_master`), then every worker forks from that state, opens its own database
connection and serves one request to itself (`warmup.warm_worker`) before it accepts any.
`duibiao serve` says it is ready only once every worker has done so: each warm worker writes
its pid into a pipe the master reads. The command line's --bind and --workers override these.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

preload_app = True
timeout = 120
accesslog = "-"
# gunicorn's runtime control socket (one fixed path per user) is off: two servers on one host
# would fight over it, and nothing here needs to change workers at run time.
control_socket_disable = True
# gunicorn's combined format, plus the worker's pid and the time it took (ms): the warm-start
# bench reads each worker's first request from it.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" pid=%(p)s %(M)sms'

READY_MESSAGE = "已就绪 / ready"
_started = time.monotonic()
_pipe: tuple[int, int] | None = None


def say(message: str) -> None:
    print(f"[duibiao serve] {message}", file=sys.stderr, flush=True)


def on_starting(server: Any) -> None:
    """In the master, once the preloaded application is imported: warm what workers share,
    and start listening for the workers' word that they are warm."""
    global _pipe
    from duibiao.config.warmup import warm_master

    try:
        steps = warm_master(server.app.wsgi())  # the preloaded application (loaded once, cached)
    except Exception as exc:  # noqa: BLE001 (a server that can serve starts, if cold)
        say(f"主进程预热失败，继续启动 / master warm-up failed, starting cold: {exc!r}")
    else:
        say("主进程预热完成 / master warm: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()))
    _pipe = os.pipe()
    threading.Thread(target=_await_workers, args=(_pipe[0], server.num_workers, server.address),
                     name="warm-workers", daemon=True).start()


def pre_fork(server: Any, worker: Any) -> None:
    """No database connection may cross a fork: two processes would talk on one socket."""
    from django.db import connections

    connections.close_all()


def post_worker_init(worker: Any) -> None:
    """In each worker, after it loaded the application and before it accepts a request."""
    from duibiao.config.warmup import warm_worker

    began = time.perf_counter()
    try:
        status = warm_worker(worker.wsgi)
    except Exception as exc:  # noqa: BLE001 (the database down for a moment must not stop the server)
        say(f"进程 {os.getpid()} 预热失败 / worker warm-up failed: {exc!r}")
    else:
        if status != 200:
            say(f"进程 {os.getpid()} 预热请求返回 {status} / warm-up request answered {status}")
        say(f"进程 {os.getpid()} 已预热（{time.perf_counter() - began:.2f} 秒）/ worker warm")
    if _pipe is not None:
        os.write(_pipe[1], f"{os.getpid()}\n".encode())


def _await_workers(read_fd: int, expected: int, addresses: Any) -> None:
    """The master's thread: says ready when `expected` distinct workers have reported warm, then
    keeps reading, so that workers started later (one that died, a reload) never block on a
    full pipe."""
    warm: set[str] = set()
    pending = b""
    said = False
    while True:
        chunk = os.read(read_fd, 1024)
        if not chunk:
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        warm.update(line.decode() for line in lines if line)
        if not said and len(warm) >= expected:
            said = True
            where = ", ".join(_url(address) for address in addresses or [])
            say(f"{READY_MESSAGE}: {where} （{expected} 个进程已预热，{time.monotonic() - _started:.1f} 秒）")


def _url(address: Any) -> str:
    if isinstance(address, tuple):
        return f"http://{address[0]}:{address[1]}"
    return str(address)
