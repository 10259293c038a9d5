package io.procgate.server.json;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.procgate.core.CapturedOutput;
import io.procgate.server.api.model.ProcessExecResult;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Base64;

/**
 * An exec result whose outputs go from the captured bytes to base64 straight into the response.
 * Through the generated model's Strings, a 16 MiB output became a 22 MB String that Jackson then
 * copied and escape-checked character by character: most of the request's CPU time and garbage.
 * Jackson's default base64 is the standard alphabet with padding and no line breaks, what the
 * {@code _b64} fields hold.
 *
 * <p>The getters still answer with the base64 text, for whoever reads the model. Registered for
 * reflection because a native image only keeps what the resource methods declare.
 */
@RegisterForReflection
public final class EncodedExecResult extends ProcessExecResult {
  private final CapturedOutput stdout;
  private final CapturedOutput stderr;

  public EncodedExecResult(CapturedOutput stdout, CapturedOutput stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @JsonProperty("stdout_b64")
  @JsonSerialize(using = CapturedOutputSerializer.class)
  CapturedOutput stdoutOutput() {
    return stdout;
  }

  @JsonProperty("stderr_b64")
  @JsonSerialize(using = CapturedOutputSerializer.class)
  CapturedOutput stderrOutput() {
    return stderr;
  }

  @JsonIgnore
  @Override
  public String getStdoutB64() {
    return Base64.getEncoder().encodeToString(stdout.bytes());
  }

  @JsonIgnore
  @Override
  public String getStderrB64() {
    return Base64.getEncoder().encodeToString(stderr.bytes());
  }
}
