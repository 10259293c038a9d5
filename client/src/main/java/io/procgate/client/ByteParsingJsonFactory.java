package io.procgate.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Parses JSON given as a String from its UTF-8 bytes. The generated API classes read every response
 * body into a String before parsing it, and Jackson parses a String of more than 32K characters
 * through a Reader, at about half the speed it parses bytes: of a 16 MiB exec result's 22 MB, 115
 * to 160 ms against 65 to 105 with the copy back to bytes.
 */
final class ByteParsingJsonFactory extends JsonFactory {
  ByteParsingJsonFactory() {}

  private ByteParsingJsonFactory(ByteParsingJsonFactory source) {
    super(source, null);
  }

  @Override
  public JsonFactory copy() {
    return new ByteParsingJsonFactory(this);
  }

  @Override
  public JsonParser createParser(String content) throws IOException {
    return createParser(content.getBytes(StandardCharsets.UTF_8));
  }
}
