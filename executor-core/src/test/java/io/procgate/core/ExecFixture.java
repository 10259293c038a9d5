package io.procgate.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs synchronous executions for tests and reads their results. */
final class ExecFixture implements AutoCloseable {
  final ProcessExecutor executor;
  final ProcessTable owner;
  final Path dir;

  ExecFixture(ExecutorSettings settings, Path dir) {
    this.executor = new ProcessExecutor(settings);
    this.owner = executor.newTable();
    this.dir = dir;
  }

  /** Its owner one as a session is, whose processes {@code events} hear of: not the server's. */
  ExecFixture(ExecutorSettings settings, Path dir, ProcessEvents events) {
    this.executor = new ProcessExecutor(settings, events);
    this.owner = executor.newTable("events-" + System.nanoTime(), dir);
    this.dir = dir;
  }

  LaunchRequest.Builder command(String command, String... args) {
    return LaunchRequest.builder(command, dir).args(args);
  }

  ExecResult run(LaunchRequest.Builder request)
      throws InterruptedException, ExecutionException, TimeoutException {
    return executor.exec(request.build(), owner).result().get(30, TimeUnit.SECONDS);
  }

  ExecResult run(String command, String... args)
      throws InterruptedException, ExecutionException, TimeoutException {
    return run(command(command, args));
  }

  static String stdout(ExecResult result) {
    return new String(result.stdout().bytes(), StandardCharsets.UTF_8);
  }

  static String stderr(ExecResult result) {
    return new String(result.stderr().bytes(), StandardCharsets.UTF_8);
  }

  /** Whether process {@code pid} exists and is not a zombie. */
  static boolean alive(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /**
   * The states of the processes of group {@code pgid}, one letter each as {@code /proc} shows them
   * ({@code T} for stopped), in pid order.
   */
  static String groupStates(int pgid) throws java.io.IOException {
    StringBuilder states = new StringBuilder();
    try (var entries = Files.list(Path.of("/proc"))) {
      for (Path entry : (Iterable<Path>) entries.sorted()::iterator) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(entry.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (Integer.parseInt(fields[2]) == pgid) {
            states.append(fields[0]);
          }
        } catch (java.io.IOException gone) {
          // The process ended while we looked.
        }
      }
    }
    return states.toString();
  }

  @Override
  public void close() throws Exception {
    executor.terminateAll(owner).get(30, TimeUnit.SECONDS);
    executor.close();
  }
}
