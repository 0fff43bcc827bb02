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
from mlcore.data import DATA_KINDS

__all__ = ["RunSpec", "config_from_params", "config_to_params", "format_value", "parse_value"]

# A lab solution is ~5 KB; a whole notebook pasted is rarely 50 KB. A spec is stored with each
# run, so a megabyte pasted is refused (by the check first, with its own sentence).
MAX_CODE_CHARS = 200_000


@dataclass(frozen=True)
class RunSpec:
    """What a run is: its hyper-parameters, which data it trains on, and whose code: None for
    our network, or a student's source whose initialize_weights, forward and back train with
    plain gradient descent (mlcore.lab_train, in a sandbox)."""

    config: TrainConfig
    data: str = "full"  # mlcore.data.DATA_KINDS, a DataRef's kind; "upload" is not shareable
    code: str | None = None

    def __post_init__(self):
        if self.data not in DATA_KINDS:
            raise ValueError(f"data={self.data!r} must be one of {DATA_KINDS}")
        if self.code is not None and len(self.code) > MAX_CODE_CHARS:
            raise ValueError(
                f"the code is {len(self.code):,} characters long; a run takes at most "
                f"{MAX_CODE_CHARS:,} (the lab's functions need a few thousand)"
            )

    def as_dict(self) -> dict:
        """JSON-able fields (what the store keeps); code only when there is some."""
        out = {"config": self.config.as_dict(), "data": self.data}
        return out if self.code is None else {**out, "code": self.code}

    @classmethod
    def from_dict(cls, values: dict) -> RunSpec:
        """The spec as_dict made (a spec stored before code existed has none)."""
        return cls(TrainConfig(**values["config"]), values["data"], values.get("code"))


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
