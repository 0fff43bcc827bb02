"""A run's identity: its TrainConfig and its data, as text that round-trips through a URL.

Query parameters are named as TrainConfig's fields (`?hidden_size=50&learning_rate=0.1`);
parsing checks each value with TrainConfig itself, so a bad link gets the same message as
a bad CLI flag, and the field keeps its default.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from mlcore.quote import quoted
from mlcore.train import TrainConfig

DATA_CHOICES = ("full", "sample", "upload")  # full MNIST (wherever found), the bundled sample


@dataclass(frozen=True)
class RunSpec:
    """What a run is: its hyper-parameters and which data it trains on."""

    config: TrainConfig
    data: str = "full"  # one of DATA_CHOICES; "upload" = the session's own files (not shareable)

    def __post_init__(self):
        if self.data not in DATA_CHOICES:
            raise ValueError(f"data={self.data!r} must be one of {DATA_CHOICES}")


def format_value(value) -> str:
    """A field value as URL text: None -> "full" (batch size), floats without noise."""
    if value is None:
        return "full"
    if isinstance(value, float):
        return f"{value:g}" if float(f"{value:g}") == value else repr(value)
    return str(value)


def config_to_params(config: TrainConfig) -> dict[str, str]:
    """Every field of config as query-parameter text, in field order."""
    return {f.name: format_value(getattr(config, f.name)) for f in fields(TrainConfig)}


def parse_value(name: str, text: str):
    """Text -> the Python value for TrainConfig field name; ValueError naming both if not."""
    kinds = _field_types()
    if name not in kinds:
        raise ValueError(f"{name} is not a setting (settings: {', '.join(kinds)})")
    kind = kinds[name]
    text = text.strip()
    try:
        if kind is bool:
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return text.lower() in ("true", "1")
        if typing.get_origin(kind) in (typing.Union, types.UnionType):  # int | None
            if text.lower() in ("full", "none"):
                return None
            kind = next(k for k in typing.get_args(kind) if k is not type(None))
        if kind is int:
            return int(text)
        value = kind(text)
    except ValueError:
        raise ValueError(f"{name}={quoted(text)} is not a valid {_type_name(kind)}") from None
    if kind is float and not math.isfinite(value):  # inf, nan: no setting means either
        raise ValueError(f"{name}={quoted(text)} is not a finite number")
    return value


def config_from_params(
    params: Mapping[str, str], base: TrainConfig | None = None
) -> tuple[TrainConfig, list[str]]:
    """TrainConfig from query parameters over base (default: TrainConfig()).

    Returns the config and one message per rejected parameter; a rejected parameter keeps
    base's value. Parameters that are not settings are ignored (a link may carry others).
    """
    config = base or TrainConfig()
    problems = []
    for name in _field_types():
        if name not in params:
            continue
        try:
            config = replace(config, **{name: parse_value(name, params[name])})
        except ValueError as e:
            problems.append(str(e))
    return config, problems


def _field_types() -> dict[str, type]:
    hints = typing.get_type_hints(TrainConfig)
    return {f.name: hints[f.name] for f in fields(TrainConfig)}


def _type_name(kind) -> str:
    return {int: "whole number", float: "number", str: "text"}.get(kind, str(kind))
