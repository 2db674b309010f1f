"""Behind a load balancer, rate limits count each client, not the balancer."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client


@pytest.mark.django_db
def test_track_lookups_are_limited_per_client_behind_the_load_balancer(settings):
    settings.ONETRIP_TRUSTED_PROXIES = 1
    cache.clear()
    balancer = {"REMOTE_ADDR": "10.0.0.2"}
    client = Client()

    def lookup(forwarded):
        return client.get(
            "/api/v1/track/",
            {"number": "2026010100000001", "code": "000000"},
            HTTP_X_FORWARDED_FOR=forwarded,
            **balancer,
        ).status_code

    # A client that sends its own X-Forwarded-For is still counted by what the balancer saw.
    statuses = [lookup(f"198.51.100.{n}, 203.0.113.9") for n in range(30)]
    assert statuses == [404] * 30
    refused = client.get(
        "/api/v1/track/",
        {"number": "2026010100000001", "code": "000000"},
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.9",
        **balancer,
    )
    assert refused.status_code == 429 and refused.json()["code"] == "too_many"
    assert refused["Retry-After"] == "3600"
    assert lookup("203.0.113.10") == 404  # another client is not held back
    settings.ONETRIP_TRUSTED_PROXIES = 0  # without the setting, everyone is the balancer
    cache.clear()
    assert [lookup(f"203.0.113.{n}") for n in range(31)][-1] == 429
    cache.clear()


def test_client_addresses_with_ports_and_spoofed_hops(settings):
    from django.test import RequestFactory

    from onetrip.core.clientaddr import client_ip

    settings.ONETRIP_TRUSTED_PROXIES = 1

    def ip(forwarded):
        return client_ip(RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded))

    assert ip("203.0.113.9:4711") == "203.0.113.9"
    assert ip("[2001:db8::1]:4711") == "2001:db8::1"
    assert ip("2001:db8::1") == "2001:db8::1"
    assert ip("1.2.3.4, 203.0.113.9") == "203.0.113.9"  # the client's own entry is ignored
    assert ip("") == "127.0.0.1" and ip("not-an-address") == "127.0.0.1"  # REMOTE_ADDR
