"""Domain errors every door shares; only the web edge turns them into HTTP statuses.

A mail worker or the CLI can catch them without importing a web framework.
"""

from __future__ import annotations


class NotFound(LookupError):
    """Something asked for by id does not exist; the message names it (HTTP 404 on the web)."""


class InvalidParameter(ValueError):
    """A parameter that cannot be used; the message names it (HTTP 422 on the web)."""


class SpentLink(InvalidParameter):
    """A mailed single-use link that cannot be spent; ``state`` says why (``used``,
    ``expired`` or ``unknown``) and ``MESSAGES`` what each kind of link tells its reader."""

    MESSAGES: dict[str, str] = {}

    def __init__(self, state: str) -> None:
        self.state = state if state in self.MESSAGES else "unknown"
        super().__init__(self.MESSAGES[self.state])


# The older name, kept so that callers written against ``api.lists`` read the same.
ParamError = InvalidParameter
