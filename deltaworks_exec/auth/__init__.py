"""Users, roles and API tokens of the execution service."""
