"""Per-item forms as data: how answers are checked against the pinned version's fields."""

from __future__ import annotations

from onetrip.applications.formdata import form_validate
from onetrip.catalog.models import FormField


def _yes_no(required: bool = True) -> FormField:
    return FormField(code="seeking", label="是否正在求职", field_type="boolean", required=required)


def test_an_unanswered_required_yes_no_question_is_an_error_not_a_no():
    values, errors = form_validate([_yes_no()], {})
    assert values == {} and errors == {"seeking": "请选择“是否正在求职”：是或否。"}
    assert form_validate([_yes_no()], {"seeking": None})[1]
    # A draft may leave it for later; an optional question may stay unanswered.
    assert form_validate([_yes_no()], {}, partial=True) == ({}, {})
    assert form_validate([_yes_no(required=False)], {}) == ({}, {})


def test_yes_no_answers_including_an_unticked_box():
    for raw, value in [(True, True), (False, False), ("true", True), ("", False), ("否", False)]:
        assert form_validate([_yes_no()], {"seeking": raw}) == ({"seeking": value}, {})
    assert "是" in form_validate([_yes_no()], {"seeking": "maybe"})[1]["seeking"]
