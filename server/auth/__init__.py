"""Who may act: staff accounts and device tokens, sessions, sign-in and its throttle, who holds a counter."""
