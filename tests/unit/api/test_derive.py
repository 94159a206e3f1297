"""Response schemas derived from the frozen views: fields, descriptions and properties come
from the view, and a wrong drop or property is refused where the schema is made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from lfr.api.schemas.derive import attribute_docs, many, schema_of


@dataclass(frozen=True, slots=True)
class Parcel:
    """A parcel as staff see it."""

    id: int
    """The parcel's number."""
    sent_at: datetime
    secret: str
    note: str | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def late(self) -> bool:
        """Sent before 2020."""
        return self.sent_at.year < 2020


@dataclass(frozen=True, slots=True)
class SignedParcel(Parcel):
    signer: str = ""
    """Who signed for it."""


SENT = datetime(2019, 5, 1, tzinfo=UTC)


def test_the_schema_has_the_views_fields_types_defaults_and_descriptions() -> None:
    schema = schema_of(Parcel, name="ParcelPublic").model_json_schema()
    assert schema["title"] == "ParcelPublic"
    assert schema["description"] == "A parcel as staff see it."
    assert set(schema["properties"]) == {"id", "sent_at", "secret", "note", "tags"}
    assert schema["properties"]["id"]["description"] == "The parcel's number."
    assert schema["properties"]["sent_at"]["format"] == "date-time"
    assert set(schema["required"]) == {"id", "sent_at", "secret"}


def test_it_reads_a_view_by_attribute_without_the_dropped_field_and_with_the_property() -> None:
    model = schema_of(Parcel, name="ParcelPublic", drop=("secret",), properties=("late",))
    body = model.model_validate(Parcel(7, SENT, "hush")).model_dump()
    assert body == {"id": 7, "sent_at": SENT, "note": None, "tags": [], "late": True}
    properties = model.model_json_schema()["properties"]
    assert properties["late"]["description"] == "Sent before 2020."


def test_a_view_missing_a_field_fails_validation() -> None:
    model = schema_of(Parcel, name="ParcelPublic")
    with pytest.raises(ValidationError):
        model.model_validate({"id": 1, "secret": "s"})


def test_inherited_attribute_docs_are_kept_and_the_subclass_adds_its_own() -> None:
    docs = attribute_docs(SignedParcel)
    assert docs == {"id": "The parcel's number.", "signer": "Who signed for it."}


def test_a_wrong_drop_or_property_or_a_non_dataclass_is_refused() -> None:
    with pytest.raises(ValueError, match="no field"):
        schema_of(Parcel, name="P", drop=("sender",))
    with pytest.raises(ValueError, match="not a property"):
        schema_of(Parcel, name="P", properties=("note",))
    with pytest.raises(TypeError, match="not a dataclass"):
        schema_of(str, name="P")


def test_extra_fields_replace_or_add_and_many_lists_a_model() -> None:
    inner = schema_of(Parcel, name="ParcelPublic", drop=("secret",))
    outer = schema_of(
        SignedParcel, name="Bundle", extra={"tags": (many(inner), ...)}, drop=("secret",)
    )
    body = outer.model_validate(
        {"id": 1, "sent_at": SENT, "tags": [Parcel(2, SENT, "x")], "signer": "ann"}
    ).model_dump()
    assert body["tags"] == [{"id": 2, "sent_at": SENT, "note": None, "tags": []}]
