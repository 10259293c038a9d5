package io.procgate.server.computer;

/** A PNG image answered from memory; the API document's {@code Png}. */
public record PngImage(byte[] bytes) {}
