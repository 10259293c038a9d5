/*
 * The baseline procgate is measured against: spawning a command directly, with posix_spawn and
 * pipes for stdout and stderr, reading both to the end and reaping the child.
 *
 *   spawn_baseline latency <calls> <threads> <command> [args...]
 *       prints: p50_us p99_us calls_per_second, then each call's nanoseconds, sorted, a line each
 *   spawn_baseline pipe <command> [args...]
 *       prints: stdout_bytes seconds
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char **command;
static long calls_per_thread;
static long *latencies_ns;

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Runs the command once; returns the bytes it wrote to stdout. */
static long run_once(void) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) { perror("pipe2"); exit(1); }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  pid_t pid;
  int rc = posix_spawn(&pid, command[0], &actions, NULL, command, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc) { fprintf(stderr, "posix_spawn: %s\n", strerror(rc)); exit(1); }
  close(out[1]);
  close(err[1]);
  static __thread char buf[1 << 18];
  long total = 0;
  struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open = 2;
  while (open > 0) {
    if (poll(fds, 2, -1) < 0 && errno != EINTR) { perror("poll"); exit(1); }
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd >= 0 && fds[i].revents) {
        ssize_t n = read(fds[i].fd, buf, sizeof buf);
        if (n > 0) { if (i == 0) total += n; }
        else { close(fds[i].fd); fds[i].fd = -1; open--; }
      }
    }
  }
  int status;
  waitpid(pid, &status, 0);
  return total;
}

static void *worker(void *arg) {
  long first = (long) arg * calls_per_thread;
  for (long i = 0; i < calls_per_thread; i++) {
    long start = now_ns();
    run_once();
    latencies_ns[first + i] = now_ns() - start;
  }
  return NULL;
}

static int by_value(const void *a, const void *b) {
  long x = *(const long *) a, y = *(const long *) b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc >= 5 && strcmp(argv[1], "latency") == 0) {
    long calls = atol(argv[2]);
    int threads = atoi(argv[3]);
    command = argv + 4;
    calls_per_thread = calls / threads;
    calls = calls_per_thread * threads;
    latencies_ns = calloc(calls, sizeof(long));
    pthread_t ids[threads];
    long start = now_ns();
    for (long t = 0; t < threads; t++) pthread_create(&ids[t], NULL, worker, (void *) t);
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    double seconds = (now_ns() - start) / 1e9;
    qsort(latencies_ns, calls, sizeof(long), by_value);
    printf("%.1f %.1f %.1f\n", latencies_ns[calls / 2] / 1e3, latencies_ns[calls * 99 / 100] / 1e3,
           calls / seconds);
    for (long i = 0; i < calls; i++) printf("%ld\n", latencies_ns[i]);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "pipe") == 0) {
    command = argv + 2;
    long start = now_ns();
    long bytes = run_once();
    printf("%ld %.6f\n", bytes, (now_ns() - start) / 1e9);
    return 0;
  }
  fprintf(stderr, "usage: %s latency <calls> <threads> <command...> | pipe <command...>\n", argv[0]);
  return 2;
}
