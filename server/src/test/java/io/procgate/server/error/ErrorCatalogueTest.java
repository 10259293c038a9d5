package io.procgate.server.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The catalogue in {@code docs/errors.md} says exactly what {@link ErrorCode} does. */
class ErrorCatalogueTest {
  private static final Path CATALOGUE = Path.of("..", "docs", "errors.md");
  private static final Pattern ROW =
      Pattern.compile("^\\| `([a-z0-9_]+)` \\| (\\d{3}) \\| (yes|no) \\| \\S.* \\|$");

  /** What a row promises of a code: its status and whether the SDKs retry it. */
  private record Entry(int status, boolean retried) {}

  @Test
  void everyCodeHasOneRowWithItsStatusAndRetryAndAMeaning() throws Exception {
    Map<String, Entry> documented = new TreeMap<>();
    for (String row : catalogueRows()) {
      Matcher matcher = ROW.matcher(row);
      assertThat(matcher.matches()).as("a row of code, status, retried, meaning: " + row).isTrue();
      Entry previous =
          documented.put(
              matcher.group(1),
              new Entry(Integer.parseInt(matcher.group(2)), matcher.group(3).equals("yes")));
      assertThat(previous).as("a second row for " + matcher.group(1)).isNull();
    }

    Map<String, Entry> actual =
        Arrays.stream(ErrorCode.values())
            .collect(
                Collectors.toMap(
                    ErrorCode::code,
                    code -> new Entry(code.status(), code.retryable()),
                    (a, b) -> a,
                    TreeMap::new));
    assertThat(documented).isEqualTo(actual);
  }

  private static List<String> catalogueRows() throws Exception {
    List<String> table =
        Files.readAllLines(CATALOGUE).stream()
            .dropWhile(line -> !line.startsWith("| `code` |"))
            .skip(2)
            .takeWhile(line -> line.startsWith("|"))
            .toList();
    assertThat(table).as("the table of " + CATALOGUE).isNotEmpty();
    return table;
  }
}
