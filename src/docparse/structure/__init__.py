"""Document structure after recognition, shared by every route: paragraphs, headings,
reading order, captions, page furniture, and the one pass that applies them (`arrange`)."""
