"""The queue itself: domain rules, SQLite store, config, languages, clock, estimator."""
