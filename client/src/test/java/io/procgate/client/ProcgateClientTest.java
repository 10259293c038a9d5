package io.procgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procgate.client.model.ProcessExecResult;
import java.net.URI;
import org.junit.jupiter.api.Test;

class ProcgateClientTest {
  private final ObjectMapper json =
      ProcgateClient.create(URI.create("http://localhost:1"), "token").getObjectMapper();

  @Test
  void aResultGivenAsAStringIsReadWithItsCharactersIntact() throws Exception {
    String text =
        "{\"stdout_b64\":\"aGk=\",\"stderr_b64\":\"\",\"exit_code\":0,\"unknown\":\"é €😀\"}";

    ProcessExecResult result = json.readValue(text, ProcessExecResult.class);

    assertThat(result.getStdoutB64()).isEqualTo("aGk=");
    assertThat(json.readTree(text).get("unknown").asText()).isEqualTo("é €😀");
  }

  @Test
  void stringsLongerThanJacksonsDefaultLimitAreRead() throws Exception {
    String stdout = "A".repeat(22_369_624);

    ProcessExecResult result =
        json.readValue("{\"stdout_b64\":\"" + stdout + "\"}", ProcessExecResult.class);

    assertThat(result.getStdoutB64()).isEqualTo(stdout);
  }

  @Test
  void aCopyOfTheReaderReadsAsTheOriginalDoes() throws Exception {
    ObjectMapper copy = json.copy();

    assertThat(copy.getFactory()).isInstanceOf(ByteParsingJsonFactory.class);
    assertThat(copy.readTree("{\"a\":\"ü\"}").get("a").asText()).isEqualTo("ü");
  }
}
