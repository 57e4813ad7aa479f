"""The one formatter of refusals: messages by field, "field: message" lines, and one line for commands."""

from django.core.exceptions import ValidationError

from kb.errors import error_line, error_lines, messages_by_field

BY_FIELD = ValidationError(
    {
        "title": ["The title is missing."],
        "published_on": [
            ValidationError("%(value)r has month 13.", params={"value": "2023-13"}),
            "Dates run from 0001.",
        ],
        "__all__": ["A source with this text is already stored."],
    }
)


def test_messages_by_field():
    assert messages_by_field(BY_FIELD) == {
        "title": ["The title is missing."],
        "published_on": ["'2023-13' has month 13.", "Dates run from 0001."],
        "__all__": ["A source with this text is already stored."],
    }
    assert messages_by_field(ValidationError(["One.", "Two."])) == {"__all__": ["One.", "Two."]}


def test_lines_name_the_field_and_leave_whole_record_messages_bare():
    assert error_lines(BY_FIELD) == [
        "title: The title is missing.",
        "published_on: '2023-13' has month 13.",
        "published_on: Dates run from 0001.",
        "A source with this text is already stored.",
    ]
    assert error_lines(ValidationError("Just this.")) == ["Just this."]


def test_lines_use_the_labels_given():
    lines = error_lines(BY_FIELD, labels={"title": "Title (“title”)"})
    assert lines[0] == "Title (“title”): The title is missing."


def test_lines_of_nested_serializer_errors_name_the_item():
    nested = {"aliases": {"0": ["Too long."]}, "parties": [{"actor": ["Unknown."]}, {}, {"signatory": ["Bad."]}]}
    assert error_lines(nested["aliases"]) == ["item 1: Too long."]
    assert error_lines(nested["parties"]) == ["item 1, actor: Unknown.", "item 3, signatory: Bad."]
    assert error_lines(nested) == [
        "aliases, item 1: Too long.",
        "parties, item 1, actor: Unknown.",
        "parties, item 3, signatory: Bad.",
    ]


def test_one_line_keeps_each_fields_messages_together():
    assert error_line(BY_FIELD) == (
        "title: The title is missing.; published_on: '2023-13' has month 13. Dates run from 0001.; "
        "A source with this text is already stored."
    )
    assert error_line(ValidationError(["One.", "Two."])) == "One. Two."
