"""Waits: who is ahead, the replay estimate and its inputs, the simple estimate, counters' habits, how a wait reads."""
