package dev.tuner.api;

import java.util.Objects;

/**
 * Names a feature schema: its id and the hex SHA-256 of its content. Two schemas with the same id but a different
 * hash are different schemas, and a model trained on one is refused on the other.
 */
public record SchemaRef(String id, String hash) {
  public SchemaRef {
    Objects.requireNonNull(id, "schema id");
    Objects.requireNonNull(hash, "schema hash");
    if (id.isBlank()) {
      throw new InvalidInputException("schema id", "\"\"", "a non-empty identifier");
    }
    if (!hash.matches("[0-9a-f]{64}")) {
      throw new InvalidInputException("schema hash", hash, "64 lower-case hex digits (SHA-256)");
    }
  }

  @Override
  public String toString() {
    return id + "@" + hash.substring(0, 12);
  }
}
