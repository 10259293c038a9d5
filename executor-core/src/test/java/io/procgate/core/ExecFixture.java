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

  Requests command(String command, String... args) {
    return Requests.command(dir, command, args);
  }

  ExecResult run(Requests request)
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

  @Override
  public void close() throws Exception {
    executor.terminateAll(owner).get(30, TimeUnit.SECONDS);
    executor.close();
  }
}
