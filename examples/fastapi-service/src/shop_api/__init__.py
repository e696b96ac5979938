"""A FastAPI service released with pbx."""
