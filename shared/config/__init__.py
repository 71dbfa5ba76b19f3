"""The centre config: one validated, frozen model read from the file and sent to devices, the versions reports use, deployment advice."""
