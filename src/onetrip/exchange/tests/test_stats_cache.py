"""The measured 材料免提交率 on the public scoreboard is counted at most every five minutes."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from onetrip.applications.tests.factories import submitted, world
from onetrip.exchange import selectors
from onetrip.exchange.selectors import MEASURED_CACHE_KEY, materials_exempt_measured

pytestmark = pytest.mark.django_db


def test_the_measured_rate_is_cached_for_five_minutes(django_assert_num_queries, monkeypatch):
    assert MEASURED_CACHE_KEY.startswith("onetrip:stats:")
    timeouts = []
    real_set = cache.set

    def spy(key, value, timeout=None, **kwargs):
        timeouts.append((key, timeout))
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(selectors.cache, "set", spy)
    w = world()
    first = materials_exempt_measured()
    assert first["applications"] == 0
    assert timeouts == [(MEASURED_CACHE_KEY, 300)]  # kept five minutes, by any cache backend
    submitted(w)
    with django_assert_num_queries(0):  # anonymous visits do not count the tables again
        assert materials_exempt_measured() == first
    cache.delete(MEASURED_CACHE_KEY)  # five minutes later the entry has expired
    assert materials_exempt_measured()["applications"] == 1
