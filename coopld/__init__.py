"""coopld: news reports of international security cooperation as a validated, linked RDF dataset."""

__version__ = "0.1.0"
