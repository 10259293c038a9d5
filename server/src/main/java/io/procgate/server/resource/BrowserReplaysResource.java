package io.procgate.server.resource;

import io.procgate.core.browser.Browser;
import io.procgate.core.display.Replays;
import io.procgate.server.api.BrowserReplaysApi;
import io.procgate.server.api.model.Replay;
import io.procgate.server.api.model.ReplayStartRequest;
import io.procgate.server.cdp.CdpUrls;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import io.procgate.server.validation.Validated;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Recordings of a headful session's screen. */
@Validated
public class BrowserReplaysResource implements BrowserReplaysApi {
  private static final int DEFAULT_FRAMERATE = 10;

  private final SessionRegistry sessions;
  private final CdpUrls urls;
  private final CurrentVertxRequest request;

  BrowserReplaysResource(SessionRegistry sessions, CdpUrls urls, CurrentVertxRequest request) {
    this.sessions = sessions;
    this.urls = urls;
    this.request = request;
  }

  @Override
  public CompletionStage<List<Replay>> replaysList(String id) {
    String host = host();
    return sessions.using(
        id,
        session ->
            CompletableFuture.completedFuture(
                replays(session).list().stream().map(r -> toDto(session, r, host)).toList()));
  }

  @Override
  public CompletionStage<Replay> replaysStart(String id, ReplayStartRequest body) {
    ReplayStartRequest start = body != null ? body : new ReplayStartRequest();
    if (Boolean.TRUE.equals(start.getRecordAudio())) {
      throw new ApiException(
          ErrorCode.VALIDATION_FAILED,
          "record_audio: sessions here have no sound; only the screen is recorded");
    }
    int framerate = Optional.ofNullable(start.getFramerate()).orElse(DEFAULT_FRAMERATE);
    Optional<Duration> duration =
        Optional.ofNullable(start.getMaxDurationInSeconds()).map(Duration::ofSeconds);
    String host = host();
    return sessions.using(
        id,
        session -> {
          Replays replays = replays(session);
          Duration most = replays.limits().maxDuration();
          if (duration.filter(asked -> asked.compareTo(most) > 0).isPresent()) {
            throw new ApiException(
                ErrorCode.VALIDATION_FAILED,
                "max_duration_in_seconds: at most "
                    + most.toSeconds()
                    + " (procgate.replays.max-duration)");
          }
          return replays.start(framerate, duration).thenApply(r -> toDto(session, r, host));
        });
  }

  @Override
  public CompletionStage<File> replaysDownload(String id, String replayId) {
    return sessions.using(
        id,
        session -> {
          Path video = replays(session).video(replayId);
          if (!Files.exists(video)) {
            throw new ApiException(
                ErrorCode.REPLAY_NOT_FOUND, "the session has no replay " + replayId);
          }
          return CompletableFuture.completedFuture(video.toFile());
        });
  }

  @Override
  public CompletionStage<Void> replaysStop(String id, String replayId) {
    return sessions.using(id, session -> replays(session).stop(replayId));
  }

  private static Replays replays(Session session) {
    return SessionDisplay.require(session, Browser::replays);
  }

  private String host() {
    return request.getCurrent().request().host();
  }

  private Replay toDto(Session session, io.procgate.core.display.Replay replay, String host) {
    Replay dto =
        new Replay()
            .replayId(replay.id())
            .startedAt(replay.startedAt().atOffset(ZoneOffset.UTC))
            .sizeBytes(replay.sizeBytes());
    replay.finishedAt().ifPresent(at -> dto.finishedAt(at.atOffset(ZoneOffset.UTC)));
    if (!replay.recording()) {
      dto.replayViewUrl(urls.base(session.id(), host) + "/replays/" + replay.id());
    }
    return dto;
  }
}
