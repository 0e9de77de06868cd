"""Settings: the unit's names and figures, the working calendar, and the rules in force."""

from gui.pages.settings.page import SettingsPage

__all__ = ["SettingsPage"]
