package io.procgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessLogTest {

  @Test
  void credentialValuesAreReplacedAndTheRestKept() {
    assertThat(AccessLog.redact("/cdp/abc?jwt=eyJ.x.y")).isEqualTo("/cdp/abc?jwt=REDACTED");
    assertThat(AccessLog.redact("/browsers/a/fs/read_file?path=/tmp/x&access_token=t&Token=u"))
        .isEqualTo("/browsers/a/fs/read_file?path=/tmp/x&access_token=REDACTED&Token=REDACTED");
    assertThat(AccessLog.redact("/x?api_key=1&session_token=2&client_secret=3&keep=4"))
        .isEqualTo("/x?api_key=REDACTED&session_token=REDACTED&client_secret=REDACTED&keep=4");
    assertThat(AccessLog.redact("/browsers?offset=20&limit=10"))
        .isEqualTo("/browsers?offset=20&limit=10");
    assertThat(AccessLog.redact("/browsers")).isEqualTo("/browsers");
    assertThat(AccessLog.redact(null)).isNull();
  }

  @Test
  void aNameSpeltWithPercentEscapesIsStillACredential() {
    // The server decodes parameter names, so j%77t is the jwt it takes.
    assertThat(AccessLog.redact("/cdp/abc?j%77t=eyJ.x.y")).isEqualTo("/cdp/abc?j%77t=REDACTED");
    assertThat(AccessLog.redact("/cdp/abc?%zz=secret")).isEqualTo("/cdp/abc?%zz=REDACTED");
  }
}
