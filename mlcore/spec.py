"""A run's identity: its TrainConfig and its data, as text that round-trips through a URL.

Query parameters are named as TrainConfig's fields (`?hidden_size=50&learning_rate=0.1`);
each value is read by mlcore.config.parse_value (the CLI's parser too) and checked by
TrainConfig itself, so a bad link gets the same message as a bad CLI flag, and the field
keeps its default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from mlcore.config import TrainConfig, field_types, format_value, parse_value

__all__ = ["RunSpec", "config_from_params", "config_to_params", "format_value", "parse_value"]

DATA_CHOICES = ("full", "sample", "upload")  # full MNIST (wherever found), the bundled sample


@dataclass(frozen=True)
class RunSpec:
    """What a run is: its hyper-parameters and which data it trains on."""

    config: TrainConfig
    data: str = "full"  # one of DATA_CHOICES; "upload" = the session's own files (not shareable)

    def __post_init__(self):
        if self.data not in DATA_CHOICES:
            raise ValueError(f"data={self.data!r} must be one of {DATA_CHOICES}")


def config_to_params(config: TrainConfig) -> dict[str, str]:
    """Every field of config as query-parameter text, in field order."""
    return {f.name: format_value(getattr(config, f.name), f.name) for f in fields(TrainConfig)}


def config_from_params(
    params: Mapping[str, str], base: TrainConfig | None = None
) -> tuple[TrainConfig, list[str]]:
    """TrainConfig from query parameters over base (default: TrainConfig()).

    Returns the config and one message per rejected parameter; a rejected parameter keeps
    base's value. Parameters that are not settings are ignored (a link may carry others).
    """
    config = base or TrainConfig()
    problems = []
    for name in field_types():
        if name not in params:
            continue
        try:
            config = replace(config, **{name: parse_value(name, params[name])})
        except ValueError as e:
            problems.append(str(e))
    return config, problems
