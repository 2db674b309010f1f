"""onetrip: 最多跑一次 government services."""

__version__ = "0.1.0"
