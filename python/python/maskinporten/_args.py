"""Argument checks for the pure-Python API: a wrong type is a ``TypeError`` naming the argument
(the native module's own conversions name theirs too), never a crash deeper down."""

from __future__ import annotations

from typing import Any, Tuple, Type, Union

__all__ = ["check_callable", "check_type"]


def check_type(name: str, value: Any, expected: Union[Type[Any], Tuple[Type[Any], ...]], what: str) -> None:
    """Raises ``TypeError`` naming ``name`` when ``value`` is not an ``expected``."""
    if not isinstance(value, expected):
        raise TypeError(f"{name}: expected {what}, not {type(value).__name__}")


def check_callable(name: str, value: Any) -> None:
    """Raises ``TypeError`` naming ``name`` when ``value`` is neither ``None`` nor callable."""
    if value is not None and not callable(value):
        raise TypeError(f"{name}: expected a function, not {type(value).__name__}")
