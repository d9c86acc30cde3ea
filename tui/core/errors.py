"""The errors the core raises for a person to read: each message is one line."""


class ActionError(ValueError):
    """An action that is malformed or cannot be carried out; one line for a person."""
