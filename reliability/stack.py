"""Every real process of a deployment, started on loopback for one reliability run, each of them
killable on its own.

The run owns all of it: its own PostgreSQL cluster (so it can be restarted), its own Redis (so it
can be killed), the SMTP sink, the web app under gunicorn, job-queue workers, the Rasa server and
the action server. Our processes run under ``scripts/supervised.sh`` as ``make run`` starts them,
so a ``kill -9`` is followed by the restart production's process manager would do; Redis and
PostgreSQL are brought back by this module, as systemd would bring back theirs. The Twilio
stand-in runs in this process (``bench.whatsapp.Recorder``) and notes when each message arrives.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import requests
from werkzeug.serving import make_server

from bench.whatsapp import SID, TOKEN, Recorder
from standins.processes import ROOT, stop_group

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/usr/bin"))
WHATSAPP_FROM = "whatsapp:+14155238886"
NGINX_BIN = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in found]


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@dataclass
class Supervised:
    """One of our processes under ``scripts/supervised.sh``: killing its child is a crash, and the
    supervisor starts it again with back-off."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [str(ROOT / "scripts" / "supervised.sh"), self.name, *self.argv],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def child(self) -> int | None:
        """The supervised process itself (not the back-off ``sleep``)."""
        assert self.proc is not None
        for pid in _children(self.proc.pid):
            if not _command(pid).startswith("sleep"):
                return pid
        return None

    def kill(self, grandchild: bool = False) -> int:
        """``kill -9`` the process (``grandchild``: one of its own workers, as gunicorn's); its pid."""
        pid = self.child()
        assert pid is not None, f"{self.name} is not running"
        if grandchild:
            workers = _children(pid)
            assert workers, f"{self.name} has no worker processes"
            pid = workers[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        if self.proc is not None:
            stop_group(self.proc, signal.SIGTERM, grace=20)


@dataclass
class Postgres:
    """A PostgreSQL cluster of this run's own (run as the ``postgres`` user: the server refuses root)."""

    folder: Path
    port: int = field(default_factory=free_port)

    def _as_postgres(self, *argv: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)

    def start(self) -> None:
        if not (self.folder / "PG_VERSION").exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres", "postgres")
            subprocess.run(
                self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.folder), "-A", "trust", "-U", "postgres"),
                check=True,
                capture_output=True,
            )
        self._ctl("start", "-w", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1")
        for _ in range(100):
            with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                break
            time.sleep(0.1)
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "cobranza"],
            capture_output=True,
            check=False,  # it exists already on a restart
        )

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every connection is cut, as when the server is restarted."""
        self._ctl("restart", "-m", "fast", "-w", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1")

    def stop(self) -> None:
        with suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", "immediate", "-w")

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.folder), "-l", str(self.folder / "log"), *args),
            check=True,
            capture_output=True,
        )

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/cobranza"


@dataclass
class Redis:
    """A Redis of this run's own, configured as the machine's (nothing kept on disk): a ``kill -9``
    loses everything it held, the worst case for the queue."""

    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@dataclass
class Stack:
    """What a run drives: the web app's URL, the stand-in, and every process by name."""

    app_url: str
    standin: Recorder
    standin_url: str
    env: dict[str, str]
    postgres: Postgres
    redis: Redis
    processes: dict[str, Supervised]
    mail_dir: Path
    logs: Path

    def healthz(self) -> tuple[int, dict[str, object]]:
        """``/healthz``'s status and, asked with the API token, every dependency's state."""
        try:
            answer = requests.get(
                self.app_url + "/healthz", headers={"Authorization": f"Bearer {self.env['API_TOKEN']}"}, timeout=5
            )
        except requests.RequestException as exc:
            return 0, {"error": type(exc).__name__}
        try:
            return answer.status_code, answer.json()
        except ValueError:
            return answer.status_code, {}


def _python() -> str:
    return str(ROOT / ".venv" / "bin" / "python")


