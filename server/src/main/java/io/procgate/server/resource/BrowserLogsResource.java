package io.procgate.server.resource;

import io.procgate.core.browser.Browser;
import io.procgate.core.files.FileTail;
import io.procgate.core.files.UserFiles;
import io.procgate.server.api.BrowserLogsApi;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import io.procgate.server.sse.LogStreams;
import io.procgate.server.validation.Validated;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** A session's logs: a file its user may read, or the output of its browser's programs. */
@Validated
public class BrowserLogsResource implements BrowserLogsApi {
  private static final List<String> PROGRAMS = List.of("chromium", "xvfb");

  private final SessionRegistry sessions;
  private final LogStreams streams;

  BrowserLogsResource(SessionRegistry sessions, LogStreams streams) {
    this.sessions = sessions;
    this.streams = streams;
  }

  @Override
  public Multi<byte[]> logsStream(
      String id, String source, Boolean follow, String path, String supervisorProcess) {
    Session session = sessions.require(id);
    boolean following = follow == null || follow;
    if ("path".equals(source)) {
      if (path == null) {
        throw invalid("path is required with source=path");
      }
      if (supervisorProcess != null) {
        throw invalid("supervisor_process goes with source=supervisor, not source=path");
      }
      UserFiles.absolute(path);
      Uni<LogStreams.Log> opened =
          Uni.createFrom()
              .completionStage(session.fileSystem().openToFollow(path))
              .map(open -> new LogStreams.Log(tail(open.path(), following, open), open));
      return streams.open(session, opened, following);
    }
    if (supervisorProcess == null) {
      throw invalid("supervisor_process is required with source=supervisor");
    }
    if (path != null) {
      throw invalid("path goes with source=path, not source=supervisor");
    }
    Path log = supervised(session, supervisorProcess);
    return streams.open(
        session,
        Uni.createFrom().item(() -> new LogStreams.Log(tail(log, following, () -> {}), () -> {})),
        following);
  }

  /** Opens the tail of {@code file}; on a failure, closes {@code held}. */
  private static FileTail tail(Path file, boolean following, AutoCloseable held) {
    try {
      return FileTail.open(file, following);
    } catch (IOException e) {
      try {
        held.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw new UncheckedIOException(e);
    }
  }

  private static Path supervised(Session session, String program) {
    Browser browser =
        session
            .browser()
            .orElseThrow(
                () ->
                    invalid(
                        "the session has no browser, so no supervised programs: use"
                            + " source=path"));
    return browser
        .log(program)
        .orElseThrow(
            () ->
                invalid(
                    "supervisor_process "
                        + ApiException.quoted(program)
                        + " is none of this session's: "
                        + (session.spec().headless() ? "chromium" : String.join(", ", PROGRAMS))));
  }

  private static ApiException invalid(String message) {
    return new ApiException(ErrorCode.VALIDATION_FAILED, message);
  }
}
