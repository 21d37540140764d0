"""Build time: load, clean, chunk, embed and store Vietnamese articles.

Nothing here imports ``rag``, ``ui`` or ``eval``; heavy libraries (torch,
sentence-transformers, chromadb, llama-index) are imported inside the
functions that need them so that importing this package stays cheap.
"""
