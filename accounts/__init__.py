"""Accounts: who someone is (client, expert, admin), their password and their tokens."""
