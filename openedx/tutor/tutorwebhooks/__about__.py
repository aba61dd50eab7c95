__version__ = "1.0.0"

# The project's one home: its GitHub owner. The repository, the service image (ghcr.io/<owner>/openedx-webhooks)
# and the release workflow's targets follow from it; lib/env.ts (DEFAULT_SOURCE_URL), the README and both
# pyproject.toml files name the same place, and tests/test_home.py keeps them in agreement.
OWNER = "openedx-webhooks"
REPOSITORY = f"https://github.com/{OWNER}/openedx-webhooks"
IMAGE = f"ghcr.io/{OWNER}/openedx-webhooks"
