"""The configuration `make run` (scripts/run.sh) runs under: supervisord and HAProxy.

    python -m bot.supervision write --root DIR [--rasa-processes 2] [--actions-processes 1] …

writes `var/supervisord.conf` and `var/haproxy.cfg` under DIR. docs/deploy.md: "Running unattended".

Why supervisord: it is a pinned PyPI package (`supervisor` in requirements.txt, nothing to build),
the usual supervisor of Python services, restarts a process that exits with a growing back-off,
keeps one log per program, and stops everything in order on Ctrl-C. (circus does the same with a
ZeroMQ dependency; systemd is not in a container or a CI job.)

What runs:
- `actions-N`: the action servers (`python -m bot.action_server`), on ACTIONS_PORT+1 …, HAProxy on
  ACTIONS_PORT in front. Rasa gives up a turn at once when the action server does not answer
  (and after ten such tries in a row leaves the conversation stuck), so HAProxy holds the call and
  tries again, once a second for up to 20 s, while supervisord restarts a dead action server.
- `rasa:rasa-N`: independent `rasa run` processes, one Sanic worker each, on loopback ports
  RASA_BACKEND_PORT … A dead one is restarted alone while the others answer.
- `haproxy`: on RASA_PORT in front of the Rasa processes (health check every second on
  `GET /webhooks/rest/ready`, 200 once the model is loaded; a
  request whose connection is refused goes to the next server). Loopback unless WeChat is on or
  RASA_HOST says otherwise.
- `console`: the staff console.
- `extra` programs (cluster mode: Redis).

Secrets never enter these files: supervisord passes its own environment on, and `%(ENV_…)s`
names them in a command.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

# A process that stays up this long counts as started; one that exits sooner is restarted after
# 1 s, 2 s, 3 s … (supervisord's back-off), and given up (FATAL) only after this many tries.
START_RETRIES = 100
# Seconds a stopping Rasa process gets to finish the turns it is answering (SIGTERM, then SIGKILL).
RASA_STOP_SECONDS = 30


@dataclass
class Program:
    name: str
    command: Sequence[str]
    start_seconds: int = 3
    stop_seconds: int = 10
    environment: Dict[str, str] = field(default_factory=dict)
    priority: int = 500


@dataclass
class Layout:
    """Every address and count of one deployment on one box."""

    root: Path
    var_dir: str = "var"
    python: str = ".venv/bin/python"
    model: str = "models/model.tar.gz"
    endpoints: str = "endpoints.yml"
    rasa_processes: int = 2
    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    rasa_backend_port: int = 5006
    actions_processes: int = 1
    actions_host: str = "127.0.0.1"
    actions_port: int = 5055
    console_host: str = "127.0.0.1"
    console_port: int = 8000
    extra: List[Program] = field(default_factory=list)

    @property
    def var(self) -> Path:
        return self.root / self.var_dir

    @property
    def rasa_ports(self) -> List[int]:
        return [self.rasa_backend_port + i for i in range(self.rasa_processes)]

    @property
    def actions_ports(self) -> List[int]:
        return [self.actions_port + 1 + i for i in range(self.actions_processes)]


def programs(layout: Layout) -> List[Program]:
    py = str(layout.root / layout.python)
    found = list(layout.extra)
    for i, port in enumerate(layout.actions_ports, 1):
        found.append(
            Program(
                f"actions-{i}",
                [py, "-m", "bot.action_server", "--port", str(port)],
                environment={"ACTIONS_HOST": layout.actions_host},
                priority=100,
            )
        )
    for i, port in enumerate(layout.rasa_ports, 1):
        found.append(
            Program(
                f"rasa-{i}",
                [
                    py,
                    "-m",
                    "bot.logsafe",
                    "rasa",
                    "run",
                    "--model",
                    layout.model,
                    "--endpoints",
                    layout.endpoints,
                    "--credentials",
                    "credentials.yml",
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--enable-api",
                    "--auth-token",
                    "%(ENV_RASA_TOKEN)s",
                ],
                start_seconds=10,
                stop_seconds=RASA_STOP_SECONDS,
                environment={"SANIC_WORKERS": "1"},
                priority=200,
            )
        )
    found.append(
        Program("haproxy", ["haproxy", "-db", "-f", str(layout.var / "haproxy.cfg")], start_seconds=1, priority=300)
    )
    found.append(
        Program(
            "console",
            [py, "-m", "bot.console", "--host", layout.console_host, "--port", str(layout.console_port)],
            priority=400,
        )
    )
    return found


def _quote(value: str) -> str:
    # supervisord reads the command with shlex and expands %(…)s: a literal % is written %%.
    return shlex.quote(value.replace("%", "%%")).replace("%%(ENV_", "%(ENV_")


def supervisord_conf(layout: Layout) -> str:
    var = layout.var
    lines = [
        "; Written by scripts/run.sh (bot/supervision.py): do not edit, it is rewritten at every start.",
        "[supervisord]",
        "nodaemon=true",
        f"logfile={var}/log/supervisord.log",
        f"pidfile={var}/supervisord.pid",
        f"childlogdir={var}/log",
        f"directory={layout.root}",
        "",
        "[unix_http_server]",
        f"file={var}/supervisor.sock",
        "chmod=0700",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{var}/supervisor.sock",
        "",
    ]
    progs = programs(layout)
    rasa = [p.name for p in progs if p.name.startswith("rasa-")]
    lines += ["[group:rasa]", "programs=" + ",".join(rasa), ""]
    for program in progs:
        lines += [
            f"[program:{program.name}]",
            "command=" + " ".join(_quote(part) for part in program.command),
            f"directory={layout.root}",
            f"priority={program.priority}",
            "autostart=true",
            "autorestart=true",
            f"startsecs={program.start_seconds}",
            f"startretries={START_RETRIES}",
            "stopsignal=TERM",
            f"stopwaitsecs={program.stop_seconds}",
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={var}/log/{program.name}.log",
            "stdout_logfile_maxbytes=20MB",
            "stdout_logfile_backups=5",
        ]
        if program.environment:
            lines.append("environment=" + ",".join(f'{k}="{v}"' for k, v in program.environment.items()))
        lines.append("")
    return "\n".join(lines)


# Health checks every second (every 0.5 s while a server is failing), down after 2 failures, up
# after 1 success. A request whose connection is refused or reset before the server answered it
# is retried on the next server (`retry-on conn-failure`, `option redispatch`): a refused
# connection never reached Rasa, so retrying it can not answer a message twice. A request that
# reached a process killed mid-turn is not retried (502): Rasa may already have acted on it.
_DEFAULTS = """\
global
    log stdout format raw local0 info
    maxconn 4096
    tune.bufsize 65536

