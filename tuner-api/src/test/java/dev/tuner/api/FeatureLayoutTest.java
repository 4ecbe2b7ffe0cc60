package dev.tuner.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureLayoutTest {
  private static final SchemaRef REF = new SchemaRef("s", "a".repeat(64));

  @Test
  void slotsAreFoundByNameAndNamesBySlot() {
    FeatureLayout layout = new FeatureLayout(REF, List.of("bandwidth", "is_prefill", "batch"));
    assertThat(layout.width()).isEqualTo(3);
    assertThat(layout.slot("is_prefill")).isEqualTo(1);
    assertThat(layout.name(2)).isEqualTo("batch");
    assertThat(layout.has("batch")).isTrue();
    assertThat(layout.has("depth")).isFalse();
    assertThatThrownBy(() -> layout.slot("depth")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("depth").hasMessageContaining("bandwidth, is_prefill, batch");
    assertThatThrownBy(() -> layout.name(3)).isInstanceOf(InvalidInputException.class).hasMessageContaining("slot");
  }

  @Test
  void repeatedOrBlankNamesAreRefusedNamingTheSlot() {
    assertThatThrownBy(() -> new FeatureLayout(REF, List.of("a", "b", "a")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("slot 2").hasMessageContaining("slot 0");
    assertThatThrownBy(() -> new FeatureLayout(REF, List.of("a", " ")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("slot 1");
    assertThatThrownBy(() -> new FeatureLayout(REF, List.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("width");
  }

  /** The names are copied in: the caller's list changing afterwards changes nothing, and the view is read-only. */
  @Test
  void theNamesCannotBeChangedThroughTheListGivenOrTheListReturned() {
    List<String> names = new ArrayList<>(List.of("x", "y"));
    FeatureLayout layout = new FeatureLayout(REF, names);
    names.set(0, "changed");
    assertThat(layout.names()).containsExactly("x", "y");
    assertThatThrownBy(() -> layout.names().set(0, "z")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aPositionalLayoutNamesSlotsByTheirIndex() {
    assertThat(FeatureLayout.positional(REF, 3).names()).containsExactly("0", "1", "2");
  }

  @Test
  void aPayloadRefusesALayoutOfAnotherSchemaOrWidth() {
    ModelInfo info = new ModelInfo("m", "p", REF, OutputKind.TOKENS_PER_SECOND, 2);
    ModelPayload ok = new ModelPayload(info, new byte[] {1}, new FeatureLayout(REF, List.of("x", "y")));
    assertThat(ok.layout().slot("y")).isEqualTo(1);
    assertThatThrownBy(() -> new ModelPayload(info, new byte[0], new FeatureLayout(REF, List.of("x"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("1 features")
        .hasMessageContaining("2 features");
    SchemaRef other = new SchemaRef("t", "b".repeat(64));
    assertThatThrownBy(() -> new ModelPayload(info, new byte[0], new FeatureLayout(other, List.of("x", "y"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(other.toString());
  }
}
