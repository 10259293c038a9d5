package io.procgate.core.internal.cgroup;

import com.sun.jna.Memory;
import io.procgate.core.internal.os.ProcessControl;
import java.nio.charset.StandardCharsets;

/**
 * The calling thread's kernel id, as the decimal text a cgroup's {@code tasks} file takes, in
 * native memory that a write takes as it is.
 */
final class ThreadIds {
  /** One thread's id. */
  record Text(Memory memory, int length) {}

  private static final ThreadLocal<Text> ID =
      ThreadLocal.withInitial(
          () -> {
            byte[] digits =
                Integer.toString(ProcessControl.threadId()).getBytes(StandardCharsets.US_ASCII);
            Memory memory = new Memory(digits.length);
            memory.write(0, digits, 0, digits.length);
            return new Text(memory, digits.length);
          });

  private ThreadIds() {}

  static Text current() {
    return ID.get();
  }
}
