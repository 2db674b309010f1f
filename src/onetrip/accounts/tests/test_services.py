"""Registering people, enterprises and 委托: checked wherever they are recorded, and audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onetrip.accounts import services
from onetrip.accounts.models import Authorisation, Enterprise, Person, User
from onetrip.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return User.objects.create_user("window1", password="x", is_staff=True)


@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    return client


def _person(name, number, **kw):
    return services.person_register(real_name=name, id_number=number, **kw)


def test_a_person_registered_at_the_window_is_on_record_without_the_full_number(officer):
    person = _person("赵六", "62010219850312003X", created_by=officer)
    event = AuditEvent.objects.get(action="accounts.person.register")
    assert event.object_id == str(person.pk) and event.actor_id == str(officer.pk)
    assert "62010219850312003X" not in event.summary + str(event.after)
    _person("钱七", "110101199003070011")  # signing in: the person registers themselves
    assert AuditEvent.objects.filter(action="accounts.person.register").count() == 1


def test_a_grant_is_audited_and_its_rules_hold(officer):
    agent = _person("孙八", "110101199003070011")
    principal = _person("周九", "62010219850312003X")
    today = dt.date.today()
    with pytest.raises(services.AccountsError) as caught:
        services.authorisation_grant(
            agent=agent,
            principal_person=principal,
            valid_from=today,
            valid_until=today - dt.timedelta(days=1),
            created_by=officer,
        )
    assert caught.value.code == "period_invalid"
    assert not Authorisation.objects.exists() and not AuditEvent.objects.exists()
    grant = services.authorisation_grant(
        agent=agent,
        principal_person=principal,
        item_codes=["sbk"],
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
        created_by=officer,
    )
    event = AuditEvent.objects.get(action="accounts.authorisation.grant")
    assert event.object_id == str(grant.pk) and event.after["item_codes"] == ["sbk"]


def test_a_grant_has_a_bounded_period_that_has_not_ended(officer, settings):
    agent = _person("孙八", "110101199003070011")
    principal = _person("周九", "62010219850312003X")
    leap = dt.date(2024, 2, 29)
    settings.ONETRIP_AUTHORISATION_MAX_YEARS = 3

    def grant(valid_from, valid_until):
        return services.authorisation_grant(
            agent=agent,
            principal_person=principal,
            valid_from=valid_from,
            valid_until=valid_until,
            created_by=officer,
        )

    with time_machine.travel(dt.date(2026, 3, 1)):
        for start, end, code in [
            (leap, dt.date(2027, 3, 1), "period_too_long"),  # three years from 29 Feb is 28 Feb
            (dt.date(2026, 1, 1), dt.date(2026, 2, 28), "period_over"),
        ]:
            with pytest.raises(services.AccountsError) as caught:
                grant(start, end)
            assert caught.value.code == code and caught.value.field == "valid_until"
            assert code != "period_too_long" or "最长 3 年" in caught.value.message
        assert not Authorisation.objects.exists()
        # Signed earlier and still running: recorded, up to the last day of the longest period.
        assert grant(leap, dt.date(2027, 2, 28)).valid_until == dt.date(2027, 2, 28)
        assert grant(dt.date(2026, 3, 1), dt.date(2026, 3, 1)).pk


def test_the_admin_cannot_bypass_the_checks(admin_client):
    assert admin_client.get("/admin/accounts/enterprise/add/").status_code == 403
    agent = _person("孙八", "110101199003070011")
    principal = _person("周九", "62010219850312003X")
    form = {
        "principal_person": principal.pk,
        "agent": principal.pk,  # oneself
        "item_codes": "[]",
        "valid_from": "2026-12-01",
        "valid_until": "2026-12-31",
    }
    response = admin_client.post("/admin/accounts/authorisation/add/", form)
    assert response.status_code == 200 and "不能委托自己" in response.content.decode()
    assert not Authorisation.objects.exists()
    form["agent"] = agent.pk
    response = admin_client.post("/admin/accounts/authorisation/add/", form)
    assert response.status_code == 302
    grant = Authorisation.objects.get()
    assert AuditEvent.objects.filter(
        action="accounts.authorisation.grant", object_id=str(grant.pk)
    ).exists()
    assert Person.objects.count() == 2 and not Enterprise.objects.exists()


def test_a_number_typed_in_full_width_characters_is_the_same_number(officer):
    full_width = "６２０１０２１９８５０３１２００３ｘ"
    person = _person("赵六", full_width, created_by=officer)
    assert person.id_number == "62010219850312003X"
    assert services.person_find(id_number="62010219850312003X") == person
    assert services.person_find(id_number=full_width) == person
    with pytest.raises(services.AccountsError) as again:
        _person("赵六", "62010219850312003X")
    assert again.value.code == "person_exists"
    assert Person.objects.count() == 1
    enterprise = services.enterprise_register(name="兰州示例公司", credit_code="91620100MA7ABCDE3Y")
    assert enterprise.credit_code == "91620100MA7ABCDE3Y"
    with pytest.raises(services.AccountsError) as twice:
        services.enterprise_register(
            name="兰州示例公司", credit_code="９１６２０１００ＭＡ７ＡＢＣＤＥ３Ｙ"
        )
    assert twice.value.code == "enterprise_exists"
    # Registered by an officer (at a window): audited, as a person's registration is.
    services.enterprise_register(
        name="兰州另一公司", credit_code="91620100MA7ABCDE42", officer=officer
    )
    event = AuditEvent.objects.get(action="accounts.enterprise.register")
    assert event.actor_id == str(officer.pk) and "兰州另一公司" in event.summary
