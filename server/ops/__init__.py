"""What IT watches: Prometheus metrics, and the fleet of devices."""
