package dev.tuner.core.schema;

import dev.tuner.api.FeatureLayout;
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
 *
 * <p>A value class with the accessors, equality and text of a record over {@code (id, version, description,
 * slots)}; it is not a record only so that it can keep its hash: one SHA-256 per schema instead of one per call of
 * {@link #hash()} by loaders, trainers and exporters.
 */
public final class FeatureSchema {
  private final String id;
  private final int version;
  private final String description;
  private final List<Slot> slots;
  private final String hash;

  public FeatureSchema(String id, int version, String description, List<Slot> slots) {
    this.id = Objects.requireNonNull(id, "id");
    this.version = version;
    this.description = description;
    this.slots = List.copyOf(slots);
    this.hash = computeHash();
  }

  public String id() {
    return id;
  }

  public int version() {
    return version;
  }

  public String description() {
    return description;
  }

  public List<Slot> slots() {
    return slots;
  }

  public int width() {
    return slots.size();
  }

  public List<String> slotNames() {
    return slots.stream().map(Slot::name).toList();
  }

  /** Hex SHA-256 of the canonical description. */
  public String hash() {
    return hash;
  }

  private String computeHash() {
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

  /** The slot names in order, as plugins see the schema. */
  public FeatureLayout layout() {
    return new FeatureLayout(ref(), slotNames());
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

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureSchema other
        && id.equals(other.id)
        && version == other.version
        && Objects.equals(description, other.description)
        && slots.equals(other.slots);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, version, description, slots);
  }

  @Override
  public String toString() {
    return "FeatureSchema[id=" + id + ", version=" + version + ", description=" + description + ", slots=" + slots
        + "]";
  }
}
