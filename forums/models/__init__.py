from .forums import AttributionRule, Edition, EditionQuerySet, Forum, Session, SessionRole

__all__ = ["AttributionRule", "Edition", "EditionQuerySet", "Forum", "Session", "SessionRole"]
