"""PDF reports from the register (ReportLab, no Qt): the monthly report in the Decree 30/2020
format, a person's sheet, a test-round sheet, and the outbox that keeps and sends them.

Entry points are in `reports.build`; the window and the command line call only those.
"""
