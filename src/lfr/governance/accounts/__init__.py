"""People: accounts with argon2 password hashes and roles, sessions and tokens, and the
failed logins audited per window."""
