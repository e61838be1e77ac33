"""The help categories (protocol §2). ``health`` is open to verified experts only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    slug: str
    name_en: str
    name_fr: str
    requires_verification: bool = False

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en

    def public(self, language: str = "en") -> dict[str, object]:
        return {
            "slug": self.slug,
            "name": self.name(language),
            "requires_verification": self.requires_verification,
        }


CATEGORIES: tuple[Category, ...] = (
    Category("art", "Art", "Art"),
    Category("sport", "Sport", "Sport"),
    Category("career", "Career", "Carrière"),
    Category("home-garden", "Home & garden", "Maison & jardin"),
    Category("computing", "Computing", "Informatique"),
    Category("fashion-beauty", "Fashion & beauty", "Mode & beauté"),
    Category("fitness-nutrition", "Fitness & nutrition", "Forme & nutrition"),
    Category("cooking", "Cooking", "Cuisine"),
    Category("health", "Health", "Santé", requires_verification=True),
)

BY_SLUG: dict[str, Category] = {c.slug: c for c in CATEGORIES}
