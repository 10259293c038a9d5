package io.procgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used, by itself and by the children it has reaped, from {@code
 * /proc/<pid>/stat}. A reaped child's time includes that of the children it reaped in turn.
 *
 * @param ownNanos user and system time of the process's own threads
 * @param childrenNanos user and system time of its reaped descendants
 */
record CpuTime(long ownNanos, long childrenNanos) {
  // The unit of /proc's times, USER_HZ, is 100 on every architecture Linux exposes it on.
  private static final long NANOS_PER_TICK = 10_000_000L;

  static CpuTime of(long pid) throws IOException {
    return read(Path.of("/proc/" + pid + "/stat"));
  }

  /**
   * From a stat file of a process or of one of its threads ({@code /proc/<pid>/task/<tid>/stat}).
   */
  static CpuTime read(Path statFile) throws IOException {
    return parse(Files.readString(statFile));
  }

  /** From the text of a stat file. */
  static CpuTime parse(String stat) {
    // Fields after the command name, which may itself hold spaces and parentheses.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // utime, stime, cutime, cstime are fields 14 to 17, that is 11 to 14 after the name.
    return new CpuTime(
        (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK,
        (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * NANOS_PER_TICK);
  }

  static CpuTime ofThisProcess() throws IOException {
    return of(ProcessHandle.current().pid());
  }

  CpuTime since(CpuTime earlier) {
    return new CpuTime(ownNanos - earlier.ownNanos, childrenNanos - earlier.childrenNanos);
  }
}
