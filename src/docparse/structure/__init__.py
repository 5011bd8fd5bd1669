"""Document structure after recognition, shared by every route: paragraphs, headings,\nreading order, captions, page furniture, and the one pass that applies them (`arrange`)."""
