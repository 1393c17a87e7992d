"""Input and output: platform readers, normalisation, codebook drafts, processed tables, exports, the manifest."""
