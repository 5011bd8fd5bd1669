"""Table structure recognition for born-digital pages and scans, from words with boxes
(text layer or OCR) and the page image.

- `model`: the shared vocabulary (Word, Table, TableResult) and Table's HTML/Markdown;
- `lines`: words into lines, phrases and column gaps;
- `ruling`: rules found on the image (OpenCV);
- `grid`: rules or word alignment into tables (`find_tables`, `table_from_rules`,
  `table_from_alignment`);
- `page`: a page's tables as document blocks, and when a page is worth the search.
"""