defaults
    mode http
    log global
    option dontlog-normal
    option httplog
    option redispatch 1
    retries 3
    timeout connect 1s
    timeout client 120s
    timeout server 120s
    timeout http-request 10s
    timeout queue 30s
    timeout check 2s
    default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 1
"""


def haproxy_cfg(layout: Layout) -> str:
    parts = [
        "# Written by scripts/run.sh (bot/supervision.py): do not edit, it is rewritten at every start.",
        _DEFAULTS,
        f"frontend rasa\n    bind {layout.rasa_host}:{layout.rasa_port}\n    default_backend rasa_processes\n",
        "backend rasa_processes\n    balance leastconn\n    option httpchk GET /webhooks/rest/ready\n"
        "    http-check expect status 200\n    retry-on conn-failure\n"
        + "".join(f"    server rasa-{i} 127.0.0.1:{port} check\n" for i, port in enumerate(layout.rasa_ports, 1)),
    ]
    # Rasa → action servers. A call whose connection was refused, or closed without an answer,
    # is tried again (20 times, a second apart): a refused call never ran, and an action that
    # files a ticket is idempotent (the form's key), so a repeat files nothing twice. One server:
    # no health check, or HAProxy would refuse the calls (503) while it is down instead of waiting.
    check = " check" if layout.actions_processes > 1 else ""
    parts.append(
        f"frontend actions\n    bind {layout.actions_host}:{layout.actions_port}\n    default_backend action_servers\n"
    )
    parts.append(
        "backend action_servers\n    balance leastconn\n    option httpchk GET /health\n"
        "    http-check expect status 200\n    retries 20\n    retry-on conn-failure empty-response\n"
        + "".join(
            f"    server actions-{i} {layout.actions_host}:{port}{check}\n"
            for i, port in enumerate(layout.actions_ports, 1)
        )
    )
    return "\n".join(parts)


def write(layout: Layout) -> None:
    var = layout.var
    (var / "log").mkdir(parents=True, exist_ok=True)
    (var / "supervisord.conf").write_text(supervisord_conf(layout))
    (var / "haproxy.cfg").write_text(haproxy_cfg(layout))


def main(argv: Optional[Sequence[str]] = None) -> None:
    import os

    parser = argparse.ArgumentParser(prog="python -m bot.supervision", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="write var/supervisord.conf and var/haproxy.cfg")
    w.add_argument("--root", type=Path, default=Path.cwd())
    w.add_argument("--var", default="var", help="the directory for configs and logs, under --root unless absolute")
    w.add_argument("--rasa-processes", type=int, default=2)
    w.add_argument("--rasa-host", default="127.0.0.1")
    w.add_argument("--rasa-port", type=int, default=5005)
    w.add_argument("--rasa-backend-port", type=int, default=5006)
    w.add_argument("--actions-processes", type=int, default=1)
    w.add_argument("--actions-host", default=os.environ.get("ACTIONS_HOST", "127.0.0.1"))
    w.add_argument("--actions-port", type=int, default=5055)
    w.add_argument("--console-host", default="127.0.0.1")
    w.add_argument("--console-port", type=int, default=8000)
    w.add_argument(
        "--redis-port",
        type=int,
        default=0,
        help="also supervise a redis-server on this loopback port (cluster mode), data in var/redis",
    )
    args = parser.parse_args(argv)
    if args.rasa_processes < 1 or args.actions_processes < 1:
        parser.error("at least one Rasa process and one action server")
    extra = []
    if args.redis_port:
        (args.root / args.var / "redis").mkdir(parents=True, exist_ok=True)
        # Append-only file: the WeChat message log and the locks survive a restart of Redis.
        extra.append(
            Program(
                "redis",
                [
                    "redis-server",
                    "--port",
                    str(args.redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(args.root / args.var / "redis"),
                    "--appendonly",
                    "yes",
                    "--save",
                    "",
                ],
                start_seconds=1,
                priority=50,
            )
        )
    write(
        Layout(
            root=args.root.resolve(),
            var_dir=args.var,
            model=os.environ.get("RASA_MODEL", "models/model.tar.gz"),
            endpoints=os.environ.get("RASA_ENDPOINTS", "endpoints.yml"),
            rasa_processes=args.rasa_processes,
            rasa_host=args.rasa_host,
            rasa_port=args.rasa_port,
            rasa_backend_port=args.rasa_backend_port,
            actions_processes=args.actions_processes,
            actions_host=args.actions_host,
            actions_port=args.actions_port,
            console_host=args.console_host,
            console_port=args.console_port,
            extra=extra,
        )
    )


if __name__ == "__main__":
    main()
