"""The test round screen: the page, its table model and its keyboard."""

from gui.pages.test_round.model import RoundModel, RoundRow, parse_positive_text
from gui.pages.test_round.page import TestRoundPage

__all__ = ["RoundModel", "RoundRow", "TestRoundPage", "parse_positive_text"]
