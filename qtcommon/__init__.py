"""What the kiosk and the board share on the Qt side, and nothing of the queue: where slow calls
run (runners), how answers come back to the UI thread (the relay) and named timers. The plain
protocols (runner, timers) import no Qt, so controllers are tested without a screen."""
