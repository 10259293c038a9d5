package io.procgate.server.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.procgate.core.CapturedOutput;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.io.InputStream;

/**
 * Writes captured output as a base64 JSON string, encoding from the capture's blocks straight into
 * the response: no joined copy of the output and no base64 String is ever built.
 */
@RegisterForReflection
final class CapturedOutputSerializer extends StdSerializer<CapturedOutput> {
  CapturedOutputSerializer() {
    super(CapturedOutput.class);
  }

  @Override
  public void serialize(CapturedOutput output, JsonGenerator generator, SerializerProvider provider)
      throws IOException {
    try (InputStream bytes = output.open()) {
      generator.writeBinary(provider.getConfig().getBase64Variant(), bytes, output.size());
    }
  }
}
