package io.procgate.server.mapping;

import io.procgate.core.files.FileEntry;
import io.procgate.server.api.model.FsFileInfo;
import java.time.ZoneOffset;

/** File entries as Kernel's SDKs read them. */
public final class FileMapper {
  private FileMapper() {}

  public static FsFileInfo toDto(FileEntry entry) {
    return new FsFileInfo()
        .name(entry.name())
        .path(entry.path())
        .isDir(entry.directory())
        .sizeBytes(entry.sizeBytes())
        .modTime(entry.modified().atOffset(ZoneOffset.UTC))
        .mode(entry.mode());
  }
}
