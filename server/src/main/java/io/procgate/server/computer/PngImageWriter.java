package io.procgate.server.computer;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/** Writes a {@link PngImage} as it is, with its length. */
@Provider
@Produces("image/png")
public class PngImageWriter implements MessageBodyWriter<PngImage> {
  @Override
  public boolean isWriteable(
      Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
    return type == PngImage.class;
  }

  @Override
  public long getSize(
      PngImage image,
      Class<?> type,
      Type genericType,
      Annotation[] annotations,
      MediaType mediaType) {
    return image.bytes().length;
  }

  @Override
  public void writeTo(
      PngImage image,
      Class<?> type,
      Type genericType,
      Annotation[] annotations,
      MediaType mediaType,
      MultivaluedMap<String, Object> httpHeaders,
      OutputStream entityStream)
      throws IOException {
    // Without a charset, which the server would otherwise add to any type it writes.
    httpHeaders.putSingle(HttpHeaders.CONTENT_TYPE, "image/png");
    entityStream.write(image.bytes());
  }
}
