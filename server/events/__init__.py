"""Event streams: the hub that fans queue events out, and the Server-Sent Events routes devices, consoles and phones follow."""
