"""Tests of the packaging scripts (packaging/): the parts that run without a frozen build."""
