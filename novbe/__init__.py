"""The `novbe` command: wires the queue (shared) to the kiosk, board and server roles."""
