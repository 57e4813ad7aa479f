"""Pure text processing for kb: cleaning, name normalisation, sentence splitting, detection, anchoring."""
