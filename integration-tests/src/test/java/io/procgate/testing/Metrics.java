package io.procgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/** One scrape of a server's Prometheus endpoint: each series's value by its name and labels. */
public final class Metrics {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Map<String, Double> series;
  private final String text;

  private Metrics(Map<String, Double> series, String text) {
    this.series = series;
    this.text = text;
  }

  public static Metrics scrape(ServerProcess server) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(server.managementUri().resolve("/q/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("the scrape").isEqualTo(200);
    Map<String, Double> series = new HashMap<>();
    for (String line : response.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return new Metrics(series, response.body());
  }

  /** The value of {@code name{labels}}, as the exposition writes it, or 0 when it is absent. */
  public double value(String seriesName) {
    return series.getOrDefault(seriesName, 0.0);
  }

  public String text() {
    return text;
  }
}
