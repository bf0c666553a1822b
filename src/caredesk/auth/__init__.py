"""Who is signed in: passwords, sessions, login throttling."""
