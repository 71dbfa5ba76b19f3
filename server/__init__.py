"""The server role."""
