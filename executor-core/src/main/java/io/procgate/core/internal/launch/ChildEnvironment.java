package io.procgate.core.internal.launch;

import io.procgate.core.Account;
import io.procgate.core.ExecutorSettings;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessException.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a child's environment from nothing: a fixed base for its user, the owner's variables, then
 * the request's. Nothing of the server's own environment is ever copied.
 */
final class ChildEnvironment {
  private ChildEnvironment() {}

  static Map<String, String> build(
      ExecutorSettings settings,
      Account user,
      boolean terminal,
      Map<String, String> ownerEnv,
      Map<String, String> requestEnv) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", settings.path());
    env.put("HOME", user.home());
    env.put("USER", user.name());
    env.put("LOGNAME", user.name());
    env.put("SHELL", user.shell().isEmpty() ? "/bin/sh" : user.shell());
    env.put("LANG", settings.lang());
    env.put("TERM", terminal ? "xterm-256color" : "dumb");
    putAll(env, ownerEnv);
    putAll(env, requestEnv);
    return env;
  }

  static List<String> toEntries(Map<String, String> env) {
    List<String> entries = new ArrayList<>(env.size());
    env.forEach((name, value) -> entries.add(name + "=" + value));
    return entries;
  }

  private static void putAll(Map<String, String> env, Map<String, String> variables) {
    variables.forEach(
        (name, value) -> {
          if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw new ProcessException(
                Kind.INVALID_REQUEST,
                "invalid environment variable name '" + printable(name) + "'");
          }
          if (value.indexOf('\0') >= 0) {
            throw new ProcessException(
                Kind.INVALID_REQUEST, "environment variable " + name + " contains a NUL byte");
          }
          env.put(name, value);
        });
  }

  private static String printable(String name) {
    String shown = name.replace("\0", "\\0");
    return shown.length() > 64 ? shown.substring(0, 64) + "..." : shown;
  }
}
