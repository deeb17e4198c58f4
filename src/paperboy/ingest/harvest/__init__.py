"""Network harvesters: polite HTTP against arXiv and Hugging Face, handing bodies to the
parsers in ``paperboy.ingest.formats`` and the records to ``paperboy.ingest.jobs``."""
