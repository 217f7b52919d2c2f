"""Lighthouse accessibility, best-practices and SEO audits for a loaded page."""

from .auditor import CATEGORIES, CategoryAuditor

__all__ = ["CATEGORIES", "CategoryAuditor"]
