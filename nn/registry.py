"""What the registries' entries (activations, losses) share: they are stateless, so two
instances of one class are the same function — equal, hashable, shown by class name."""
from __future__ import annotations


class Stateless:
    """Equality, hash and repr by class: ``Sigmoid() == Sigmoid()``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))
