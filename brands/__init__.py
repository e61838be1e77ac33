"""Brands: organisations with their own experts, page, money rules, keys and figures."""
