package io.procgate.server.mapping;

import io.procgate.core.display.MouseButton;
import io.procgate.core.display.Point;
import io.procgate.core.display.Region;
import io.procgate.core.display.ScreenAction;
import io.procgate.server.api.model.ComputerBatchAction;
import io.procgate.server.api.model.ComputerBatchRequest;
import io.procgate.server.api.model.ComputerClickMouseRequest;
import io.procgate.server.api.model.ComputerDragMouseRequest;
import io.procgate.server.api.model.ComputerMoveMouseRequest;
import io.procgate.server.api.model.ComputerPressKeyRequest;
import io.procgate.server.api.model.ComputerScreenshotRegion;
import io.procgate.server.api.model.ComputerScrollRequest;
import io.procgate.server.api.model.ComputerSetCursorRequest;
import io.procgate.server.api.model.ComputerSleepAction;
import io.procgate.server.api.model.ComputerTypeTextRequest;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** Computer requests to the core's screen actions; fields absent take the API's defaults. */
public final class ComputerMapper {
  private ComputerMapper() {}

  public static Region toRegion(ComputerScreenshotRegion region) {
    return new Region(
        Required.value("region.x", region.getX()),
        Required.value("region.y", region.getY()),
        Required.value("region.width", region.getWidth()),
        Required.value("region.height", region.getHeight()));
  }

  public static ScreenAction click(ComputerClickMouseRequest request) {
    return new ScreenAction.Click(
        point(request.getX(), request.getY()),
        MouseButton.valueOf(name("button", request.getButton())),
        ScreenAction.Press.valueOf(name("click_type", request.getClickType())),
        Required.value("num_clicks", request.getNumClicks()),
        Required.list("hold_keys", request.getHoldKeys()));
  }

  public static ScreenAction move(ComputerMoveMouseRequest request) {
    return new ScreenAction.Move(
        point(request.getX(), request.getY()),
        Required.value("smooth", request.getSmooth()),
        Optional.ofNullable(request.getDurationMs()).map(Duration::ofMillis),
        Required.list("hold_keys", request.getHoldKeys()));
  }

  public static ScreenAction scroll(ComputerScrollRequest request) {
    return new ScreenAction.Scroll(
        point(request.getX(), request.getY()),
        Required.value("delta_x", request.getDeltaX()),
        Required.value("delta_y", request.getDeltaY()),
        Required.list("hold_keys", request.getHoldKeys()));
  }

  public static ScreenAction drag(ComputerDragMouseRequest request) {
    List<List<Integer>> path = Required.value("path", request.getPath());
    List<Point> points = new ArrayList<>(path.size());
    for (int i = 0; i < path.size(); i++) {
      List<Integer> pair = Required.value("path[" + i + "]", path.get(i));
      points.add(
          new Point(
              Required.value("path[" + i + "][0]", pair.get(0)),
              Required.value("path[" + i + "][1]", pair.get(1))));
    }
    return new ScreenAction.Drag(
        points,
        MouseButton.valueOf(name("button", request.getButton())),
        millis("delay", request.getDelay()),
        Required.value("steps_per_segment", request.getStepsPerSegment()),
        millis("step_delay_ms", request.getStepDelayMs()),
        Required.value("smooth", request.getSmooth()),
        Optional.ofNullable(request.getDurationMs()).map(Duration::ofMillis),
        Required.list("hold_keys", request.getHoldKeys()));
  }

  public static ScreenAction type(ComputerTypeTextRequest request) {
    return new ScreenAction.TypeText(
        Required.value("text", request.getText()), millis("delay", request.getDelay()));
  }

  public static ScreenAction press(ComputerPressKeyRequest request) {
    return new ScreenAction.PressKeys(
        Required.list("keys", request.getKeys()),
        millis("duration", request.getDuration()),
        Required.list("hold_keys", request.getHoldKeys()));
  }

  public static ScreenAction sleep(ComputerSleepAction request) {
    return new ScreenAction.Sleep(millis("duration_ms", request.getDurationMs()));
  }

  public static ScreenAction cursor(ComputerSetCursorRequest request) {
    return new ScreenAction.SetCursor(Required.value("hidden", request.getHidden()));
  }

  /** A batch's actions, each the field its {@code type} names and no other. */
  public static List<ScreenAction> batch(ComputerBatchRequest request) {
    List<ComputerBatchAction> actions = Required.value("actions", request.getActions());
    List<ScreenAction> mapped = new ArrayList<>(actions.size());
    for (int i = 0; i < actions.size(); i++) {
      ComputerBatchAction action = Required.value("actions[" + i + "]", actions.get(i));
      ComputerBatchAction.TypeEnum type =
          Required.value("actions[" + i + "].type", action.getType());
      List<Object> fields = new ArrayList<>();
      for (Object field :
          new Object[] {
            action.getClickMouse(),
            action.getMoveMouse(),
            action.getTypeText(),
            action.getPressKey(),
            action.getScroll(),
            action.getDragMouse(),
            action.getSetCursor(),
            action.getSleep()
          }) {
        if (field != null) {
          fields.add(field);
        }
      }
      ScreenAction one =
          switch (type) {
            case CLICK_MOUSE -> field(i, type, action.getClickMouse(), ComputerMapper::click);
            case MOVE_MOUSE -> field(i, type, action.getMoveMouse(), ComputerMapper::move);
            case TYPE_TEXT -> field(i, type, action.getTypeText(), ComputerMapper::type);
            case PRESS_KEY -> field(i, type, action.getPressKey(), ComputerMapper::press);
            case SCROLL -> field(i, type, action.getScroll(), ComputerMapper::scroll);
            case DRAG_MOUSE -> field(i, type, action.getDragMouse(), ComputerMapper::drag);
            case SET_CURSOR -> field(i, type, action.getSetCursor(), ComputerMapper::cursor);
            case SLEEP -> field(i, type, action.getSleep(), ComputerMapper::sleep);
          };
      if (fields.size() > 1) {
        throw new ApiException(
            ErrorCode.INVALID_ACTION,
            "actions[" + i + "] has fields of other actions than its type, " + type);
      }
      mapped.add(one);
    }
    return mapped;
  }

  private static <T> ScreenAction field(
      int index, ComputerBatchAction.TypeEnum type, T field, Function<T, ScreenAction> map) {
    if (field == null) {
      throw new ApiException(
          ErrorCode.INVALID_ACTION,
          "actions[" + index + "] of type " + type + " needs its field " + type + " too");
    }
    return map.apply(field);
  }

  private static Point point(Integer x, Integer y) {
    return new Point(Required.value("x", x), Required.value("y", y));
  }

  private static Duration millis(String field, Integer value) {
    return Duration.ofMillis(Required.value(field, value));
  }

  private static String name(String field, Object value) {
    return Required.value(field, value).toString().toUpperCase(Locale.ROOT);
  }
}
