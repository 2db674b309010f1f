"""Fixtures for the notifications tests: applicants, and channels that fail on purpose."""

from __future__ import annotations

import itertools

import pytest

from onetrip.accounts.models import User
from onetrip.notifications.channels import BaseChannel, DeliveryError, channel_register

_seq = itertools.count(1)


def applicant_create(*, phone: str = "13912345678", email: str = "") -> User:
    n = next(_seq)
    user = User.objects.create_user(f"applicant{n}", email, None, display_name=f"申请人{n}")
    if phone:
        user.set_phone(phone)
        user.save(update_fields=["phone", "phone_hash"])
    return user


@pytest.fixture
def applicant(db) -> User:
    return applicant_create(phone="13912345678", email="zhang@example.cn")


@pytest.fixture
def other_applicant(db) -> User:
    return applicant_create(phone="13800001111", email="li@example.cn")


class FailingSmsChannel(BaseChannel):
    """An SMS gateway that is always down."""

    code = "sms"
    calls = 0

    def deliver(self, message):
        FailingSmsChannel.calls += 1
        raise DeliveryError("短信网关无响应")


class ExplodingSmsChannel(BaseChannel):
    """A channel with a bug: raises something that is not a DeliveryError."""

    code = "sms"

    def deliver(self, message):
        raise RuntimeError("boom")


channel_register("sms", "failing", FailingSmsChannel)
channel_register("sms", "exploding", ExplodingSmsChannel)
