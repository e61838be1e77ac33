"""Small pieces every package shares: the error vocabulary, input validation, time and ids."""
