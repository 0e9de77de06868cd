"""gui.pages."""
