"""Response schemas derived from the services' frozen views, so that a field is typed and
described once, where the view is defined.

``schema_of(AlertView, name="AlertPublic")`` is a pydantic model with the view's fields, their
types and defaults, and each attribute docstring as the field's description in the OpenAPI
document. A view's field that the API must not show is dropped by name; a property the API
shows is named in ``properties``. A route may return the view itself: the model reads it by
attribute.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import textwrap
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import Field, create_model

from lfr.api.schemas.base import Public


def schema_of(
    view: type,
    *,
    name: str,
    drop: Iterable[str] = (),
    properties: Iterable[str] = (),
    extra: dict[str, Any] | None = None,
) -> type[Public]:
    """A response model named ``name`` with the fields of the dataclass ``view``.

    ``extra`` adds fields the view does not have, as ``{name: (type, Field(...))}`` (for a
    nested derived model, for example)."""
    if not dataclasses.is_dataclass(view):
        raise TypeError(f"{view.__name__} is not a dataclass")
    hints = typing.get_type_hints(view)
    docs = attribute_docs(view)
    dropped = set(drop)
    unknown = dropped - {field.name for field in dataclasses.fields(view)}
    if unknown:
        raise ValueError(f"{view.__name__} has no field(s) {sorted(unknown)} to drop")
    fields: dict[str, Any] = {
        field.name: (hints[field.name], Field(_default(field), description=docs.get(field.name)))
        for field in dataclasses.fields(view)
        if field.name not in dropped
    }
    for prop in properties:
        fields[prop] = _property_field(view, prop)
    fields.update(extra or {})
    model = create_model(name, __base__=Public, __module__=view.__module__, **fields)
    model.__doc__ = inspect.getdoc(view)
    return model


def many(model: type[Public]) -> Any:
    """``list[model]`` for a derived model, as a response model or a nested field (a model
    made at run time is a value to the type checker, not a type)."""
    return list[model]  # type: ignore[valid-type]


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return ...


def _property_field(view: type, name: str) -> tuple[Any, Any]:
    prop = inspect.getattr_static(view, name, None)
    if not isinstance(prop, property) or prop.fget is None:
        raise ValueError(f"{view.__name__}.{name} is not a property")
    returns = typing.get_type_hints(prop.fget)["return"]
    return returns, Field(description=_clean(inspect.getdoc(prop.fget)))


def attribute_docs(cls: type) -> dict[str, str]:
    """The string literal under each annotated attribute of ``cls`` (PEP 257's attribute
    docstrings), whitespace collapsed; a subclass's text wins over its base's."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__[:-1]):
        if dataclasses.is_dataclass(klass):
            docs.update(_own_attribute_docs(klass))
    return docs


def _own_attribute_docs(cls: type) -> dict[str, str]:
    body = _class_body(cls)
    docs: dict[str, str] = {}
    for statement, following in itertools.pairwise(body):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = _clean(following.value.value) or ""
    return docs


def _class_body(cls: type) -> list[ast.stmt]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    node = tree.body[0]
    if not isinstance(node, ast.ClassDef):
        raise TypeError(f"{cls.__name__}'s source is not a class")
    return node.body


def _clean(text: str | None) -> str | None:
    return " ".join(text.split()) if text else None
