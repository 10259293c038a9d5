package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.testing.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The live view of a headful session, opened in a real (headless) Chromium, and what its tokens
 * admit to.
 */
@ExtendWith(SharedServer.class)
@Timeout(180)
class LiveViewIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final ServerProcess server;
  private final BrowsersApi browsers;

  LiveViewIT(ServerProcess server) {
    this.server = server;
    this.browsers = new BrowsersApi(server.client());
  }

  @Test
  void theViewShowsWhatAProcessDrawsAndTakesClicksButTheReadOnlyOneDoesNot() throws Exception {
    JsonNode seen =
        SdkCompatibilityIT.runSdkScript(
            "live-view-check.mjs", server.baseUri(), server.token(), Map.of());

    assertThat(seen.at("/urls/live").asText()).startsWith(server.baseUri() + "/live/");
    assertThat(seen.at("/drawn").toString()).isEqualTo("[255,0,0]");
    assertThat(seen.at("/afterClick").asText()).isEqualTo("clicks:1");
    assertThat(seen.at("/readOnlyStatus").asText()).isEqualTo("view only");
    assertThat(seen.at("/afterReadOnlyClick").asText())
        .as("the read-only view's click never arrived")
        .isEqualTo("clicks:2");
  }

  @Test
  void aReadOnlyTokenAdmitsToTheSightOfTheScreenAndNothingElse() throws Exception {
    Browser headful = browsers.createBrowser(new BrowserCreateRequest().headless(false));
    Browser headless = browsers.createBrowser(new BrowserCreateRequest().headless(true));
    try {
      String id = headful.getSessionId();
      String readOnly = token(headful.getLiveViewReadOnlyUrl());
      assertThat(get(headful.getLiveViewReadOnlyUrl()).statusCode()).isEqualTo(200);
      assertThat(get(headful.getBrowserLiveViewUrl()).body())
          .contains("noVNC", "./novnc/core/rfb.js");
      assertThat(get(server.baseUri() + "/live/novnc/core/rfb.js").statusCode()).isEqualTo(200);

      assertThat(get(server.baseUri() + "/cdp/" + id + "/json/version?jwt=" + readOnly))
          .extracting(HttpResponse::statusCode)
          .isEqualTo(401);
      assertThat(get(server.baseUri() + "/browsers/" + id + "/process?jwt=" + readOnly))
          .extracting(HttpResponse::statusCode)
          .isEqualTo(401);
      HttpResponse<String> otherSession =
          get(server.baseUri() + "/live/" + headless.getSessionId() + "?jwt=" + readOnly);
      assertThat(otherSession.statusCode()).isEqualTo(401);
      assertThat(otherSession.body()).contains("\"unauthorized\"");
      assertThat(get(server.baseUri() + "/live/" + id).statusCode()).isEqualTo(401);

      assertThat(headless.getBrowserLiveViewUrl()).isNull();
      String headlessPage =
          server.baseUri()
              + "/live/"
              + headless.getSessionId()
              + "?jwt="
              + token(headless.getCdpWsUrl());
      HttpResponse<String> noScreen = get(headlessPage);
      assertThat(noScreen.statusCode()).isEqualTo(409);
      assertThat(noScreen.body()).contains("\"no_display\"");
    } finally {
      browsers.deleteBrowser(headful.getSessionId());
      browsers.deleteBrowser(headless.getSessionId());
    }
  }

  private static String token(String url) {
    return URI.create(url).getQuery().substring("jwt=".length());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
