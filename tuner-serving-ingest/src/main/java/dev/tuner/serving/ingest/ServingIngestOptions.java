package dev.tuner.serving.ingest;

import dev.tuner.api.InvalidInputException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the user states about the benchmark that its output does not say (the GPU, the model, the precision, the
 * parallel layout, the lengths or the load), one value per column, and the source id of the rows (default
 * {@code ingest:<file name>}). A stated value fills a column the output leaves open; where the output states the
 * column too, the two must agree or the record is rejected, so that no option silently overrides a measured figure.
 * {@code attentionDp}: the attention groups the deployment ran ({@code --attention-dp}), which no benchmark output
 * states and serving.csv has no column for: written into the notes as {@code attention_dp=N}, which
 * {@link dev.tuner.serving.ServingCsv} reads.
 */
public record ServingIngestOptions(Map<ServingColumn, String> stated, Optional<String> sourceId,
    OptionalInt attentionDp) {
  /** Options without attention groups. */
  public ServingIngestOptions(Map<ServingColumn, String> stated, Optional<String> sourceId) {
    this(stated, sourceId, OptionalInt.empty());
  }

  public ServingIngestOptions {
    Objects.requireNonNull(sourceId, "sourceId");
    Objects.requireNonNull(attentionDp, "attentionDp");
    attentionDp.ifPresent(n -> InvalidInputException.requireInRange("--attention-dp", n, 1, 4096,
        "attention groups (a divisor of --tp)"));
    EnumMap<ServingColumn, String> copy = new EnumMap<>(ServingColumn.class);
    stated.forEach((column, value) -> {
      if (column.flag().isEmpty()) {
        throw new IllegalArgumentException(column.header() + " is not stated by an option");
      }
      if (value == null || value.isBlank()) {
        throw new InvalidInputException(column.flag().get(), "\"" + value + "\"", "a non-blank value");
      }
      copy.put(column, value.strip());
    });
    stated = Collections.unmodifiableMap(copy);
  }

  public static ServingIngestOptions none() {
    return new ServingIngestOptions(Map.of(), Optional.empty());
  }

  /** These options with {@code column} stated as {@code value}. */
  public ServingIngestOptions with(ServingColumn column, String value) {
    EnumMap<ServingColumn, String> more = new EnumMap<>(ServingColumn.class);
    more.putAll(stated);
    more.put(column, value);
    return new ServingIngestOptions(more, sourceId, attentionDp);
  }

  public ServingIngestOptions withSourceId(String id) {
    return new ServingIngestOptions(stated, Optional.of(id), attentionDp);
  }

  /** These options with {@code groups} attention groups. */
  public ServingIngestOptions withAttentionDp(int groups) {
    return new ServingIngestOptions(stated, sourceId, OptionalInt.of(groups));
  }
}
