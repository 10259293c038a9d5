package io.procgate.client.stream;

import io.procgate.client.ApiClient;
import io.procgate.client.ApiException;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Path;
import java.util.List;

/**
 * Moves files to and from a session's machine as streams, which the generated client cannot: it
 * would send a file as JSON and read one into a temporary file. Nothing here holds a whole file in
 * memory; bodies come from {@link HttpRequest.BodyPublisher}s ({@code BodyPublishers.ofFile}, or
 * {@code ofInputStream} for a stream of unknown length, sent chunked).
 *
 * <pre>{@code
 * FileTransfers.writeFile(api, sessionId, "/tmp/in.csv", BodyPublishers.ofFile(local), null);
 * try (InputStream out = FileTransfers.readFile(api, sessionId, "/tmp/out.csv")) {
 *   Files.copy(out, target);
 * }
 * }</pre>
 */
public final class FileTransfers {
  private FileTransfers() {}

  /** One file of an {@link #upload}: where it goes, and its bytes. */
  public record Upload(String destPath, HttpRequest.BodyPublisher content) {

    /** The local file {@code source}, to {@code destPath}. */
    public static Upload of(String destPath, Path source) throws FileNotFoundException {
      return new Upload(destPath, BodyPublishers.ofFile(source));
    }
  }

  /**
   * The file's bytes, as the server sends them; the caller closes the stream.
   *
   * @throws ApiException when the server answers with an error (the file is missing, or the
   *     session's user may not read it)
   */
  public static InputStream readFile(ApiClient api, String sessionId, String path)
      throws ApiException {
    return download(
        api, sessionId, "/fs/read_file", path, "application/octet-stream", "fsReadFile");
  }

  /**
   * Writes {@code content} to {@code path}, creating its parents; the file appears whole, or not at
   * all.
   *
   * @param mode octal permission bits such as {@code "644"}, or null for the server's default
   */
  public static void writeFile(
      ApiClient api, String sessionId, String path, HttpRequest.BodyPublisher content, String mode)
      throws ApiException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                ApiCall.uri(api, sessionId, "/fs/write_file", "path", path, "mode", mode))
            .PUT(content)
            .header("Content-Type", "application/octet-stream")
            .header("Accept", "application/json");
    ApiCall.call(api, "fsWriteFile", request);
  }

  /** Writes each file to its path, as one multipart request in the encoding of Kernel's SDKs. */
  public static void upload(ApiClient api, String sessionId, List<Upload> files)
      throws ApiException {
    MultipartForm form = new MultipartForm();
    for (int i = 0; i < files.size(); i++) {
      Upload file = files.get(i);
      String destPath = file.destPath();
      form.field("files[" + i + "][dest_path]", destPath)
          .file(
              "files[" + i + "][file]",
              Path.of(destPath).getFileName() == null
                  ? "file"
                  : Path.of(destPath).getFileName().toString(),
              file.content());
    }
    send(api, sessionId, "/fs/upload", "fsUpload", form);
  }

  /** Extracts a zip archive into the directory {@code destPath}. */
  public static void uploadZip(
      ApiClient api, String sessionId, String destPath, HttpRequest.BodyPublisher zip)
      throws ApiException {
    MultipartForm form =
        new MultipartForm().field("dest_path", destPath).file("zip_file", "upload.zip", zip);
    send(api, sessionId, "/fs/upload_zip", "fsUploadZip", form);
  }

  /** The directory as a zip, made while it is read; the caller closes the stream. */
  public static InputStream downloadDirZip(ApiClient api, String sessionId, String path)
      throws ApiException {
    return download(
        api, sessionId, "/fs/download_dir_zip", path, "application/zip", "fsDownloadDirZip");
  }

  private static InputStream download(
      ApiClient api,
      String sessionId,
      String operationPath,
      String path,
      String mediaType,
      String operation)
      throws ApiException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(ApiCall.uri(api, sessionId, operationPath, "path", path))
            .GET()
            .header("Accept", mediaType);
    return ApiCall.send(api, operation, request).body();
  }

  private static void send(
      ApiClient api, String sessionId, String path, String operation, MultipartForm form)
      throws ApiException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(ApiCall.uri(api, sessionId, path))
            .POST(form.body())
            .header("Content-Type", form.contentType())
            .header("Accept", "application/json");
    ApiCall.call(api, operation, request);
  }
}