NGINX = """worker_processes 1;
daemon off;
user root;
pid {root}/nginx.pid;
error_log {root}/logs/nginx.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_max_body_size 64m;
  client_body_temp_path {root}/nginx-body;
  proxy_temp_path {root}/nginx-proxy;
  proxy_read_timeout 120s;
  # a request that never reached a replica goes to the other; one that did is not sent twice (POSTs)
  proxy_next_upstream error timeout;
  proxy_connect_timeout 2s;
{upstreams}
}}
"""


def _nginx_conf(root: Path, tiers: dict[str, tuple[int, list[int]]]) -> str:
    """One upstream and one listener per tier: ``{name: (front port, [replica ports])}``."""
    parts = []
    for name, (front, ports) in tiers.items():
        servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;\n" for p in ports)
        parts.append(
            f"  upstream {name} {{\n{servers}    keepalive 32;\n  }}\n"
            f"  server {{\n    listen 127.0.0.1:{front};\n    location / {{\n"
            f"      proxy_pass http://{name};\n      proxy_http_version 1.1;\n"
            f'      proxy_set_header Connection "";\n      proxy_set_header Host $http_host;\n'
            f"      proxy_set_header X-Forwarded-For $remote_addr;\n    }}\n  }}\n"
        )
    return NGINX.format(root=root, upstreams="".join(parts))


