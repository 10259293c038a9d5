package io.procgate.server.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's error table says exactly what {@link ErrorCode} does. */
class ErrorCatalogueTest {
  private static final Pattern ROW = Pattern.compile("^\\| (\\d{3}) \\| (.*) \\|$");
  private static final Pattern CODE = Pattern.compile("`([a-z0-9_]+)`");

  @Test
  void theReadmeTableListsEveryCodeUnderItsStatus() throws Exception {
    Map<Integer, Set<String>> documented = new TreeMap<>();
    Set<String> documentedRetryable = new TreeSet<>();
    for (String row : errorTable()) {
      Matcher matcher = ROW.matcher(row);
      assertThat(matcher.matches()).as("a row of one status: " + row).isTrue();
      int status = Integer.parseInt(matcher.group(1));
      for (String cell : matcher.group(2).split(", ")) {
        Matcher code = CODE.matcher(cell);
        assertThat(code.find()).as("a code in " + cell).isTrue();
        documented.computeIfAbsent(status, s -> new TreeSet<>()).add(code.group(1));
        if (cell.contains("retryable")) {
          documentedRetryable.add(code.group(1));
        }
      }
    }

    Map<Integer, Set<String>> actual =
        Arrays.stream(ErrorCode.values())
            .collect(
                Collectors.groupingBy(
                    ErrorCode::status,
                    TreeMap::new,
                    Collectors.mapping(ErrorCode::code, Collectors.toCollection(TreeSet::new))));
    assertThat(documented).isEqualTo(actual);
    assertThat(documentedRetryable)
        .isEqualTo(
            Arrays.stream(ErrorCode.values())
                .filter(ErrorCode::retryable)
                .map(ErrorCode::code)
                .collect(Collectors.toCollection(TreeSet::new)));
  }

  private static List<String> errorTable() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
    int heading = lines.indexOf("## Errors");
    assertThat(heading).as("the README's Errors section").isNotNegative();
    List<String> table =
        lines.subList(heading, lines.size()).stream()
            .dropWhile(line -> !line.startsWith("| Status"))
            .skip(2)
            .takeWhile(line -> line.startsWith("|"))
            .toList();
    assertThat(table).isNotEmpty();
    return table;
  }
}
