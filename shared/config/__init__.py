"""The centre config: reading and validating the file, its cached copy, the versions reports use, deployment advice."""
