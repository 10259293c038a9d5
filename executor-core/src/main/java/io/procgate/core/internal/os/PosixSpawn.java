package io.procgate.core.internal.os;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Starts a process with glibc's {@code posix_spawn}: one {@code clone(CLONE_VM|CLONE_VFORK)} and
 * one {@code execve}, no helper binary in between. The child becomes the leader of a new session
 * (and so of a new process group), starts with every signal at its default disposition and an empty
 * mask, and inherits no descriptor but 0, 1 and 2.
 */
public final class PosixSpawn {
  private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
  private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
  private static final short POSIX_SPAWN_SETSID = 0x80;
  private static final short POSIX_SPAWN_SETCGROUP = 0x100;
  private static final short COMMON_FLAGS =
      POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;

  // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128.
  private static final int FILE_ACTIONS_SIZE = 128;
  private static final int ATTRIBUTES_SIZE = 512;
  private static final int SIGSET_SIZE = 128;
  private static final String DEV_NULL = "/dev/null";

  // The same for every child, and only read by posix_spawn: made once, shared by every thread.
  private static final Memory ATTRIBUTES = attributes(COMMON_FLAGS);

  private PosixSpawn() {}

  /** What the child's descriptors 0, 1 and 2 are. */
  public sealed interface Stdio permits Pipes, Terminal {}

  /**
   * Separate descriptors for stdin, stdout and stderr.
   *
   * @param stdin the descriptor to become 0, or -1 for {@code /dev/null}
   */
  public record Pipes(int stdin, int stdout, int stderr) implements Stdio {}

  /** A terminal for all three; opening it in the new session makes it the controlling terminal. */
  public record Terminal(String path) implements Stdio {}

  /**
   * The whole description of a child.
   *
   * @param executable absolute path of the file to execute
   * @param argv the argument vector, {@code argv[0]} included
   * @param envp the environment, as {@code NAME=value} entries
   * @param cwd absolute path of the working directory
   * @param cgroup the cgroup v2 directory the child is to be born in, or null for the caller's own
   */
  public record Spec(
      String executable,
      List<String> argv,
      List<String> envp,
      String cwd,
      Stdio stdio,
      Cgroup cgroup) {
    public Spec(String executable, List<String> argv, List<String> envp, String cwd, Stdio stdio) {
      this(executable, argv, envp, cwd, stdio, null);
    }

    /** This child, born in {@code cgroup}. */
    public Spec bornIn(Cgroup cgroup) {
      return new Spec(executable, argv, envp, cwd, stdio, cgroup);
    }
  }

  /**
   * A cgroup v2 directory that children are born in: a descriptor of it, and the attributes that
   * name it beside the common ones, made once for all its children. Close it once no more children
   * are to start there; see {@link #canBeBornInCgroup}.
   */
  public static final class Cgroup implements AutoCloseable {
    private final int directory;
    private final Memory attributes;

    private Cgroup(int directory, Memory attributes) {
      this.directory = directory;
      this.attributes = attributes;
    }

    /**
     * @param directory the cgroup's directory
     * @throws OsException when it cannot be opened
     */
    public static Cgroup open(String directory) {
      int fd = FileDescriptors.openDirectory(directory);
      try {
        Memory attributes = attributes((short) (COMMON_FLAGS | POSIX_SPAWN_SETCGROUP));
        check(
            "posix_spawnattr_setcgroup_np",
            LibC.POSIX_SPAWNATTR_SETCGROUP_NP.invokeInt(new Object[] {attributes, fd}));
        return new Cgroup(fd, attributes);
      } catch (RuntimeException e) {
        FileDescriptors.close(fd);
        throw e;
      }
    }

    @Override
    public void close() {
      FileDescriptors.close(directory);
    }
  }

  /**
   * Whether this libc can start a child inside a given cgroup ({@code clone3} with {@code
   * CLONE_INTO_CGROUP}, glibc 2.39 and newer). The kernel must allow it too (Linux 5.7 and newer,
   * and no filter of {@code clone3}), which only a spawn tells.
   */
  public static boolean canBeBornInCgroup() {
    return LibC.POSIX_SPAWNATTR_SETCGROUP_NP != null;
  }

  /**
   * Starts the child described by {@code spec}.
   *
   * @return the child's pid, which is also its process group and session id
   * @throws OsException with the {@code errno} of the first step that failed: changing directory,
   *     opening descriptors or {@code execve} itself ({@code ENOENT}, {@code EACCES}, ...)
   */
  public static int spawn(Spec spec) {
    try (Arena arena = new Arena(spec)) {
      Pointer fileActions = arena.take(FILE_ACTIONS_SIZE);
      check("posix_spawn_file_actions_init", LibC.posix_spawn_file_actions_init(fileActions));
      try {
        describeDescriptors(spec, fileActions, arena);
        int[] pid = new int[1];
        int error =
            LibC.posix_spawn(
                pid,
                arena.string(spec.executable()),
                fileActions,
                spec.cgroup() == null ? ATTRIBUTES : spec.cgroup().attributes,
                arena.strings(spec.argv()),
                arena.strings(spec.envp()));
        check("posix_spawn", error);
        return pid[0];
      } finally {
        LibC.posix_spawn_file_actions_destroy(fileActions);
      }
    }
  }

