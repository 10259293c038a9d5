package io.procgate.core.internal.io;

import com.sun.jna.Memory;
import io.procgate.core.internal.os.Epoll;
import io.procgate.core.internal.os.EventFd;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Queue;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread that waits in epoll on every descriptor the executor watches, and runs timers and
 * submitted tasks.
 *
 * <p>Threading contract: {@link #execute}, {@link #schedule} and {@link #register} may be called
 * from any thread; {@link #modify}, {@link #unregister} and {@link #readBuffer} only from the loop
 * thread, that is from a callback or a task. Every callback, task and timer runs on the loop
 * thread, one at a time, in submission order for tasks and deadline order for timers; none may
 * block. A callback that throws is logged and the loop goes on.
 *
 * <p>Registering and scheduling from another thread does not wake the loop unless it must: a
 * registered descriptor's readiness wakes it by itself, and a timer is queued for the loop's next
 * turn unless the loop sleeps past its deadline. An exec is started that way from the thread that
 * spawned it: this one would otherwise be woken on every exec for nothing but the registrations,
 * next to the child starting.
 */
public final class EventLoop implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
  private static final int READ_BUFFER_SIZE = 256 * 1024;
  private static final long AWAKE = Long.MIN_VALUE;
  // A wait without a timer ends no sooner than this: far enough never to be a deadline's.
  private static final long FOREVER_NANOS = Long.MAX_VALUE / 4;

  /** What a watched descriptor's owner does when epoll reports it ready. */
  @FunctionalInterface
  public interface Readiness {
    void onReady(int events);
  }

  /**
   * A pending timer; cancelling one that already ran does nothing. A cancelled timer leaves the
   * loop at once: it would otherwise keep whatever its task refers to until its deadline.
   */
  public interface Timer {
    void cancel();
  }

  private final Epoll epoll = new Epoll(256);
  private final EventFd wakeup = new EventFd();
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Map<Integer, Watch> watched = new ConcurrentHashMap<>();
  private final AtomicLong registrations = new AtomicLong();
  private final NavigableSet<ScheduledTask> timers = new TreeSet<>();
  private final Memory readBuffer = new Memory(READ_BUFFER_SIZE);
  private final Thread thread;
  private volatile boolean running = true;
  // The nanoTime the loop sleeps until, or AWAKE while it runs (it then takes queued tasks before
  // it sleeps again). Written before the loop's last look at the task queue and read after a
  // producer's queueing: either the loop sees the task or the producer sees the sleep.
  private volatile long sleepsUntil = AWAKE;
  private long timerSequence;

  public EventLoop(String threadName) {
    epoll.add(wakeup.fd(), Epoll.IN);
    thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Runs {@code task} on the loop thread, after the tasks submitted before it. */
  public void execute(Runnable task) {
    tasks.add(task);
    if (!inLoop()) {
      wake();
    }
  }

  private void wake() {
    if (wakeupPending.compareAndSet(false, true)) {
      wakeup.signal();
    }
  }

  /** Runs {@code task} on the loop thread once {@code delay} has passed, unless cancelled. */
  public Timer schedule(Duration delay, Runnable task) {
    ScheduledTask timer = new ScheduledTask(System.nanoTime() + delay.toNanos(), task);
    if (inLoop()) {
      addTimer(timer);
    } else {
      tasks.add(() -> addTimer(timer));
      long until = sleepsUntil;
      if (until != AWAKE && timer.deadline - until < 0) {
        wake();
      }
    }
    return timer;
  }

  /**
   * Watches {@code fd} for {@code interest} (see {@link Epoll}), from any thread. {@code readiness}
   * may run before this returns, on the loop thread: what it reads must be set up before the call.
   */
  public void register(int fd, int interest, Readiness readiness) {
    Watch watch = new Watch(readiness, registrations.getAndIncrement());
    watched.put(fd, watch);
    try {
      epoll.add(fd, interest);
    } catch (RuntimeException e) {
      watched.remove(fd, watch);
      throw e;
    }
  }

  /** Changes what {@code fd} is watched for; loop thread only. */
  public void modify(int fd, int interest) {
    requireLoopThread();
    epoll.modify(fd, interest);
  }

  /** Stops watching {@code fd}; call before closing it. Loop thread only. */
  public void unregister(int fd) {
    requireLoopThread();
    if (watched.remove(fd) != null) {
      epoll.remove(fd);
    }
  }

  /**
   * The loop's scratch buffer for reads and writes; its content is valid until the callback
   * returns. Loop thread only.
   */
  public Memory readBuffer() {
    requireLoopThread();
    return readBuffer;
  }

  private void requireLoopThread() {
    if (!inLoop()) {
      throw new IllegalStateException("only the event loop thread may do this");
    }
  }

  private void addTimer(ScheduledTask timer) {
    if (!timer.cancelled) {
      timer.sequence = timerSequence++;
      timer.queued = true;
      timers.add(timer);
    }
  }

  private void removeTimer(ScheduledTask timer) {
    if (timer.queued) {
      timer.queued = false;
      timers.remove(timer);
    }
  }

  private void run() {
    while (running) {
      runTasks();
      long registeredBefore = registrations.get();
      int ready = epoll.await(millisToSleep());
      sleepsUntil = AWAKE;
      for (int i = 0; i < ready; i++) {
        int fd = epoll.fdAt(i);
        if (fd == wakeup.fd()) {
          // Drain, then clear: cleared first, a producer could set the flag and signal, and the
          // drain swallow that signal, leaving the flag set and nobody ever signalling again.
          // This way a producer that finds the flag still set has queued its task already, and
          // the loop runs the queue after clearing.
          wakeup.drain();
          wakeupPending.set(false);
          continue;
        }
        // A descriptor registered since the wait began can only have been reported for the one
        // of the same number that a callback of this turn closed, and another thread's new one
        // took the number: passed over, as level-triggered readiness of its own comes again.
        Watch watch = watched.get(fd);
        if (watch != null && watch.sequence() < registeredBefore) {
          int events = epoll.eventsAt(i);
          safely(() -> watch.readiness().onReady(events));
        }
      }
      runDueTimers();
    }
  }

  private void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      safely(task);
    }
  }

  /** How long the loop may sleep, published in {@link #sleepsUntil} first. */
  private int millisToSleep() {
    long now = System.nanoTime();
    int millis;
    if (timers.isEmpty()) {
      millis = -1;
      sleepsUntil = now + FOREVER_NANOS;
    } else {
      long nanos = timers.first().deadline - now;
      millis = nanos <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000);
      sleepsUntil = now + millis * 1_000_000L;
    }
    return tasks.isEmpty() ? millis : 0;
  }

  private void runDueTimers() {
    long now = System.nanoTime();
    while (!timers.isEmpty() && timers.first().deadline - now <= 0) {
      ScheduledTask next = timers.pollFirst();
      next.queued = false;
      next.cancelled = true;
      safely(next.task);
    }
  }

  /**
   * Runs a callback so that nothing it throws ends the loop: with the loop gone, every process the
   * executor watches would hang. That includes an OutOfMemoryError thrown again by the logging.
   */
  private static void safely(Runnable action) {
    try {
      action.run();
    } catch (Throwable failure) {
      try {
        LOG.log(Level.ERROR, "event loop callback failed", failure);
      } catch (Throwable ignored) {
        // Nothing left to report with; the loop must go on.
      }
    }
  }

  @Override
  public void close() {
    running = false;
    wakeup.signal();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    epoll.close();
    wakeup.close();
  }

  private record Watch(Readiness readiness, long sequence) {}

  private final class ScheduledTask implements Timer, Comparable<ScheduledTask> {
    private final long deadline;
    private final Runnable task;
    private long sequence;
    private boolean queued;
    private volatile boolean cancelled;

    ScheduledTask(long deadline, Runnable task) {
      this.deadline = deadline;
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
      if (inLoop()) {
        removeTimer(this);
      } else {
        execute(() -> removeTimer(this));
      }
    }

    @Override
    public int compareTo(ScheduledTask other) {
      int byDeadline = Long.compare(deadline - other.deadline, 0);
      return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
    }
  }
}
