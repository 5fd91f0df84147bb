__version__ = "0.1.0"

# The project's home, in one place: lint rule help links and SARIF point here (pyproject's
# [project.urls] says the same; tests/test_layout.py checks that they agree).
PROJECT_URL = "https://github.com/tlsdoctor/tlsdoctor"
