"""Test stand-ins shipped with the repo: a tiny offline sentence-transformers model, a fake Ollama server."""
