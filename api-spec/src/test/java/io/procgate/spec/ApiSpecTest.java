package io.procgate.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document is valid, and keeps the operation the project started from exactly as Kernel
 * published it: additions to it are optional fields, its 401 and documentation only.
 */
class ApiSpecTest {
  private static final String SPEC = "openapi/procgate.yaml";
  private static final String SEED = "seed-process-exec.yaml";
  private static final String SEED_PATH = "/browsers/{id}/process/exec";
  private static final List<String> SEED_SCHEMAS =
      List.of("ProcessExecRequest", "ProcessExecResult", "Error", "ErrorDetail");

  private static JsonNode yaml(String resource) throws IOException {
    try (InputStream in = ApiSpecTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return new ObjectMapper(new YAMLFactory()).readTree(in);
    }
  }

  @Test
  void theParserAcceptsTheDocumentWithoutAnyMessage() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    String location = ApiSpecTest.class.getClassLoader().getResource(SPEC).toString();

    SwaggerParseResult result = new OpenAPIV3Parser().readLocation(location, null, options);

    assertThat(result.getMessages()).isEmpty();
    assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
  }

  @Test
  void everyOperationHasAnIdATagAnd401() {
    OpenAPI api =
        new OpenAPIV3Parser().read(ApiSpecTest.class.getClassLoader().getResource(SPEC).toString());

    List<Operation> operations = new ArrayList<>();
    api.getPaths().values().forEach(item -> operations.addAll(item.readOperations()));
    assertThat(operations).hasSizeGreaterThanOrEqualTo(5);
    for (Operation operation : operations) {
      assertThat(operation.getOperationId()).isNotBlank();
      assertThat(operation.getTags()).hasSize(1);
      assertThat(operation.getResponses()).as(operation.getOperationId()).containsKey("401");
    }
  }

  @Test
  void theSeedOperationIsUnchanged() throws IOException {
    JsonNode seed = yaml(SEED).path("paths").path(SEED_PATH).path("post");
    JsonNode ours = yaml(SPEC).path("paths").path(SEED_PATH).path("post");

    assertContains(seed, ours, "processExec");
    Set<String> added = fieldNames(ours);
    added.removeAll(fieldNames(seed));
    assertThat(added).as("fields added to the operation").isSubsetOf("description");
    Set<String> addedResponses = fieldNames(ours.path("responses"));
    addedResponses.removeAll(fieldNames(seed.path("responses")));
    assertThat(addedResponses).as("responses added to the operation").containsExactly("401");
  }

  @Test
  void theSeedSchemasAreUnchangedBarOptionalAdditions() throws IOException {
    JsonNode seed = yaml(SEED).path("components").path("schemas");
    JsonNode ours = yaml(SPEC).path("components").path("schemas");

    for (String name : SEED_SCHEMAS) {
      assertContains(seed.path(name), ours.path(name), name);
      assertThat(ours.path(name).path("required"))
          .as(name + " requires no more than the seed")
          .isEqualTo(seed.path(name).path("required"));
    }
  }

  @Test
  void theSeedsResponsesAndSecuritySchemeAreUnchanged() throws IOException {
    JsonNode seed = yaml(SEED).path("components");
    JsonNode ours = yaml(SPEC).path("components");

    for (String response : List.of("BadRequest", "NotFound", "InternalError")) {
      assertThat(ours.path("responses").path(response))
          .isEqualTo(seed.path("responses").path(response));
    }
    assertThat(ours.path("securitySchemes")).isEqualTo(seed.path("securitySchemes"));
  }

  /** Every field of {@code expected}, recursively, is in {@code actual} with the same value. */
  private static void assertContains(JsonNode expected, JsonNode actual, String where) {
    assertThat(actual.isMissingNode()).as(where + " is missing").isFalse();
    if (expected.isObject()) {
      assertThat(actual.isObject()).as(where + " is an object").isTrue();
      Iterator<Map.Entry<String, JsonNode>> fields = expected.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        assertContains(field.getValue(), actual.path(field.getKey()), where + "." + field.getKey());
      }
    } else {
      assertThat(actual).as(where).isEqualTo(expected);
    }
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new java.util.TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
