"""The `sophia` command."""
