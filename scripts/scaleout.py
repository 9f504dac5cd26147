"""Scale-out: several Rasa servers and action servers behind nginx, conversations in PostgreSQL, and
the conversation lock, rate counters and Slack replay cache in Redis. The processes are those of
scripts/stack.py, started more than once; nothing else changes but the environment.

`make run-scaleout` (python -m scripts.scaleout) runs it until Ctrl-C: MBC_SERVERS (default 2) Rasa
servers and action servers; nginx on MBC_RASA_HOST:MBC_RASA_PORT, where people connect; the Rasa
servers on 127.0.0.1 ports MBC_RASA_PORT+101...; the action servers on MBC_ACTION_PORT+101..., reached
through nginx on 127.0.0.1:MBC_ACTION_PORT. nginx is also Rasa's model server, on 127.0.0.1:
MBC_MODEL_SERVER_PORT: the Rasa servers load their model from it and pick up what `make publish` (or an
editor in the staff app) publishes into MBC_PUBLISH_DIR, without a restart; until then it hands out
models/mbc.tar.gz. It needs MBC_TRACKER_DB_URL=postgresql://... and
MBC_REDIS_URL=redis://... Tests use running_scaleout() on ports of their own.
"""
import contextlib
import signal
import sys
import time
from pathlib import Path
from typing import Dict, List

import settings
from editorial.publish import MODEL_NAME, seed
from scripts import nginx
from scripts.stack import stack_env, start_actions, start_rasa, stop, wait_for, write_config


class Cluster:
    """The running processes by name (rasa1.., actions1.., nginx), and how to stop or start one."""

    def __init__(self, state_dir: Path, log_dir: Path, env: dict, rasa_ports: List[int], action_ports: List[int],
                 public_url: str, timeout: float) -> None:
        self.state_dir, self.log_dir, self.env, self.timeout = state_dir, log_dir, env, timeout
        self.ports = {**{f"rasa{i}": p for i, p in enumerate(rasa_ports, 1)},
                      **{f"actions{i}": p for i, p in enumerate(action_ports, 1)}}
        self.public_url = public_url
        self.procs: Dict[str, object] = {}

    @property
    def rasa_urls(self) -> List[str]:
        return [f"http://127.0.0.1:{p}" for n, p in self.ports.items() if n.startswith("rasa")]

    def health_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}" + ("/health" if name.startswith("actions") else "/")

    def launch(self, name: str) -> None:
        log = self.log_dir / f"{name}.log"
        if name.startswith("rasa"):
            self.procs[name] = start_rasa(self.env, self.ports[name], log, self.state_dir)
        else:
            self.procs[name] = start_actions(self.env, self.ports[name], log)

    def wait(self, name: str) -> None:
        wait_for(self.health_url(name), self.timeout, self.procs[name])

    def start(self, name: str) -> None:
        self.launch(name)
        self.wait(name)

    def stop(self, name: str, sig=signal.SIGTERM) -> None:
        stop(self.procs[name], sig=sig)


def check_stores(env: dict) -> None:
    if not env.get("MBC_TRACKER_DB_URL", "").startswith("postgresql"):
        raise SystemExit("Scale-out keeps conversations in PostgreSQL: set MBC_TRACKER_DB_URL=postgresql://...")
    if not env.get("MBC_REDIS_URL"):
        raise SystemExit("Scale-out shares the conversation lock in Redis: set MBC_REDIS_URL=redis://host:6379/0")


@contextlib.contextmanager
def running_scaleout(state_dir: Path, rasa_ports: List[int], action_ports: List[int], public_port: int,
                     actions_port: int, public_host: str = "127.0.0.1", log_dir: Path = None,
                     timeout: float = 300, models_port: int = None, **extra_env):
    """Yield a Cluster with every server and nginx answering; stop them all afterwards."""
    state_dir.mkdir(parents=True, exist_ok=True)
    log_dir = log_dir or state_dir
    log_dir.mkdir(parents=True, exist_ok=True)
    models_port = models_port or settings.get_int("MBC_MODEL_SERVER_PORT")
    publish_dir = Path(extra_env.pop("MBC_PUBLISH_DIR", None) or state_dir / "published")
    # The Rasa servers call the action servers through nginx; behind nginx, X-Real-IP is the client.
    env = stack_env(state_dir, rasa_ports[0], actions_port, MBC_TRUST_PROXY="1", MBC_PUBLISH_DIR=str(publish_dir),
                    MBC_MODEL_URL=f"http://127.0.0.1:{models_port}/models/{MODEL_NAME}", **extra_env)
    check_stores(env)
    seed(publish_dir)
    cluster = Cluster(state_dir, log_dir, env, rasa_ports, action_ports, f"http://127.0.0.1:{public_port}", timeout)
    try:
        write_config(state_dir, env)
        conf = nginx.render(state_dir / "nginx", f"{public_host}:{public_port}", actions_port, rasa_ports,
                            action_ports, models_port, publish_dir)
        cluster.procs["nginx"] = nginx.start(conf)
        names = list(cluster.ports)
        for name in names:
            cluster.launch(name)
        for name in names:
            cluster.wait(name)
        yield cluster
    finally:
        stop(*cluster.procs.values())


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the servers too, as on Ctrl-C
    servers = settings.get_int("MBC_SERVERS")
    rasa_port, action_port = settings.get_int("MBC_RASA_PORT"), settings.get_int("MBC_ACTION_PORT")
    state = settings.state_dir()
    host = settings.get("MBC_RASA_HOST")
    print(f"==> {servers} Rasa servers and {servers} action servers behind nginx on http://{host}:{rasa_port}")
    with running_scaleout(state, [rasa_port + 101 + i for i in range(servers)],
                          [action_port + 101 + i for i in range(servers)], rasa_port, action_port,
                          public_host=host, log_dir=state / "logs", MBC_PUBLISH_DIR=settings.get("MBC_PUBLISH_DIR"),
                          MBC_TRACKER_DB_URL=settings.get("MBC_TRACKER_DB_URL")) as cluster:
        print(f"The assistant is up on http://{host}:{rasa_port} (logs in {state / 'logs'}). "
              "Press Ctrl-C to stop.")
        try:
            while all(p.poll() is None for p in cluster.procs.values()):
                time.sleep(1)
        except KeyboardInterrupt:
            return 0
        gone = [n for n, p in cluster.procs.items() if p.poll() is not None]
        print(f"stopped: {', '.join(gone)} exited (see {state / 'logs'})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
