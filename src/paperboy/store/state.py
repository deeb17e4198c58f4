"""Importer state: small named values such as an OAI-PMH harvest cursor."""

from __future__ import annotations

from abc import ABC, abstractmethod


class StateStore(ABC):
    @abstractmethod
    def get_state(self, key: str) -> str | None: ...

    @abstractmethod
    def set_state(self, key: str, value: str | None) -> None:
        """Set ``key``, or delete it when ``value`` is None."""

    @abstractmethod
    def setdefault_state(self, key: str, value: str) -> str:
        """The stored value of ``key``, storing ``value`` first when there is none. Two
        processes racing get the same answer (the first write wins)."""

    @abstractmethod
    def all_state(self) -> dict[str, str]:
        """Every key and value (for copying an instance)."""
