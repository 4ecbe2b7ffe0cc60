package dev.tuner.core.schema;

import dev.tuner.api.SchemaRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A feature layout as data: id, version, slots. Its hash covers every slot's name, quantity and normalisation, so a
 * model trained on one layout is refused on any other, even under the same id.
 */
public record FeatureSchema(String id, int version, String description, List<Slot> slots) {
  public FeatureSchema {
    Objects.requireNonNull(id, "id");
    slots = List.copyOf(slots);
  }

  public int width() {
    return slots.size();
  }

  public List<String> slotNames() {
    return slots.stream().map(Slot::name).toList();
  }

  /** Hex SHA-256 of the canonical description. */
  public String hash() {
    StringBuilder b = new StringBuilder().append(id).append('|').append(version);
    for (Slot s : slots) {
      b.append('|').append(s.describe());
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  public SchemaRef ref() {
    return new SchemaRef(id, hash());
  }

  public int indexOf(String slotName) {
    for (int i = 0; i < slots.size(); i++) {
      if (slots.get(i).name().equals(slotName)) {
        return i;
      }
    }
    throw new IllegalArgumentException("schema " + id + " has no slot " + slotName);
  }
}
