"""The configurations `make run` runs under (bot/supervision.py): what supervisord runs and
restarts, what HAProxy balances and checks, what listens where, and that no secret is written."""

import configparser
import shutil
import subprocess

import pytest

from bot.supervision import Layout, haproxy_cfg, main, supervisord_conf


def written(tmp_path, *args):
    main(["write", "--root", str(tmp_path), *args])
    conf = configparser.RawConfigParser()
    conf.read(tmp_path / "var/supervisord.conf")
    return conf, (tmp_path / "var/haproxy.cfg").read_text()


def test_default_layout_supervises_every_process_with_restart_and_logs(tmp_path, monkeypatch):
    monkeypatch.setenv("RASA_TOKEN", "secret-rasa-token")
    conf, haproxy = written(tmp_path, "--rasa-processes", "2")
    programs = {s.split(":", 1)[1] for s in conf.sections() if s.startswith("program:")}
    assert programs == {"actions-1", "rasa-1", "rasa-2", "haproxy", "console"}
    for name in programs:
        section = conf[f"program:{name}"]
        assert section["autorestart"] == "true" and int(section["startretries"]) >= 10
        assert section["stdout_logfile"] == f"{tmp_path}/var/log/{name}.log"
        assert section["stopasgroup"] == "true"
    assert conf["group:rasa"]["programs"] == "rasa-1,rasa-2"
    rasa = conf["program:rasa-1"]
    assert "--interface 127.0.0.1 --port 5006" in rasa["command"] and 'SANIC_WORKERS="1"' in rasa["environment"]
    assert "-m bot.logsafe rasa run" in rasa["command"]
    assert int(rasa["stopwaitsecs"]) >= 30  # time to finish the turns it is answering
    assert "--port 5007" in conf["program:rasa-2"]["command"]
    assert "--port 5056" in conf["program:actions-1"]["command"]
    # Secrets stay in the environment: the token is named, never written.
    assert "%(ENV_RASA_TOKEN)s" in rasa["command"]
    assert "secret-rasa-token" not in (tmp_path / "var/supervisord.conf").read_text() + haproxy
    assert "bind 127.0.0.1:5005" in haproxy and "bind 127.0.0.1:5055" in haproxy
    assert "server rasa-1 127.0.0.1:5006 check" in haproxy and "server rasa-2 127.0.0.1:5007 check" in haproxy
    assert "option httpchk GET /webhooks/rest/ready" in haproxy
    # One action server: no health check, so HAProxy waits for it instead of refusing calls.
    assert "server actions-1 127.0.0.1:5056\n" in haproxy


def test_cluster_layout_balances_two_action_servers_and_supervises_redis(tmp_path):
    conf, haproxy = written(tmp_path, "--actions-processes", "2", "--redis-port", "6391", "--rasa-host", "0.0.0.0")
    assert "server actions-1 127.0.0.1:5056 check" in haproxy and "server actions-2 127.0.0.1:5057 check" in haproxy
    assert "bind 0.0.0.0:5005" in haproxy  # only the public frontend, when asked
    assert "bind 127.0.0.1:5055" in haproxy
    redis = conf["program:redis"]["command"]
    assert "--appendonly yes" in redis and "--bind 127.0.0.1" in redis
    assert int(conf["program:redis"]["priority"]) < int(conf["program:rasa-1"]["priority"])


def test_retries_only_what_never_reached_rasa():
    """A message that reached a Rasa process is never sent to another (it may have been acted on);
    a refused connection is."""
    rasa_backend = haproxy_cfg(Layout(root=__import__("pathlib").Path("/x"))).split("\nbackend rasa_processes")[1]
    rasa_backend = rasa_backend.split("frontend")[0]
    assert "retry-on conn-failure\n" in rasa_backend
    assert "empty-response" not in rasa_backend and "response-timeout" not in rasa_backend


@pytest.mark.skipif(not shutil.which("haproxy"), reason="haproxy not installed (scripts/run.sh installs it)")
@pytest.mark.parametrize("actions", ["1", "2"])
def test_haproxy_accepts_the_configuration(tmp_path, actions):
    written(tmp_path, "--actions-processes", actions)
    result = subprocess.run(["haproxy", "-c", "-f", str(tmp_path / "var/haproxy.cfg")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_supervisord_accepts_the_configuration(tmp_path, monkeypatch):
    monkeypatch.setenv("RASA_TOKEN", "t")
    from supervisor.options import ServerOptions

    written(tmp_path)
    options = ServerOptions()
    options.realize(["-c", str(tmp_path / "var/supervisord.conf")])
    assert {group.name for group in options.process_group_configs} >= {"rasa", "actions-1", "haproxy", "console"}
    assert supervisord_conf(Layout(root=tmp_path)).startswith("; Written by scripts/run.sh")
