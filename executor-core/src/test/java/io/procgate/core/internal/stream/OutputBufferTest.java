package io.procgate.core.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procgate.core.ExitStatus;
import io.procgate.core.OutputEvent;
import io.procgate.core.OutputEvent.Source;
import io.procgate.core.internal.io.EventLoop;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class OutputBufferTest {
  private static final Duration NO_HEARTBEAT = Duration.ofHours(1);
  private static EventLoop timers;
  private static ExecutorService delivery;

  @BeforeAll
  static void start() {
    timers = new EventLoop("test-timers");
    delivery = Executors.newFixedThreadPool(4);
  }

  @AfterAll
  static void stop() {
    delivery.shutdownNow();
    timers.close();
  }

  private static void append(OutputBuffer buffer, Source source, String text) {
    buffer.append(source, ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String text(List<OutputEvent> events, Source source) {
    return new String(Collector.bytes(events, source), StandardCharsets.US_ASCII);
  }

  private static Collector read(OutputBuffer buffer, long after, Collector collector) {
    buffer.subscribe(after, delivery, NO_HEARTBEAT, timers).subscribe(collector);
    return collector;
  }

  @Test
  void everySubscriberGetsEverythingInOrderWithTheExitLast() throws Exception {
    OutputBuffer buffer = new OutputBuffer(1 << 20);
    Collector early = read(buffer, 0, Collector.unbounded());
    Collector stepwise = read(buffer, 0, new Collector(1));

    append(buffer, Source.STDOUT, "one ");
    append(buffer, Source.STDERR, "err ");
    append(buffer, Source.STDOUT, "two");
    buffer.finish(ExitStatus.exited(3));
    Collector late = read(buffer, 0, Collector.unbounded());

    for (Collector collector : List.of(early, stepwise, late)) {
      List<OutputEvent> events = collector.done.get(5, TimeUnit.SECONDS);
      assertThat(text(events, Source.STDOUT)).isEqualTo("one two");
      assertThat(text(events, Source.STDERR)).isEqualTo("err ");
      assertThat(events.get(events.size() - 1))
          .isEqualTo(new OutputEvent.Exit(ExitStatus.exited(3), 11));
      assertThat(events.stream().filter(e -> e instanceof OutputEvent.Exit)).hasSize(1);
    }
  }

  @Test
  void aReaderResumingAfterAnOffsetGetsTheRestWithoutGapOrRepeat() throws Exception {
    OutputBuffer buffer = new OutputBuffer(1 << 20);
    append(buffer, Source.STDOUT, "abc");
    append(buffer, Source.STDOUT, "def");
    buffer.finish(ExitStatus.exited(0));

    List<OutputEvent> first = read(buffer, 0, new Collector(1)).done.get(5, TimeUnit.SECONDS);
    long afterFirst = ((OutputEvent.Output) first.get(0)).endOffset();
    List<OutputEvent> rest = read(buffer, 2, Collector.unbounded()).done.get(5, TimeUnit.SECONDS);

    assertThat(afterFirst).isEqualTo(6);
    assertThat(text(rest, Source.STDOUT)).isEqualTo("cdef");
    assertThat(read(buffer, 6, Collector.unbounded()).done.get(5, TimeUnit.SECONDS))
        .containsExactly(new OutputEvent.Exit(ExitStatus.exited(0), 6));
  }

  @Test
  void consecutiveChunksOfOneSourceAreMergedAndSourcesAreNot() throws Exception {
    OutputBuffer buffer = new OutputBuffer(1 << 20);
    append(buffer, Source.STDOUT, "a");
    append(buffer, Source.STDOUT, "b");
    append(buffer, Source.STDERR, "c");
    buffer.finish(ExitStatus.exited(0));

    List<OutputEvent> events = read(buffer, 0, Collector.unbounded()).done.get(5, TimeUnit.SECONDS);

    assertThat(events).hasSize(3);
    assertThat(((OutputEvent.Output) events.get(0)).data()).isEqualTo("ab".getBytes());
    assertThat(((OutputEvent.Output) events.get(1)).source()).isEqualTo(Source.STDERR);
  }

  @Test
  void whenTheBufferOverflowsTheOldestGoesAndReadersAreToldHowMuch() throws Exception {
    OutputBuffer buffer = new OutputBuffer(10);
    append(buffer, Source.STDOUT, "0123456789");
    append(buffer, Source.STDOUT, "abcdef");
    buffer.finish(ExitStatus.exited(0));

    List<OutputEvent> events = read(buffer, 0, Collector.unbounded()).done.get(5, TimeUnit.SECONDS);

    OutputEvent.Output first = (OutputEvent.Output) events.get(0);
    assertThat(first.droppedBefore()).isEqualTo(6);
    assertThat(text(events, Source.STDOUT)).isEqualTo("6789abcdef");
    assertThat(buffer.droppedBytes()).isEqualTo(6);
    assertThat(events).as("the retained tail and the next chunk, merged; then the exit").hasSize(2);
  }

  @Test
  void aSingleChunkLargerThanTheBufferKeepsItsTail() throws Exception {
    OutputBuffer buffer = new OutputBuffer(4);
    append(buffer, Source.STDOUT, "0123456789");
    buffer.finish(ExitStatus.exited(0));

    List<OutputEvent> events = read(buffer, 0, Collector.unbounded()).done.get(5, TimeUnit.SECONDS);

    assertThat(text(events, Source.STDOUT)).isEqualTo("6789");
    assertThat(((OutputEvent.Output) events.get(0)).droppedBefore()).isEqualTo(6);
  }

  @Test
  void aQuietReaderGetsHeartbeatsOnlyWhileNothingHappens() throws Exception {
    OutputBuffer buffer = new OutputBuffer(1 << 20);
    Collector collector = Collector.unbounded();
    buffer.subscribe(0, delivery, Duration.ofMillis(50), timers).subscribe(collector);

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                collector.events.stream().filter(e -> e instanceof OutputEvent.Heartbeat).count()
                    >= 2);
    append(buffer, Source.STDOUT, "x");
    buffer.finish(ExitStatus.exited(0));

    List<OutputEvent> events = collector.done.get(5, TimeUnit.SECONDS);
    assertThat(text(events, Source.STDOUT)).isEqualTo("x");
    assertThat(events.get(events.size() - 1)).isInstanceOf(OutputEvent.Exit.class);
  }

  @Test
  void aCancelledReaderGetsNothingMore() throws Exception {
    OutputBuffer buffer = new OutputBuffer(1 << 20);
    Collector collector = read(buffer, 0, Collector.unbounded());
    append(buffer, Source.STDOUT, "before");
    org.awaitility.Awaitility.await().until(() -> collector.events.size() == 1);

    collector.subscription().cancel();
    append(buffer, Source.STDOUT, "after");
    buffer.finish(ExitStatus.exited(0));

    // A delivery the cancelled reader was wrongly given is queued by now; once all four delivery
    // threads are seen busy at once with tasks queued after it, it has run.
    CountDownLatch allBusy = new CountDownLatch(4);
    List<Future<?>> markers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      markers.add(
          delivery.submit(
              () -> {
                allBusy.countDown();
                return allBusy.await(5, TimeUnit.SECONDS);
              }));
    }
    for (Future<?> marker : markers) {
      assertThat(marker.get(10, TimeUnit.SECONDS)).isEqualTo(true);
    }
    assertThat(collector.events).hasSize(1);
    assertThat(collector.done).isNotDone();
  }

  @Test
  void aPositionPastTheOutputIsRefused() {
    OutputBuffer buffer = new OutputBuffer(16);
    append(buffer, Source.STDOUT, "abc");

    assertThatThrownBy(() -> buffer.subscribe(4, delivery, NO_HEARTBEAT, timers))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> buffer.subscribe(-1, delivery, NO_HEARTBEAT, timers))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
