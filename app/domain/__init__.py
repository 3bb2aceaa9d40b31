"""Domain logic: pure Python, no Flask or database imports."""
