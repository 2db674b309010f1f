"""`onetrip serve`: the embedded sandbox registries find a port."""

from __future__ import annotations

import io
import socket

import pytest
from django.core.management import call_command

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


class _Stoppable:
    def stop(self):
        pass


@pytest.fixture
def serve_once(monkeypatch, settings):
    """`onetrip serve` up to the point where it would listen; what it printed, and whether it
    loaded the demo."""
    import waitress

    from onetrip.core.management.commands import serve as serve_module
    from onetrip.notifications import worker
    from onetrip.supervision import scheduler

    loaded, served = [], []
    monkeypatch.setattr(waitress, "serve", lambda *a, **k: served.append(k))
    monkeypatch.setattr(worker, "start_in_thread", lambda **k: _Stoppable())
    monkeypatch.setattr(scheduler, "start_in_thread", lambda **k: _Stoppable())
    monkeypatch.setattr(serve_module, "demo_ensure", lambda **k: loaded.append(True))
    settings.ONETRIP_SANDBOX_EMBEDDED = False

    def run(*args):
        out = io.StringIO()
        call_command("serve", *args, stdout=out)
        return out.getvalue(), bool(loaded)

    run.served = served
    return run


@pytest.mark.django_db
def test_serve_on_a_production_database_creates_no_demo_accounts(serve_once, settings):
    settings.ONETRIP_DEMO = False  # the default when ONETRIP_DATABASE_URL is set
    out, loaded = serve_once()
    assert not loaded and "演示账号" not in out


@pytest.mark.django_db
def test_serve_loads_the_demo_where_it_is_on_unless_told_not_to(serve_once, settings):
    settings.ONETRIP_DEMO = True
    out, loaded = serve_once()
    assert loaded and "演示账号 admin" in out


@pytest.mark.django_db
def test_serve_no_demo_flag_still_wins(serve_once, settings):
    settings.ONETRIP_DEMO = True
    out, loaded = serve_once("--no-demo")
    assert not loaded and "演示账号" not in out


@pytest.mark.django_db
def test_serve_passes_forwarded_headers_only_behind_trusted_proxies(serve_once, settings):
    settings.ONETRIP_DEMO = False
    serve_once()
    assert serve_once.served[-1]["clear_untrusted_proxy_headers"] is True
    settings.ONETRIP_TRUSTED_PROXIES = 1
    serve_once()
    assert serve_once.served[-1]["clear_untrusted_proxy_headers"] is False


def test_a_shared_database_without_the_shared_keys_is_refused(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from onetrip.conf.checks import require_shared_keys

    monkeypatch.setenv("ONETRIP_DATABASE_URL", "postgres://db.example/onetrip")
    monkeypatch.delenv("ONETRIP_SECRET_KEY", raising=False)
    monkeypatch.setenv("ONETRIP_FIELD_KEY", "k")
    with pytest.raises(ImproperlyConfigured, match="ONETRIP_SECRET_KEY"):
        require_shared_keys()
    monkeypatch.setenv("ONETRIP_SECRET_KEY", "s")
    monkeypatch.delenv("ONETRIP_FIELD_KEY")
    with pytest.raises(ImproperlyConfigured, match="ONETRIP_FIELD_KEY"):
        require_shared_keys()
    monkeypatch.setenv("ONETRIP_FIELD_KEY", "k")
    require_shared_keys()
    monkeypatch.delenv("ONETRIP_DATABASE_URL")  # the embedded default keeps its own key
    monkeypatch.delenv("ONETRIP_SECRET_KEY")
    monkeypatch.delenv("ONETRIP_FIELD_KEY")
    require_shared_keys()


def test_a_misspelt_sms_gateway_is_refused_at_start_and_a_class_path_is_loaded(
    settings, monkeypatch
):
    from django.core.exceptions import ImproperlyConfigured

    from onetrip.conf.checks import require_channels
    from onetrip.notifications import channels
    from onetrip.notifications.channels import SandboxSmsChannel, channel_for

    monkeypatch.setattr(channels, "_registry", dict(channels._registry))  # loaded paths stay here

    settings.ONETRIP_SMS_CHANNEL = "aliyun"
    with pytest.raises(ImproperlyConfigured, match="aliyun"):
        require_channels()
    settings.ONETRIP_SMS_CHANNEL = "no.such.module.Gateway"
    with pytest.raises(ImproperlyConfigured, match="无法载入"):
        require_channels()
    settings.ONETRIP_SMS_CHANNEL = "onetrip.notifications.channels.SandboxSmsChannel"
    require_channels()
    assert isinstance(channel_for("sms"), SandboxSmsChannel)


def test_the_sandbox_sms_on_a_production_database_is_said_out_loud(settings, monkeypatch, caplog):
    from onetrip.conf.checks import require_channels

    monkeypatch.setenv("ONETRIP_DATABASE_URL", "postgres://db.example/onetrip")
    settings.ONETRIP_DEMO = False
    settings.ONETRIP_SMS_CHANNEL = "sandbox"
    require_channels()
    assert "不会真正发出" in caplog.text


def test_a_number_setting_that_is_not_one_stops_the_process_with_its_name(tmp_path):
    """``ONETRIP_API_TOKEN_DAYS=abc`` or ``=0`` is said in one line, not a traceback; the
    process does not start on a setting it cannot use."""
    import subprocess
    import sys

    def check(**env):
        return subprocess.run(
            [sys.executable, "-m", "onetrip.cli", "check"],
            env={"PATH": "/usr/bin:/bin", "ONETRIP_DATA_DIR": str(tmp_path), **env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    bad = check(ONETRIP_API_TOKEN_DAYS="abc")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "ONETRIP_API_TOKEN_DAYS 应为整数，现为“abc”。" in bad.stderr
    low = check(ONETRIP_API_TOKEN_DAYS="0")
    assert low.returncode == 1 and "ONETRIP_API_TOKEN_DAYS 至少为 1，现为 0。" in low.stderr
    share = check(ONETRIP_CARD_YELLOW_SHARE="九成")
    assert share.returncode == 1 and "ONETRIP_CARD_YELLOW_SHARE 应为数字" in share.stderr
    assert check(ONETRIP_API_TOKEN_DAYS="7").returncode == 0
