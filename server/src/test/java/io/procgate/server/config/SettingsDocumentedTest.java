package io.procgate.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every setting of {@link ProcgateConfig} is in the tables of {@code docs/configuration.md} and in
 * the shipped file.
 */
class SettingsDocumentedTest {
  private static final Path MODULE = Path.of("").toAbsolutePath();

  @Test
  void everySettingIsInTheConfigurationDocAndInConfProcgateProperties() throws IOException {
    List<String> settings = new ArrayList<>();
    collect(ProcgateConfig.class, "procgate.", settings);
    assertThat(settings).hasSizeGreaterThan(40).contains("procgate.exec.kill-grace");

    String doc = Files.readString(MODULE.resolveSibling("docs").resolve("configuration.md"));
    String conf = Files.readString(MODULE.resolve("src/main/dist/conf/procgate.properties"));
    for (String setting : settings) {
      assertThat(doc).as("docs/configuration.md").contains("| `" + setting + "` |");
      assertThat(conf).as("conf/procgate.properties").containsPattern("(?m)^#" + setting + "=");
    }
    assertThat(conf).as("no setting is on by the file itself").doesNotContainPattern("(?m)^[a-z]");
  }

  private static void collect(Class<?> group, String prefix, List<String> into) {
    for (Method method : group.getDeclaredMethods()) {
      String name = prefix + kebab(method.getName());
      Class<?> type = method.getReturnType();
      if (type.isInterface() && type.getEnclosingClass() == ProcgateConfig.class) {
        collect(type, name + ".", into);
      } else {
        into.add(name);
      }
    }
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }
}
