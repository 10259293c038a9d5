package io.procgate.core.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import io.procgate.core.internal.os.Epoll;
import io.procgate.core.internal.os.FileDescriptors;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class EventLoopTest {
  private final EventLoop loop = new EventLoop("test-loop");

  @AfterEach
  void stop() {
    loop.close();
  }

  @Test
  void everyTaskFromManyThreadsRunsPromptly() throws Exception {
    // Each thread waits for its task before submitting the next, so a lost wake-up stalls it.
    ExecutorService producers = Executors.newFixedThreadPool(8);
    List<Future<Integer>> stalls = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      stalls.add(
          producers.submit(
              () -> {
                for (int i = 0; i < 20_000; i++) {
                  CountDownLatch ran = new CountDownLatch(1);
                  loop.execute(ran::countDown);
                  if (!ran.await(2, TimeUnit.SECONDS)) {
                    return i;
                  }
                }
                return -1;
              }));
    }
    for (Future<Integer> stall : stalls) {
      assertThat(stall.get()).as("the task that never ran").isEqualTo(-1);
    }
    producers.shutdown();
  }

  @Test
  void timersRunInDeadlineOrderAndCancelledOnesNever() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    CountDownLatch last = new CountDownLatch(1);
    loop.schedule(Duration.ofMillis(60), () -> ran.add("60"));
    EventLoop.Timer cancelled = loop.schedule(Duration.ofMillis(40), () -> ran.add("cancelled"));
    loop.schedule(Duration.ofMillis(20), () -> ran.add("20"));
    loop.schedule(Duration.ofMillis(100), last::countDown);
    cancelled.cancel();

    assertThat(last.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).containsExactly("20", "60");
  }

  @Test
  void aTimerSetFromAnotherThreadWakesTheLoopOnlyWhenItWouldOversleep() throws Exception {
    // No timer at all: the loop sleeps until woken.
    CountDownLatch first = new CountDownLatch(1);
    loop.schedule(Duration.ofMillis(20), first::countDown);
    assertThat(first.await(5, TimeUnit.SECONDS)).as("a timer set while the loop sleeps").isTrue();

    // A timer an hour away: the loop sleeps until then unless the new one wakes it.
    loop.schedule(Duration.ofHours(1), () -> {});
    runOnLoop(() -> {});
    CountDownLatch sooner = new CountDownLatch(1);
    loop.schedule(Duration.ofMillis(20), sooner::countDown);
    assertThat(sooner.await(5, TimeUnit.SECONDS))
        .as("a timer due before the one the loop sleeps for")
        .isTrue();
  }

  @Test
  void aDescriptorRegisteredFromAnotherThreadIsWatchedOnTheLoop() throws Exception {
    FileDescriptors.Pipe pipe = FileDescriptors.pipe();
    FileDescriptors.setNonBlocking(pipe.readEnd());
    CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
    loop.register(
        pipe.readEnd(),
        Epoll.IN,
        events -> {
          loop.unregister(pipe.readEnd());
          onLoop.complete(loop.inLoop());
        });
    try (Memory data = new Memory(1)) {
      data.setByte(0, (byte) 'x');
      assertThat(FileDescriptors.write(pipe.writeEnd(), data, 1)).isEqualTo(1);
    }
    try {
      assertThat(onLoop.get(5, TimeUnit.SECONDS)).as("called on the loop thread").isTrue();
    } finally {
      FileDescriptors.close(pipe.readEnd());
      FileDescriptors.close(pipe.writeEnd());
    }
  }

  @Test
  void aCancelledTimerNoLongerHoldsItsTask() throws Exception {
    Object payload = new byte[1024];
    WeakReference<Object> held = new WeakReference<>(payload);
    loop.schedule(Duration.ofMinutes(30), () -> {});
    EventLoop.Timer timer = loop.schedule(Duration.ofHours(1), payload::hashCode);
    payload = null;
    runOnLoop(() -> {});
    timer.cancel();
    timer = null;
    runOnLoop(() -> {});

    for (int i = 0; i < 50 && held.get() != null; i++) {
      System.gc();
    }
    assertThat(held.get()).as("the cancelled timer's task, an hour before its deadline").isNull();
  }

  private void runOnLoop(Runnable task) throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);
    loop.execute(
        () -> {
          task.run();
          ran.countDown();
        });
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aTaskThatThrowsEvenAnErrorDoesNotStopTheLoop() throws Exception {
    CountDownLatch after = new CountDownLatch(1);
    loop.execute(
        () -> {
          throw new IllegalStateException("a failing callback, on purpose");
        });
    loop.execute(
        () -> {
          throw new OutOfMemoryError("not really, on purpose");
        });
    loop.execute(after::countDown);

    assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
  }
}
