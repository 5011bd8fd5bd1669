"""The document's input side: what a file is (sniff), its pages (sources, PDFium), and
downloads from URLs."""
