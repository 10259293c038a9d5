package io.procgate.server.transfer;

import io.procgate.core.files.PendingWrite;
import io.procgate.core.files.UserFiles;
import io.procgate.core.files.ZipLimits;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.error.ApiException;
import io.procgate.server.metrics.ServerMetrics;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionFiles;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Request bodies into files, with the session user's rights: {@code write_file}'s raw body, {@code
 * upload}'s multipart files and {@code upload_zip}'s archive. Bytes go to disk as they arrive, the
 * request paused whenever the disk is behind; each file is written under a temporary name and
 * renamed into place only once the whole body has arrived and checked out, so a failed, refused or
 * interrupted upload, or one whose session is deleted meanwhile, leaves nothing behind.
 */
@ApplicationScoped
public class FileUploads {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private static final int MAX_FILES = 1000;
  private static final int MAX_FIELD_BYTES = 4096;
  private static final Pattern FILE_FIELD =
      Pattern.compile("files\\[(\\d{1,4})]\\[(dest_path|file)]");

  private final Vertx vertx;
  private final long limit;
  private final ZipLimits zipLimits;
  private final ServerMetrics metrics;

  FileUploads(Vertx vertx, ProcgateConfig config, ServerMetrics metrics) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.limit = config.files().maxUploadSize().asLongValue();
    this.zipLimits =
        new ZipLimits(config.files().zipMaxEntries(), config.files().zipMaxSize().asLongValue());
  }

  /**
   * Writes the request body to {@code path}. The file is opened before the body is read, so a
   * refusal comes before the client sends its bytes (when it waits for {@code 100 Continue}).
   */
  public CompletableFuture<Void> writeFile(
      Session session, RoutingContext request, String path, Optional<String> mode) {
    Context context = Vertx.currentContext();
    CompletableFuture<PendingWrite> opening = session.fileSystem().openForWriting(path, mode);
    CompletableFuture<Void> answer = new CompletableFuture<>();
    opening.whenComplete(
        (pending, failure) ->
            context.runOnContext(
                ignored -> {
                  if (failure != null) {
                    answer.completeExceptionally(failure);
                  } else if (answer.isDone()) {
                    pending.abort();
                  } else {
                    receive(
                        session,
                        request,
                        context,
                        answer,
                        body -> {
                          FileWriting writing =
                              new FileWriting(
                                  vertx, context, opening, body::resume, metrics::fileWritten);
                          return new RequestBody.Sink() {
                            @Override
                            public boolean write(Buffer bytes) {
                              return writing.write(bytes);
                            }

                            @Override
                            public CompletableFuture<Void> end() {
                              return writing.commit();
                            }

                            @Override
                            public CompletableFuture<Void> abort() {
                              return writing.abort();
                            }
                          };
                        });
                  }
                }));
    return answer;
  }

  /**
   * Writes each file of a multipart body, fields {@code files[i][dest_path]} and {@code
   * files[i][file]}. A file whose path comes after its bytes is held in the session's directory
   * until the path is known.
   */
  public CompletableFuture<Void> upload(Session session, RoutingContext request) {
    return receiveForm(session, request, FilesForm::new);
  }

  /**
   * Extracts the archive of a multipart body, fields {@code dest_path} and {@code zip_file}: the
   * archive is kept in the session's directory until the body is complete, then checked whole and
   * extracted, see {@link UserFiles#extractZip}.
   */
  public CompletableFuture<Void> uploadZip(Session session, RoutingContext request) {
    return receiveForm(session, request, ZipForm::new);
  }

  /**
   * {@code work}'s outcome, once what {@code cleanUp} starts, given how the work failed (or null),
   * is done too: a client told that an upload ended finds none of its temporary files left.
   */
  private static <T> CompletableFuture<T> cleaningUp(
      CompletableFuture<T> work, Function<Throwable, CompletableFuture<?>> cleanUp) {
    return work.handle(
            (value, failure) ->
                cleanUp
                    .apply(failure)
                    .handle(
                        (cleaned, cleanUpFailure) -> {
                          if (failure != null) {
                            throw failure instanceof CompletionException wrapped
                                ? wrapped
                                : new CompletionException(failure);
                          }
                          return value;
                        }))
        .thenCompose(Function.identity());
  }

  /** The reader of one kind of form. */
  @FunctionalInterface
  private interface FormReader {
    Form read(Session session, Context context, RequestBody body, String boundary);
  }

  private CompletableFuture<Void> receiveForm(
      Session session, RoutingContext request, FormReader reader) {
    String boundary =
        MultipartParser.boundary(request.request().getHeader(HttpHeaders.CONTENT_TYPE));
    Context context = Vertx.currentContext();
    CompletableFuture<Void> answer = new CompletableFuture<>();
    receive(
        session, request, context, answer, body -> reader.read(session, context, body, boundary));
    return answer;
  }

  /** Reads the body into the sink, for as long as the session lasts; on the request's context. */
  private void receive(
      Session session,
      RoutingContext request,
      Context context,
      CompletableFuture<Void> answer,
      Function<RequestBody, RequestBody.Sink> sinkFor) {
    RequestBody body = new RequestBody(request, context, limit);
    SessionFiles.Transfer upload;
    try {
      upload = session.files().beginTransfer(body::fail);
    } catch (ApiException gone) {
      answer.completeExceptionally(gone);
      return;
    }
    answer.whenComplete(
        (result, failure) -> {
          if (failure instanceof CancellationException) {
            body.fail(failure);
          }
        });
    body.start(sinkFor.apply(body))
        .whenComplete(
            (result, failure) -> {
              upload.close();
              if (failure == null) {
                answer.complete(null);
              } else {
                answer.completeExceptionally(failure);
              }
            });
  }

  /** Where a file waits whose destination is not known yet: the session's own directory. */
  private CompletableFuture<PendingWrite> holding(Session session, String what) {
    return session
        .fileSystem()
        .openForWriting(session.workDir().resolve(what).toString(), Optional.of("600"));
  }

  /** A form field's value, a path: short text. */
  private static final class Field {
    private final String name;
    private final Buffer value = Buffer.buffer();

    Field(String name) {
      this.name = name;
    }

    void append(Buffer bytes) {
      if (value.length() + bytes.length() > MAX_FIELD_BYTES) {
        throw MultipartParser.invalid(
            "field " + ApiException.quoted(name) + " is longer than " + MAX_FIELD_BYTES + " bytes");
      }
      value.appendBuffer(bytes);
    }

    String value() {
      return value.toString(StandardCharsets.UTF_8);
    }
  }

  /** The parts of one multipart body, as a sink of bytes; subclasses say what each part is. */
  private abstract class Form implements RequestBody.Sink, MultipartParser.Parts {
    final Session session;
    final Context context;
    final RequestBody body;
    private final MultipartParser parser;
    private Field field;
    private FileWriting writing;
    private boolean full;

    Form(Session session, Context context, RequestBody body, String boundary) {
      this.session = session;
      this.context = context;
      this.body = body;
      this.parser = new MultipartParser(boundary, this);
    }

    FileWriting newWriting(CompletableFuture<PendingWrite> opening) {
      return new FileWriting(vertx, context, opening, body::resume, metrics::fileWritten);
    }

    /** Reads the next part into {@code field} or {@code writing}, whichever is returned. */
    abstract Object part(String name, Optional<String> filename);

    /** A field is complete. */
    abstract void fieldRead(String name, String value);

    /** The body is complete; completes once its files are where they belong. */
    abstract CompletableFuture<Void> complete();

    @Override
    public boolean write(Buffer bytes) {
      full = false;
      parser.feed(bytes);
      return !full;
    }

    @Override
    public void beginPart(String name, Optional<String> filename) {
      Object part = part(name, filename);
      field = part instanceof Field f ? f : null;
      writing = part instanceof FileWriting w ? w : null;
    }

    @Override
    public void partContent(Buffer bytes) {
      if (field != null) {
        field.append(bytes);
      } else if (!writing.write(bytes)) {
        full = true;
      }
    }

    @Override
    public void endPart() {
      if (field != null) {
        fieldRead(field.name, field.value());
      }
      field = null;
      writing = null;
    }

    @Override
    public CompletableFuture<Void> end() {
      parser.finish();
      return complete();
    }
  }

  /** {@code upload}'s fields. */
  private final class FilesForm extends Form {
    private final Map<Integer, String> destinations = new TreeMap<>();
    private final Map<Integer, FileWriting> writings = new TreeMap<>();
    // Files whose bytes came before their path.
    private final Map<Integer, FileWriting> held = new TreeMap<>();

    FilesForm(Session session, Context context, RequestBody body, String boundary) {
      super(session, context, body, boundary);
    }

    @Override
    Object part(String name, Optional<String> filename) {
      Matcher field = FILE_FIELD.matcher(name);
      if (!field.matches()) {
        throw MultipartParser.invalid(
            "unknown field "
                + ApiException.quoted(name)
                + "; upload takes files[i][dest_path] and files[i][file]");
      }
      int index = Integer.parseInt(field.group(1));
      if (index >= MAX_FILES) {
        throw MultipartParser.invalid("an upload holds at most " + MAX_FILES + " files");
      }
      boolean path = field.group(2).equals("dest_path");
      if (path ? destinations.containsKey(index) : isFile(index)) {
        throw MultipartParser.invalid("field " + ApiException.quoted(name) + " comes twice");
      }
      if (path) {
        return new Field(name);
      }
      String destination = destinations.get(index);
      if (destination == null) {
        FileWriting writing = newWriting(holding(session, ".upload-" + index));
        held.put(index, writing);
        return writing;
      }
      FileWriting writing =
          newWriting(session.fileSystem().openForWriting(destination, Optional.empty()));
      writings.put(index, writing);
      return writing;
    }

    private boolean isFile(int index) {
      return writings.containsKey(index) || held.containsKey(index);
    }

    @Override
    void fieldRead(String name, String value) {
      Matcher field = FILE_FIELD.matcher(name);
      field.matches();
      int index = Integer.parseInt(field.group(1));
      UserFiles.absolute(value);
      destinations.put(index, value);
    }

    @Override
    CompletableFuture<Void> complete() {
      for (int index : destinations.keySet()) {
        if (!isFile(index)) {
          throw MultipartParser.invalid("files[" + index + "][file] is missing");
        }
      }
      for (int index : held.keySet()) {
        if (!destinations.containsKey(index)) {
          throw MultipartParser.invalid("files[" + index + "][dest_path] is missing");
        }
      }
      if (destinations.isEmpty()) {
        throw MultipartParser.invalid("the upload holds no files");
      }
      // Every file whole on disk first, then all renamed into place.
      List<CompletableFuture<PendingWrite>> finished = new ArrayList<>();
      writings.values().forEach(writing -> finished.add(writing.finish()));
      held.forEach(
          (index, writing) ->
              finished.add(
                  writing.finish().thenCompose(spool -> moveHeld(spool, destinations.get(index)))));
      return cleaningUp(
          CompletableFuture.allOf(finished.toArray(CompletableFuture[]::new))
              .thenCompose(
                  all -> {
                    CompletableFuture<Void> commits = CompletableFuture.completedFuture(null);
                    for (CompletableFuture<PendingWrite> write : finished) {
                      commits = commits.thenCompose(done -> write.join().commit());
                    }
                    return commits;
                  }),
          failure ->
              failure == null
                  ? DONE
                  : CompletableFuture.allOf(
                      finished.stream()
                          .map(write -> write.thenCompose(PendingWrite::abort))
                          .map(removal -> removal.exceptionally(unopened -> null))
                          .toArray(CompletableFuture[]::new)));
    }

    /** Copies a held file to a new write of its destination; the held one goes. */
    private CompletableFuture<PendingWrite> moveHeld(PendingWrite spool, String destination) {
      return cleaningUp(
          session
              .fileSystem()
              .openForWriting(destination, Optional.empty())
              .thenCompose(
                  target ->
                      cleaningUp(
                          session
                              .fileSystem()
                              .<PendingWrite>asUser(
                                  () -> {
                                    try (FileChannel in =
                                            FileChannel.open(
                                                spool.path(), StandardOpenOption.READ);
                                        FileChannel out =
                                            FileChannel.open(
                                                target.path(), StandardOpenOption.WRITE)) {
                                      long size = in.size();
                                      for (long at = 0; at < size; ) {
                                        at += in.transferTo(at, size - at, out);
                                      }
                                    }
                                    return target;
                                  }),
                          failure -> failure == null ? DONE : target.abort())),
          failure -> spool.abort());
    }

    @Override
    public CompletableFuture<Void> abort() {
      return CompletableFuture.allOf(
          Stream.concat(writings.values().stream(), held.values().stream())
              .map(FileWriting::abort)
              .toArray(CompletableFuture[]::new));
    }
  }

  /** {@code upload_zip}'s fields. */
  private final class ZipForm extends Form {
    private String destination;
    private FileWriting archive;

    ZipForm(Session session, Context context, RequestBody body, String boundary) {
      super(session, context, body, boundary);
    }

    @Override
    Object part(String name, Optional<String> filename) {
      switch (name) {
        case "dest_path" -> {
          if (destination != null) {
            throw MultipartParser.invalid("field 'dest_path' comes twice");
          }
          return new Field(name);
        }
        case "zip_file" -> {
          if (archive != null) {
            throw MultipartParser.invalid("field 'zip_file' comes twice");
          }
          archive = newWriting(holding(session, ".upload.zip"));
          return archive;
        }
        default ->
            throw MultipartParser.invalid(
                "unknown field "
                    + ApiException.quoted(name)
                    + "; upload_zip takes dest_path and zip_file");
      }
    }

    @Override
    void fieldRead(String name, String value) {
      UserFiles.absolute(value);
      destination = value;
    }

    @Override
    CompletableFuture<Void> complete() {
      if (destination == null) {
        throw MultipartParser.invalid("field 'dest_path' is missing");
      }
      if (archive == null) {
        throw MultipartParser.invalid("field 'zip_file' is missing");
      }
      return archive
          .finish()
          .thenCompose(
              held ->
                  // The archive was only ever a means: it goes, extracted or not.
                  cleaningUp(
                      session.fileSystem().extractZip(held.path(), destination, zipLimits),
                      failure -> held.abort()));
    }

    @Override
    public CompletableFuture<Void> abort() {
      return archive == null ? CompletableFuture.completedFuture(null) : archive.abort();
    }
  }
}
