"""The JSON API: one route per queue operation, its validated bodies, and the map from named errors to HTTP statuses."""
