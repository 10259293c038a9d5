package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.procgate.client.ApiException;
import io.procgate.client.api.BrowserComputerApi;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.BrowserViewport;
import io.procgate.client.model.ComputerBatchAction;
import io.procgate.client.model.ComputerBatchRequest;
import io.procgate.client.model.ComputerClickMouseRequest;
import io.procgate.client.model.ComputerClipboard;
import io.procgate.client.model.ComputerMousePosition;
import io.procgate.client.model.ComputerMoveMouseRequest;
import io.procgate.client.model.ComputerPressKeyRequest;
import io.procgate.client.model.ComputerScreenshotRegion;
import io.procgate.client.model.ComputerScreenshotRequest;
import io.procgate.client.model.ComputerSetCursorRequest;
import io.procgate.client.model.ComputerTypeTextRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.testing.ServerProcess;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The computer controls on a headful session's real screen (Xvfb): Kernel's SDK running a
 * computer-use loop as agents write it, and the generated client with every kind of bad input.
 */
@ExtendWith(SharedServer.class)
@Timeout(180)
class ComputerIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final ServerProcess server;
  private final BrowsersApi browsers;
  private final BrowserComputerApi computer;
  private Browser session;

  ComputerIT(ServerProcess server) {
    this.server = server;
    this.browsers = new BrowsersApi(server.client());
    this.computer = new BrowserComputerApi(server.client());
  }

  @BeforeEach
  void createHeadful() throws Exception {
    session =
        browsers.createBrowser(
            new BrowserCreateRequest()
                .headless(false)
                .viewport(new BrowserViewport().width(1024).height(768)));
  }

  @AfterEach
  void delete() throws Exception {
    browsers.deleteBrowser(session.getSessionId());
  }

  @Test
  void aComputerUseLoopWrittenForKernelsSdkRunsUnchanged() throws Exception {
    JsonNode seen =
        SdkCompatibilityIT.runSdkScript(
            "computer-check.mjs", server.baseUri(), server.token(), Map.of());

    assertThat(seen.at("/contentType").asText()).isEqualTo("image/png");
    assertThat(seen.at("/size").toString()).isEqualTo("[1024,768]");
    assertThat(seen.at("/marker").isObject()).as("the page's marker is on the screenshot").isTrue();
    // Clicked into the field, typed (with a backspace), clicked the button.
    assertThat(seen.at("/title").asText()).isEqualTo("clicked:héllo wörld");
    assertThat(seen.at("/markerAfter").toString()).isEqualTo("[20,40,220]");
    assertThat(seen.at("/region/size").toString()).isEqualTo("[40,40]");
    assertThat(seen.at("/region/pixel").toString()).isEqualTo("[20,40,220]");
    assertThat(seen.at("/position/x").asInt() - seen.at("/marker/x").asInt()).isEqualTo(100);
    assertThat(seen.at("/smoothPosition/x").asInt() - seen.at("/marker/x").asInt()).isEqualTo(-100);
    assertThat(seen.at("/keys").toString()).contains("\"F2\"", "\"ctrl+b\"", "\"Home\"");
    assertThat(seen.at("/wheel").asDouble()).isPositive();
    // The batch: a triple click selected the text, typed over it, selected back to the start
    // with shift+Home and typed over that.
    assertThat(seen.at("/field").asText()).isEqualTo("replaced");

    assertThat(seen.at("/cursorHidden/ok").asBoolean()).isTrue();
    assertThat(seen.at("/typedHidden").asText()).isEqualTo("unseen");
    assertThat(seen.at("/cursorShown/ok").asBoolean()).isTrue();

    assertThat(seen.at("/pasted").asText()).isEqualTo("from the clipboard ✓");
    assertThat(seen.at("/copied").asText()).isEqualTo("from the clipboard ✓ and back");

    assertThat(seen.at("/playwright/success").asBoolean())
        .as(seen.at("/playwright").toString())
        .isTrue();
    assertThat(seen.at("/playwright/result/title").asText()).isEqualTo("clicked:héllo wörld");
    assertThat(seen.at("/playwright/stdout").asText()).isEqualTo("from the code\n");

    assertThat(seen.at("/unknownKey/status").asInt()).isEqualTo(400);
    assertThat(seen.at("/unknownKey/code").asText()).isEqualTo("unknown_key");
    assertThat(seen.at("/offScreen/code").asText()).isEqualTo("off_screen");
    assertThat(seen.at("/badBatch/code").asText()).isEqualTo("unknown_key");
    assertThat(seen.at("/badBatch/message").asText()).contains("action 1 (press_key)");
    assertThat(seen.at("/fieldAfterRefusals").asText())
        .as("a refused batch typed nothing")
        .isEqualTo("replaced");
  }

  @Test
  void theGeneratedClientTakesScreenshotsWholeOrInPartAndMovesThePointer() throws Exception {
    BufferedImage whole = png(computer.computerCaptureScreenshot(session.getSessionId(), null));
    assertThat(whole.getWidth()).isEqualTo(1024);
    assertThat(whole.getHeight()).isEqualTo(768);

    BufferedImage part =
        png(
            computer.computerCaptureScreenshot(
                session.getSessionId(),
                new ComputerScreenshotRequest()
                    .region(new ComputerScreenshotRegion().x(1000).y(700).width(24).height(68))));
    assertThat(part.getWidth()).isEqualTo(24);
    assertThat(part.getHeight()).isEqualTo(68);

    // A POST without a body, as a plain HTTP client sends it.
    HttpResponse<byte[]> bare =
        HTTP.send(
            HttpRequest.newBuilder(
                    server
                        .baseUri()
                        .resolve("/browsers/" + session.getSessionId() + "/computer/screenshot"))
                .header("Authorization", "Bearer " + server.token())
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(bare.statusCode()).isEqualTo(200);
    assertThat(bare.headers().firstValue("content-type")).hasValue("image/png");
    assertThat(ImageIO.read(new ByteArrayInputStream(bare.body())).getWidth()).isEqualTo(1024);

    computer.computerMoveMouse(session.getSessionId(), new ComputerMoveMouseRequest().x(1023).y(0));
    assertThat(computer.computerGetMousePosition(session.getSessionId()))
        .isEqualTo(new ComputerMousePosition().x(1023).y(0));
  }

  @Test
  void theClipboardIsEmptyUntilWrittenAndThenHoldsTheText() throws Exception {
    String id = session.getSessionId();
    assertThat(computer.computerReadClipboard(id).getText()).isEmpty();

    String text = "line one\nline two, ✓ and \"quotes\"";
    computer.computerWriteClipboard(id, new ComputerClipboard().text(text));
    assertThat(computer.computerReadClipboard(id).getText()).isEqualTo(text);

    computer.computerWriteClipboard(id, new ComputerClipboard().text("second"));
    assertThat(computer.computerReadClipboard(id).getText()).isEqualTo("second");
  }

  @Test
  void badInputIsRefusedWithItsCodeAndNothingIsDone() throws Exception {
    String id = session.getSessionId();
    computer.computerMoveMouse(id, new ComputerMoveMouseRequest().x(10).y(20));

    assertRefused(
        () -> computer.computerClickMouse(id, new ComputerClickMouseRequest().x(1024).y(0)),
        400,
        "off_screen",
        "(1024, 0) is off the 1024x768 screen");
    assertRefused(
        () -> computer.computerMoveMouse(id, new ComputerMoveMouseRequest().x(-1).y(5)),
        400,
        "off_screen",
        "");
    assertRefused(
        () ->
            computer.computerCaptureScreenshot(
                id,
                new ComputerScreenshotRequest()
                    .region(new ComputerScreenshotRegion().x(1000).y(0).width(25).height(1))),
        400,
        "off_screen",
        "not inside");
    assertRefused(
        () ->
            computer.computerPressKey(
                id, new ComputerPressKeyRequest().keys(List.of("ctrl+Enter"))),
        400,
        "unknown_key",
        "'Enter'");
    assertRefused(
        () ->
            computer.computerClickMouse(
                id, new ComputerClickMouseRequest().x(5).y(5).holdKeys(List.of("hyper"))),
        400,
        "unknown_key",
        "'hyper'");
    assertRefused(
        () ->
            computer.computerClickMouse(id, new ComputerClickMouseRequest().x(5).y(5).numClicks(0)),
        400,
        "validation_failed",
        "num_clicks");
    assertRefused(
        () ->
            computer.computerBatch(
                id,
                moveThen(
                    new ComputerBatchAction()
                        .type(ComputerBatchAction.TypeEnum.TYPE_TEXT)
                        .moveMouse(new ComputerMoveMouseRequest().x(1).y(1)))),
        400,
        "invalid_action",
        "actions[1] of type type_text needs its field type_text");
    assertRefused(
        () ->
            computer.computerBatch(
                id,
                moveThen(
                    new ComputerBatchAction()
                        .type(ComputerBatchAction.TypeEnum.TYPE_TEXT)
                        .typeText(new ComputerTypeTextRequest().text("seven!!").delay(10_000)))),
        400,
        "invalid_action",
        "action 1 (type_text), so none was done");
    HttpResponse<String> unknownField =
        HTTP.send(
            HttpRequest.newBuilder(
                    server.baseUri().resolve("/browsers/" + id + "/computer/click_mouse"))
                .header("Authorization", "Bearer " + server.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"x\":1,\"y\":1,\"buton\":\"left\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertThat(unknownField.body()).contains("unknown_field");

    assertThat(computer.computerGetMousePosition(id))
        .as("no refused request moved the pointer")
        .isEqualTo(new ComputerMousePosition().x(10).y(20));
  }

  @Test
  void aHiddenPointerIsLeftOutOfTheFramesReplaysGrabUntilShown() throws Exception {
    String id = session.getSessionId();
    computer.computerMoveMouse(id, new ComputerMoveMouseRequest().x(500).y(400));
    assertThat(pointerPixels(id, 500, 400)).isPositive();

    assertThat(
            computer
                .computerSetCursorVisibility(id, new ComputerSetCursorRequest().hidden(true))
                .getOk())
        .isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> pointerPixels(id, 500, 400) == 0);
    computer.computerBatch(
        id,
        new ComputerBatchRequest()
            .actions(
                List.of(
                    new ComputerBatchAction()
                        .type(ComputerBatchAction.TypeEnum.SET_CURSOR)
                        .setCursor(new ComputerSetCursorRequest().hidden(true)),
                    new ComputerBatchAction()
                        .type(ComputerBatchAction.TypeEnum.MOVE_MOUSE)
                        .moveMouse(new ComputerMoveMouseRequest().x(300).y(300)))));
    assertThat(pointerPixels(id, 300, 300)).isZero();

    computer.computerSetCursorVisibility(id, new ComputerSetCursorRequest().hidden(false));
    await().atMost(Duration.ofSeconds(20)).until(() -> pointerPixels(id, 300, 300) > 0);

    assertRefused(
        () -> computer.computerSetCursorVisibility(id, new ComputerSetCursorRequest()),
        400,
        "validation_failed",
        "hidden");
    assertRefused(
        () ->
            computer.computerBatch(
                id,
                moveThen(new ComputerBatchAction().type(ComputerBatchAction.TypeEnum.SET_CURSOR))),
        400,
        "invalid_action",
        "actions[1] of type set_cursor needs its field set_cursor");
    assertThat(pointerPixels(id, 300, 300)).as("a refused batch hid nothing").isPositive();
  }

  /**
   * How many pixels within 20 of ({@code x}, {@code y}) differ between two frames of the screen
   * that x11grab takes in the session, one with the pointer drawn as replays and x11vnc draw it and
   * one without.
   */
  private int pointerPixels(String id, int x, int y) throws Exception {
    String grab =
        "ffmpeg -loglevel error -f x11grab -draw_mouse %d -video_size 1024x768 -i \"$DISPLAY\""
            + " -frames:v 1 -f image2pipe -vcodec png -";
    BufferedImage drawn = frame(id, String.format(grab, 1));
    BufferedImage bare = frame(id, String.format(grab, 0));
    int pixels = 0;
    for (int i = x - 20; i < x + 20; i++) {
      for (int j = y - 20; j < y + 20; j++) {
        if (drawn.getRGB(i, j) != bare.getRGB(i, j)) {
          pixels++;
        }
      }
    }
    return pixels;
  }

  private BufferedImage frame(String id, String command) throws Exception {
    ProcessExecResult grabbed =
        server
            .processes()
            .processExec(
                id,
                new ProcessExecRequest().command("sh").args(List.of("-c", command)).timeoutSec(30));
    assertThat(grabbed.getExitCode())
        .as(new String(Base64.getDecoder().decode(grabbed.getStderrB64())))
        .isZero();
    return ImageIO.read(
        new ByteArrayInputStream(Base64.getDecoder().decode(grabbed.getStdoutB64())));
  }

  @Test
  void aHeadlessSessionHasNoScreen() throws Exception {
    Browser headless = browsers.createBrowser(new BrowserCreateRequest().headless(true));
    try {
      assertRefused(
          () -> computer.computerCaptureScreenshot(headless.getSessionId(), null),
          409,
          "no_display",
          "headless");
      assertRefused(
          () ->
              computer.computerClickMouse(
                  headless.getSessionId(), new ComputerClickMouseRequest().x(1).y(1)),
          409,
          "no_display",
          "headless");
    } finally {
      browsers.deleteBrowser(headless.getSessionId());
    }
    assertRefused(() -> computer.computerGetMousePosition("nobody"), 404, "session_not_found", "");
  }

  /** A batch that moves the pointer to (500, 500), then does {@code second}. */
  private static ComputerBatchRequest moveThen(ComputerBatchAction second) {
    return new ComputerBatchRequest()
        .actions(
            List.of(
                new ComputerBatchAction()
                    .type(ComputerBatchAction.TypeEnum.MOVE_MOUSE)
                    .moveMouse(new ComputerMoveMouseRequest().x(500).y(500)),
                second));
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static void assertRefused(Call call, int status, String code, String message) {
    ApiException refused = assertThrows(ApiException.class, call::run);
    assertThat(refused.getCode()).as(refused.getResponseBody()).isEqualTo(status);
    assertThat(refused.getResponseBody()).contains("\"" + code + "\"").contains(message);
  }

  private static BufferedImage png(File file) throws Exception {
    BufferedImage image = ImageIO.read(file);
    assertThat(image).as("a PNG").isNotNull();
    file.delete();
    return image;
  }
}
