package io.procgate.server.resource;

import io.procgate.core.browser.Browser;
import io.procgate.core.display.Screen;
import io.procgate.core.display.ScreenAction;
import io.procgate.server.api.BrowserComputerApi;
import io.procgate.server.api.model.ComputerBatchRequest;
import io.procgate.server.api.model.ComputerClickMouseRequest;
import io.procgate.server.api.model.ComputerClipboard;
import io.procgate.server.api.model.ComputerDragMouseRequest;
import io.procgate.server.api.model.ComputerMousePosition;
import io.procgate.server.api.model.ComputerMoveMouseRequest;
import io.procgate.server.api.model.ComputerPressKeyRequest;
import io.procgate.server.api.model.ComputerScreenshotRequest;
import io.procgate.server.api.model.ComputerScrollRequest;
import io.procgate.server.api.model.ComputerSetCursorRequest;
import io.procgate.server.api.model.ComputerTypeTextRequest;
import io.procgate.server.api.model.OkResponse;
import io.procgate.server.computer.PngImage;
import io.procgate.server.mapping.ComputerMapper;
import io.procgate.server.mapping.Required;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import io.procgate.server.validation.Validated;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** A headful session's screen, mouse, keyboard and clipboard; nothing here waits on a thread. */
@Validated
public class BrowserComputerResource implements BrowserComputerApi {
  private static final OkResponse OK = new OkResponse().ok(true);

  private final SessionRegistry sessions;

  BrowserComputerResource(SessionRegistry sessions) {
    this.sessions = sessions;
  }

  @Override
  public CompletionStage<PngImage> computerCaptureScreenshot(
      String id, ComputerScreenshotRequest request) {
    return onScreen(
        id,
        screen ->
            screen
                .capture(
                    Optional.ofNullable(request)
                        .map(ComputerScreenshotRequest::getRegion)
                        .map(ComputerMapper::toRegion))
                .thenApply(PngImage::new));
  }

  @Override
  public CompletionStage<ComputerMousePosition> computerGetMousePosition(String id) {
    return onScreen(
        id,
        screen ->
            screen
                .pointer()
                .thenApply(point -> new ComputerMousePosition().x(point.x()).y(point.y())));
  }

  @Override
  public CompletionStage<OkResponse> computerClickMouse(
      String id, ComputerClickMouseRequest request) {
    return perform(id, List.of(ComputerMapper.click(request)));
  }

  @Override
  public CompletionStage<OkResponse> computerMoveMouse(
      String id, ComputerMoveMouseRequest request) {
    return perform(id, List.of(ComputerMapper.move(request)));
  }

  @Override
  public CompletionStage<OkResponse> computerScroll(String id, ComputerScrollRequest request) {
    return perform(id, List.of(ComputerMapper.scroll(request)));
  }

  @Override
  public CompletionStage<OkResponse> computerDragMouse(
      String id, ComputerDragMouseRequest request) {
    return perform(id, List.of(ComputerMapper.drag(request)));
  }

  @Override
  public CompletionStage<OkResponse> computerTypeText(String id, ComputerTypeTextRequest request) {
    return perform(id, List.of(ComputerMapper.type(request)));
  }

  @Override
  public CompletionStage<OkResponse> computerPressKey(String id, ComputerPressKeyRequest request) {
    return perform(id, List.of(ComputerMapper.press(request)));
  }

  @Override
  public CompletionStage<OkResponse> computerSetCursorVisibility(
      String id, ComputerSetCursorRequest request) {
    return perform(id, List.of(ComputerMapper.cursor(request)));
  }

  @Override
  public CompletionStage<ComputerClipboard> computerReadClipboard(String id) {
    return onScreen(
        id, screen -> screen.readClipboard().thenApply(text -> new ComputerClipboard().text(text)));
  }

  @Override
  public CompletionStage<OkResponse> computerWriteClipboard(String id, ComputerClipboard request) {
    String text = Required.value("text", request.getText());
    return onScreen(id, screen -> screen.writeClipboard(text).thenApply(done -> OK));
  }

  @Override
  public CompletionStage<OkResponse> computerBatch(String id, ComputerBatchRequest request) {
    return perform(id, ComputerMapper.batch(request));
  }

  private CompletionStage<OkResponse> perform(String id, List<ScreenAction> actions) {
    return onScreen(id, screen -> screen.perform(actions).thenApply(done -> OK));
  }

  private <T> CompletableFuture<T> onScreen(
      String id, Function<Screen, CompletableFuture<T>> work) {
    return sessions.using(id, session -> work.apply(screen(session)));
  }

  private static Screen screen(Session session) {
    return SessionDisplay.require(session, Browser::screen);
  }
}
