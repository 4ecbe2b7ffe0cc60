package dev.tuner.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonErrorsTest {
  private static JsonProcessingException parse(String text) {
    try {
      new ObjectMapper().readTree(text);
    } catch (JsonProcessingException e) {
      return e;
    }
    throw new AssertionError("parsed: " + text);
  }

  @Test
  void aTruncatedObjectSaysWhereItStartedAndStoppedWithoutTheParsersSettings() {
    JsonProcessingException e = parse("{\n  \"a\": {\n    \"b\": 1");
    // Jackson's own message quotes the start marker's location as a disabled source setting
    assertThat(e.getOriginalMessage()).contains("REDACTED");
    String d = JsonErrors.describe(e);
    assertThat(d).doesNotContain("REDACTED", "StreamReadFeature", "[Source")
        .startsWith("Unexpected end-of-input: expected close marker for Object (start marker at line 2, column 8)")
        .endsWith(" at line 3, column 11");
  }

  @Test
  void anythingElseIsItsMessagesFirstLine() {
    assertThat(JsonErrors.describe(new IllegalStateException("first\nsecond"))).isEqualTo("first");
    assertThat(JsonErrors.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
    assertThat(JsonErrors.clean(null)).isEmpty();
  }
}
