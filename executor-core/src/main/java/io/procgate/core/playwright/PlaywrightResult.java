package io.procgate.core.playwright;

import java.util.Optional;

/**
 * What a run of Playwright code came to.
 *
 * @param outcome the runner's report, a JSON object: {@code success}, and {@code result} or {@code
 *     error}; empty when the run did not get as far as reporting
 * @param failure why there is no report: the code ran out of time, or Node.js ended first
 * @param stdout the code's output, the report left out
 */
public record PlaywrightResult(
    Optional<String> outcome, Optional<String> failure, String stdout, String stderr) {}
