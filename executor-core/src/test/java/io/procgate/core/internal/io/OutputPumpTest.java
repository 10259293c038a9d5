package io.procgate.core.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import io.procgate.core.internal.os.FileDescriptors;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class OutputPumpTest {
  private final EventLoop loop = new EventLoop("test-loop");

  @AfterEach
  void stop() {
    loop.close();
  }

  @Test
  void stoppingAPumpFirstTakesWhatThePipeAlreadyHolds() throws Exception {
    FileDescriptors.Pipe pipe = FileDescriptors.pipe();
    FileDescriptors.setNonBlocking(pipe.readEnd());
    byte[] pending = new byte[60 * 1024];
    java.util.Arrays.fill(pending, (byte) 'x');
    Memory data = new Memory(pending.length);
    data.write(0, pending, 0, pending.length);
    assertThat(FileDescriptors.write(pipe.writeEnd(), data, pending.length))
        .isEqualTo(pending.length);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    CompletableFuture<Integer> ended = new CompletableFuture<>();
    OutputPump pump =
        new OutputPump(
            loop,
            pipe.readEnd(),
            new OutputPump.Sink() {
              @Override
              public void onData(ByteBuffer chunk) {
                byte[] bytes = new byte[chunk.remaining()];
                chunk.get(bytes);
                received.writeBytes(bytes);
              }

              @Override
              public void onEnd() {
                ended.complete(received.size());
              }
            });

    // Stopped in the same task that started it: the loop never got to read on its own.
    loop.execute(
        () -> {
          pump.start();
          pump.stop();
        });

    assertThat(ended.get(5, TimeUnit.SECONDS)).isEqualTo(pending.length);
    FileDescriptors.close(pipe.writeEnd());
  }
}
