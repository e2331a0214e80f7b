"""The ``pressroom`` command line (``pressroom ingest | ask | serve``)."""

__all__ = ["__version__"]

__version__ = "0.2.0"
