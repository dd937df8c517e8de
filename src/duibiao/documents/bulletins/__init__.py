"""The bulletins (通报) the system drafts on the GB/T 9704 engine, each from the same
selectors as the pages that show its figures."""