  private static void describeDescriptors(Spec spec, Pointer fileActions, Arena arena) {
    check(
        "posix_spawn_file_actions_addchdir_np",
        LibC.posix_spawn_file_actions_addchdir_np(fileActions, arena.string(spec.cwd())));
    if (spec.stdio() instanceof Pipes pipes) {
      if (pipes.stdin() < 0) {
        addOpen(fileActions, 0, DEV_NULL, FileDescriptors.O_RDONLY, arena);
      } else {
        addDup2(fileActions, pipes.stdin(), 0);
      }
      addDup2(fileActions, pipes.stdout(), 1);
      addDup2(fileActions, pipes.stderr(), 2);
    } else if (spec.stdio() instanceof Terminal terminal) {
      addOpen(fileActions, 0, terminal.path(), FileDescriptors.O_RDWR, arena);
      addDup2(fileActions, 0, 1);
      addDup2(fileActions, 0, 2);
    }
    check(
        "posix_spawn_file_actions_addclosefrom_np",
        LibC.posix_spawn_file_actions_addclosefrom_np(fileActions, 3));
  }

  /**
   * A new session, an empty signal mask, every signal at its default, and {@code flags}; never
   * destroyed (glibc's destroy frees nothing), left to the collector with their owner.
   */
  private static Memory attributes(short flags) {
    Memory attributes = new Memory(ATTRIBUTES_SIZE);
    check("posix_spawnattr_init", LibC.posix_spawnattr_init(attributes));
    try (Memory emptySet = new Memory(SIGSET_SIZE);
        Memory allSignals = new Memory(SIGSET_SIZE)) {
      LibC.sigemptyset(emptySet);
      LibC.sigfillset(allSignals);
      check("posix_spawnattr_setsigmask", LibC.posix_spawnattr_setsigmask(attributes, emptySet));
      check(
          "posix_spawnattr_setsigdefault",
          LibC.posix_spawnattr_setsigdefault(attributes, allSignals));
    }
    check("posix_spawnattr_setflags", LibC.posix_spawnattr_setflags(attributes, flags));
    return attributes;
  }

  private static void addDup2(Pointer fileActions, int fd, int target) {
    check(
        "posix_spawn_file_actions_adddup2",
        LibC.posix_spawn_file_actions_adddup2(fileActions, fd, target));
  }

  private static void addOpen(Pointer fileActions, int fd, String path, int flags, Arena arena) {
    check(
        "posix_spawn_file_actions_addopen",
        LibC.posix_spawn_file_actions_addopen(fileActions, fd, arena.string(path), flags, 0));
  }

  private static void check(String call, int error) {
    if (error != 0) {
      throw new OsException(call, error);
    }
  }

  /**
   * One native block for everything a spawn passes to libc: the structures, every string and both
   * string arrays, allocated at once and freed together when the spawn is over (left to JNA's
   * cleaner, it would wait for a collection, a few thousand spawns).
   */
  private static final class Arena implements AutoCloseable {
    private final Memory memory;
    private long next;

    Arena(Spec spec) {
      long size = FILE_ACTIONS_SIZE;
      size += bytes(spec.executable()) + bytes(spec.cwd()) + bytes(DEV_NULL);
      if (spec.stdio() instanceof Terminal terminal) {
        size += bytes(terminal.path());
      }
      size += arrayBytes(spec.argv()) + arrayBytes(spec.envp());
      // Room for aligning each of the pieces, at most one per string plus the fixed ones.
      size += 8L * (spec.argv().size() + spec.envp().size() + 16);
      memory = new Memory(size);
    }

    Pointer take(long size) {
      long at = (next + 7) & ~7L;
      next = at + size;
      return memory.share(at, size);
    }

    Pointer string(String value) {
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      for (byte b : utf8) {
        if (b == 0) {
          throw new IllegalArgumentException("NUL byte in a C string");
        }
      }
      Pointer pointer = take(utf8.length + 1L);
      pointer.write(0, utf8, 0, utf8.length);
      pointer.setByte(utf8.length, (byte) 0);
      return pointer;
    }

    Pointer strings(List<String> values) {
      Pointer array = take((long) (values.size() + 1) * Native.POINTER_SIZE);
      for (int i = 0; i < values.size(); i++) {
        array.setPointer((long) i * Native.POINTER_SIZE, string(values.get(i)));
      }
      array.setPointer((long) values.size() * Native.POINTER_SIZE, null);
      return array;
    }

    @Override
    public void close() {
      memory.close();
    }

    private static long bytes(String value) {
      // UTF-8 takes at most three bytes per UTF-16 unit; then the NUL.
      return 3L * value.length() + 1;
    }

    private static long arrayBytes(List<String> values) {
      long size = (long) (values.size() + 1) * Native.POINTER_SIZE;
      for (String value : values) {
        size += bytes(value);
      }
      return size;
    }
  }
}
