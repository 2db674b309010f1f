"""The measured 材料免提交率 on the public scoreboard is counted at most every five minutes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onetrip.applications.tests.factories import submitted, world
from onetrip.exchange.selectors import MEASURED_CACHE_KEY, materials_exempt_measured

pytestmark = pytest.mark.django_db


def test_the_measured_rate_is_cached_for_five_minutes(django_assert_num_queries):
    assert MEASURED_CACHE_KEY.startswith("onetrip:stats:")
    w = world()
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now, tick=False):
        first = materials_exempt_measured()
        assert first["applications"] == 0
        submitted(w)
        with django_assert_num_queries(0):  # anonymous visits do not count the tables again
            assert materials_exempt_measured() == first
    with time_machine.travel(now + dt.timedelta(minutes=4), tick=False):
        assert materials_exempt_measured() == first
    with time_machine.travel(now + dt.timedelta(minutes=5, seconds=1), tick=False):
        assert materials_exempt_measured()["applications"] == 1
