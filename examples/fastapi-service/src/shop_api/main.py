"""The service: `shop-api` runs it with uvicorn."""

from fastapi import FastAPI

app = FastAPI(title="shop-api")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


def run() -> None:
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8000)
