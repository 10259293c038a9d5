package io.procgate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of a process's live threads, summed by what they do, from {@code /proc/<pid>/task}:
 * where a server's own share of row 2 goes.
 */
record ThreadCpu(Map<Kind, Long> nanos) {
  enum Kind {
    EVENT_LOOPS("event loops"),
    PROCESS_LOOP("process loop"),
    JIT("JIT compilers"),
    GC("GC");

    final String label;

    Kind(String label) {
      this.label = label;
    }

    /** The kind of a thread by its name, as the JVM, Vert.x and the executor name them. */
    static Kind of(String name) {
      if (name.startsWith("vert.x-eventloo")) {
        return EVENT_LOOPS;
      }
      if (name.equals("procgate-io")) {
        return PROCESS_LOOP;
      }
      if (name.contains("CompilerThre")) {
        return JIT;
      }
      if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
        return GC;
      }
      return null;
    }
  }

  static ThreadCpu of(long pid) throws IOException {
    Map<Kind, Long> nanos = new EnumMap<>(Kind.class);
    for (Kind kind : Kind.values()) {
      nanos.put(kind, 0L);
    }
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      tasks.forEach(
          task -> {
            try {
              Kind kind = Kind.of(Files.readString(task.resolve("comm")).strip());
              if (kind != null) {
                nanos.merge(kind, CpuTime.read(task.resolve("stat")).ownNanos(), Long::sum);
              }
            } catch (NoSuchFileException ended) {
              // A thread that ended while listed: its time is in the process's total only.
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    return new ThreadCpu(nanos);
  }

  ThreadCpu since(ThreadCpu earlier) {
    Map<Kind, Long> difference = new EnumMap<>(Kind.class);
    nanos.forEach((kind, value) -> difference.put(kind, value - earlier.nanos.get(kind)));
    return new ThreadCpu(difference);
  }

  long total() {
    return nanos.values().stream().mapToLong(Long::longValue).sum();
  }
}
