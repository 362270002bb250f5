"""Remove a dead component from a multi-service repository, safely."""

__version__ = "0.1.0"
