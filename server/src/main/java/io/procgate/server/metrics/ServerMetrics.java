package io.procgate.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.procgate.core.ProcessEvents;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The counts of what sessions do: processes by how they ended, exec durations, output, and bytes
 * through the files API. Every meter is made once, here; recording is a few increments. Made at
 * start, not at the first use: a scrape shows every series from the first, at 0, and a rate over
 * the first exec is not lost to a series that began with it.
 */
@Startup
@ApplicationScoped
public class ServerMetrics implements ProcessEvents {
  // From an echo (about a millisecond) to the longest timeout an exec may ask for (an hour).
  private static final Duration[] EXEC_BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(5),
    Duration.ofMinutes(15),
    Duration.ofHours(1)
  };

  private final Map<Kind, Map<Outcome, Counter>> ends = new EnumMap<>(Kind.class);
  private final Map<Kind, Counter> output = new EnumMap<>(Kind.class);
  private final Timer execDuration;
  private final Counter fileBytesRead;
  private final Counter fileBytesWritten;

  ServerMetrics(MeterRegistry registry) {
    for (Kind kind : Kind.values()) {
      String name = kind.name().toLowerCase(Locale.ROOT);
      Map<Outcome, Counter> byOutcome = new EnumMap<>(Outcome.class);
      for (Outcome outcome : Outcome.values()) {
        byOutcome.put(
            outcome,
            Counter.builder("procgate." + name + "s")
                .description("Processes started by " + name + ", by how they ended")
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry));
      }
      ends.put(kind, byOutcome);
      output.put(
          kind,
          Counter.builder("procgate.output")
              .description("Bytes processes wrote to stdout and stderr, kept or not")
              .baseUnit("bytes")
              .tag("kind", name)
              .register(registry));
    }
    execDuration =
        Timer.builder("procgate.exec.duration")
            .description("From spawn to exit of each exec that ran")
            .serviceLevelObjectives(EXEC_BUCKETS)
            .register(registry);
    fileBytesRead =
        Counter.builder("procgate.file.read")
            .description("Bytes of files sent to clients: read_file and download_dir_zip")
            .baseUnit("bytes")
            .register(registry);
    fileBytesWritten =
        Counter.builder("procgate.file.written")
            .description("Bytes of request bodies written to files: write_file, upload, upload_zip")
            .baseUnit("bytes")
            .register(registry);
  }

  @Override
  public void ended(End end) {
    ends.get(end.kind()).get(end.outcome()).increment();
    if (end.outcome() == Outcome.FAILED_TO_START) {
      return;
    }
    output.get(end.kind()).increment(end.outputBytes());
    if (end.kind() == Kind.EXEC) {
      execDuration.record(end.duration());
    }
  }

  public void fileRead(long bytes) {
    fileBytesRead.increment(bytes);
  }

  public void fileWritten(long bytes) {
    fileBytesWritten.increment(bytes);
  }
}
