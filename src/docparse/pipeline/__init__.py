"""The document flow: options, the engines and pools of a process, the two page routes
(text layer, OCR), figure crops, and the converter that runs them over a document."""
