"""`onetrip serve`: the embedded sandbox registries find a port."""

from __future__ import annotations

import io
import socket

import pytest
from django.core.management import call_command  # noqa: F401  (the command module loads Django)

from onetrip.core.management.commands.serve import Command


@pytest.fixture
def taken_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def _sandbox(settings, tmp_path, port):
    settings.ONETRIP_SANDBOX_EMBEDDED = True
    settings.ONETRIP_SANDBOX_PORT = port
    settings.ONETRIP_SANDBOX_PEOPLE = 50
    settings.ONETRIP_SANDBOX_ENTERPRISES = 5
    settings.ONETRIP_EXCHANGE_KEY_DIR = tmp_path
    out = io.StringIO()
    command = Command(stdout=out)
    return command._sandbox_start(), out.getvalue()


def test_a_taken_default_port_moves_the_sandbox_and_the_connector_with_it(
    settings, tmp_path, taken_port, monkeypatch
):
    monkeypatch.delenv("ONETRIP_SANDBOX_PORT", raising=False)
    monkeypatch.delenv("ONETRIP_EXCHANGE_URL", raising=False)
    sandbox, out = _sandbox(settings, tmp_path, taken_port)
    try:
        assert sandbox is not None and f":{taken_port}" not in sandbox.url
        assert sandbox.url == settings.ONETRIP_EXCHANGE_URL
        assert sandbox.url in out
        with socket.create_connection(("127.0.0.1", int(sandbox.url.rsplit(":", 1)[1]))):
            pass
    finally:
        if sandbox is not None:
            sandbox.stop()


def test_a_port_the_operator_chose_is_not_changed(settings, tmp_path, taken_port, monkeypatch):
    monkeypatch.setenv("ONETRIP_SANDBOX_PORT", str(taken_port))
    before = settings.ONETRIP_EXCHANGE_URL
    sandbox, out = _sandbox(settings, tmp_path, taken_port)
    assert sandbox is None and "部门数据沙箱未启动" in out
    assert before == settings.ONETRIP_EXCHANGE_URL
