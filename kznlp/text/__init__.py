"""Plain-text handling: reading input, decoding, language detection, word and sentence splitting."""
