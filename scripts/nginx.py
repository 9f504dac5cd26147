"""nginx for the scale-out mode: its configuration rendered from deploy/nginx.conf.template into
<state>/nginx/nginx.conf, and the nginx process (Debian's package; `make nginx` installs it)."""
import getpass
import shutil
import subprocess
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"


def binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise RuntimeError("nginx is not installed: run `make nginx` (apt-get install nginx)")
    return found


def render(directory: Path, public_listen: str, actions_port: int, rasa_ports: Iterable[int],
           action_ports: Iterable[int], models_port: int, publish_dir: Path) -> Path:
    def servers(ports):
        return "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in ports)

    text = TEMPLATE.read_text()
    for name, value in {"DIR": str(directory), "PUBLIC_LISTEN": public_listen, "ACTIONS_PORT": str(actions_port),
                        "RASA_SERVERS": servers(rasa_ports), "ACTION_SERVERS": servers(action_ports),
                        "MODELS_PORT": str(models_port), "PUBLISH_DIR": str(publish_dir),
                        "USER": getpass.getuser()}.items():
        text = text.replace(f"@{name}@", value)
    (directory / "tmp").mkdir(parents=True, exist_ok=True)
    conf = directory / "nginx.conf"
    conf.write_text(text)
    return conf


def start(conf: Path) -> subprocess.Popen:
    directory = conf.parent
    subprocess.run([binary(), "-t", "-q", "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")],
                   check=True)
    return subprocess.Popen([binary(), "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")],
                            stdout=open(directory / "nginx.out", "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