@contextmanager
def running(workers: int = 2, web_workers: int = 2, replicas: int = 1) -> Iterator[Stack]:
    """Start everything, wait until ``/healthz`` says ok, and stop it all afterwards. ``replicas`` > 1: that
    many web processes, Rasa servers and action servers, each tier behind nginx (the cluster)."""
    root = Path(tempfile.mkdtemp(prefix="cobranza-reliability-"))
    root.chmod(0o755)  # the postgres user reaches its cluster's folder inside
    logs = root / "logs"
    logs.mkdir()
    postgres, store = Postgres(root / "pg"), Redis()
    standin = Recorder()
    standin_port, web_port, rasa_port, actions_port = free_port(), free_port(), free_port(), free_port()
    smtp_port, mail_http = free_port(), free_port()
    standin.app_base = f"http://127.0.0.1:{web_port}"
    server = make_server("127.0.0.1", standin_port, standin.app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    prefix = f"rel{uuid.uuid4().hex[:8]}"
    env = {
        "DATABASE_URL": postgres.url,
        "REDIS_URL": store.url,
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "RASA_TOKEN": f"rel-{uuid.uuid4().hex}",
        "SECRET_KEY": uuid.uuid4().hex,
        "ACTIONS_URL": f"http://127.0.0.1:{actions_port}",
        "RASA_TRACKER_PREFIX": prefix,
        "COMPANY_NAME": "Suministros Andinos S.A.S.",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_API_BASE": f"http://127.0.0.1:{standin_port}",
        "WHATSAPP_FROM": WHATSAPP_FROM,
        "VOICE_FROM": "+576015550100",
        "JOB_QUEUE": prefix,
        "API_TOKEN": f"rel-{uuid.uuid4().hex}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "MAIL_FROM": "cartera@suministros.example.com",
        "PLAN_EVERY": "0",
        "HEALTH_REQUIRED": "database,redis,rasa,actions,smtp,workers",
        "PYTHONUNBUFFERED": "1",
    }
    mail_dir = root / "mail"
    processes: dict[str, Supervised] = {}
    tiers: dict[str, tuple[int, list[int]]] = {}
    if replicas > 1:
        env["TRUSTED_PROXIES"] = "1"  # nginx in front of the web processes
        ports = {tier: [free_port() for _ in range(replicas)] for tier in ("web", "rasa", "actions")}
        tiers = {
            "web": (web_port, ports["web"]),
            "rasa": (rasa_port, ports["rasa"]),
            "actions": (actions_port, ports["actions"]),
        }
    else:
        ports = {"web": [web_port], "rasa": [rasa_port], "actions": [actions_port]}
    for i, port in enumerate(ports["web"]):
        name = "web" if replicas == 1 else f"web{i + 1}"
        gunicorn = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers"]
        gunicorn += [
            str(web_workers),
            "--worker-class",
            "gthread",
            "--threads",
            "8",
            "--graceful-timeout",
            "5",
            "wsgi:app",
        ]
        processes[name] = Supervised(name, gunicorn, env, logs / f"{name}.log")
    for i, port in enumerate(ports["rasa"]):
        name = "rasa" if replicas == 1 else f"rasa{i + 1}"
        own = {**env, "RASA_URL": f"http://127.0.0.1:{port}"}
        processes[name] = Supervised(name, [str(ROOT / "scripts" / "rasa.sh")], own, logs / f"{name}.log")
    for i, port in enumerate(ports["actions"]):
        name = "actions" if replicas == 1 else f"actions{i + 1}"
        own = {**env, "ACTIONS_URL": f"http://127.0.0.1:{port}"}
        processes[name] = Supervised(name, [str(ROOT / "scripts" / "actions.sh")], own, logs / f"{name}.log")
    mailsink = [_python(), "-m", "standins.mailsink", "--smtp-port", str(smtp_port), "--http-port", str(mail_http)]
    processes["smtp"] = Supervised("smtp", [*mailsink, "--dir", str(mail_dir)], env, logs / "smtp.log")
    for i in range(workers):
        processes[f"worker{i + 1}"] = Supervised(
            f"worker{i + 1}", [_python(), "-m", "cobranza", "worker"], env, logs / f"worker{i + 1}.log"
        )
    if tiers:
        for folder in ("nginx-body", "nginx-proxy"):
            (root / folder).mkdir()
        (root / "nginx.conf").write_text(_nginx_conf(root, tiers))
        processes["proxy"] = Supervised("proxy", [NGINX_BIN, "-c", str(root / "nginx.conf")], env, logs / "proxy.log")
    stack = Stack(
        f"http://127.0.0.1:{web_port}",
        standin,
        f"http://127.0.0.1:{standin_port}",
        env,
        postgres,
        store,
        processes,
        mail_dir,
        logs,
    )
    try:
        postgres.start()
        store.start()
        subprocess.run([_python(), "-m", "cobranza", "migrate"], cwd=ROOT, env={**os.environ, **env}, check=True)
        for proc in processes.values():
            proc.start()
        wait_healthy(stack, timeout=300)
        yield stack
    finally:
        for proc in processes.values():
            proc.stop()
        server.shutdown()
        store.stop()
        postgres.stop()
        if not os.environ.get("RELIABILITY_KEEP"):
            shutil.rmtree(root, ignore_errors=True)


def wait_healthy(stack: Stack, timeout: float) -> float:
    """Seconds until ``/healthz`` answers 200 with every part ok."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        status, _ = stack.healthz()
        if status == 200:
            return time.monotonic() - start
        time.sleep(0.5)
    raise RuntimeError(f"the stack was not healthy within {timeout:.0f} s; logs in {stack.logs}")


def quiet(stack: Stack, limit: float) -> float:
    """Seconds until the stack has nothing left to do on its own — no job waiting, no e-mail or WhatsApp
    message to send, no call waiting to be placed — or ``limit``."""
    from sqlalchemy import create_engine, func, select

    from cobranza.core.clock import utcnow
    from cobranza.db.models import Call, OutboxEmail, WhatsAppMessage

    engine = create_engine(stack.postgres.url)
    start = time.monotonic()
    try:
        while time.monotonic() - start < limit:
            with engine.connect() as conn:
                left = sum(
                    conn.execute(select(func.count()).select_from(model).where(condition)).scalar_one()
                    for model, condition in (
                        (OutboxEmail, OutboxEmail.status == "pending"),
                        (WhatsAppMessage, WhatsAppMessage.status.in_(("pending", "submitting"))),
                        (  # a call due to be placed (one scheduled for later is not work left now)
                            Call,
                            Call.sid.is_(None)
                            & (Call.status == "queued")
                            & (Call.not_before.is_(None) | (Call.not_before <= utcnow())),
                        ),
                    )
                )
            _, body = stack.healthz()
            workers = (body.get("dependencies") or {}).get("workers") or {}
            if not left and isinstance(workers, dict) and workers.get("oldest_waiting_seconds") is None:
                break
            time.sleep(1.0)
    finally:
        engine.dispose()
    time.sleep(3.0)  # the stand-in's status callbacks
    return time.monotonic() - start
