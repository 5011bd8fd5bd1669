"""Layout detection: page regions with a label and a reading order, before recognition."""
