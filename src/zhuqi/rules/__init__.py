"""zhuqi.rules: the pure-Python, vectorised policy rules engine.

It imports no Django, so that it can be tested, benchmarked and reused on its own; tests/rules/
test_isolation.py keeps it so.
"""
