"""The REST surface (FastAPI): arrives with the REST API issue."""
