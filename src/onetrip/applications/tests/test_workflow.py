"""The transition table, exhaustively and as a state machine (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from onetrip.applications import services, workflow
from onetrip.applications.models import Application
from onetrip.applications.tests.factories import submitted, world
from onetrip.applications.workflow import TABLE, Action, Status
from onetrip.audit.models import AuditEvent
from onetrip.audit.selectors import audit_chain_verify

ACTORS = [
    "user",
    "other_user",
    "window",
    "handler",
    "checker",
    "approver",
    "supervisor",
    "outsider",
]
ROLE_OF = {
    "user": "applicant",
    "window": "window",
    "handler": "handler",
    "checker": "checker",
    "approver": "approver",
    "supervisor": "supervisor",
}


def test_every_state_has_a_national_code_and_plain_words():
    for status in Status:
        assert status in workflow.NATIONAL_CODE and workflow.PLAIN[status]
    assert {workflow.NATIONAL_CODE[s] for s in workflow.DECIDED} == {11, 12, 13}


def test_final_states_allow_nothing_but_revocation():
    for state, action in TABLE:
        if state in workflow.FINAL:
            assert action == Action.REVOKE and state in workflow.DECIDED


def _kwargs(action: Action) -> dict:
    return {
        "reason": "理由",
        "items": [{"code": "photo", "reason": "不清晰"}],
        "due": dt.date.today() + dt.timedelta(days=1),
    }


class ApplicationMachine(RuleBasedStateMachine):
    """Random actors try random actions; the table and the guards must hold every time."""

    @initialize()
    def setup(self):
        self.w = world()
        self.app = submitted(self.w)
        self.events = self.app.events.count()
        self.audits = AuditEvent.objects.count()

    @rule(action=st.sampled_from(list(Action)), actor=st.sampled_from(ACTORS))
    def attempt(self, action, actor):
        user = getattr(self.w, actor)
        before = Application.objects.get(pk=self.app.pk)
        if action == Action.SUBMIT:
            return
        try:
            after = services.application_act(
                application=before, user=user, action=action, **_kwargs(action)
            )
        except services.ApplicationError as exc:
            now = Application.objects.get(pk=self.app.pk)
            assert (now.status, now.stage) == (before.status, before.stage)
            assert exc.message and exc.status in (400, 403, 404, 409)
            if (Status(before.status), action) not in TABLE and exc.status != 404:
                assert exc.code == "transition_not_allowed"
            if actor in ("other_user", "outsider"):
                assert exc.status == 404
            return
        transition = TABLE[(Status(before.status), action)]
        expected = transition.target
        if action == Action.APPROVE:
            assert after.status in (Status.APPROVED, Status.APPROVED_DEFICIENT)
        else:
            assert after.status == expected
        role = ROLE_OF.get(actor)
        if transition.by_stage:
            assert role == workflow.STAGE_ROLE[before.stage]
        else:
            assert role in transition.actors
        self.events += 1
        self.audits += 1

    @rule()
    def supply_photo(self):
        app = Application.objects.get(pk=self.app.pk)
        if app.status == Status.CORRECTION:
            from onetrip.applications.tests.factories import png

            services.material_upload(application=app, user=self.w.user, code="photo", upload=png())

    @invariant()
    def history_and_audit_match_the_changes(self):
        if not hasattr(self, "w"):
            return
        assert self.app.events.count() == self.events
        assert AuditEvent.objects.count() >= self.audits
        app = Application.objects.get(pk=self.app.pk)
        assert app.correction_count <= 1 or app.notices.filter(override_by__isnull=False).exists()

    def teardown(self):
        try:
            if hasattr(self, "w"):
                assert audit_chain_verify().ok
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_state_machine():
    machine = ApplicationMachine.TestCase
    machine.settings = settings(
        max_examples=30,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    machine().runTest()
