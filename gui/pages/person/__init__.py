"""The person screen: one person's file, the actions that apply, and the lists of what was
recorded (page.py); the lists' columns (columns.py); the wrapping row of actions (flow.py)."""

from gui.pages.person.page import PersonPage

__all__ = ["PersonPage"]
