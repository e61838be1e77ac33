"""The marketplace: categories, expert profiles, verification, routing, reviews."""
