"""The board role."""
