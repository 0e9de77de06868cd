"""The window (PySide6). It presents and asks db/ and reports/; it never writes SQL."""
