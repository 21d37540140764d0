"""Query time: retrieve passages, answer with citations, check the citations."""
