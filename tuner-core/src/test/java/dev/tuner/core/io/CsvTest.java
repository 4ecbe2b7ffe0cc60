package dev.tuner.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.data.MeasurementCsv;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
  private static List<Csv.Row> read(String text) {
    return Csv.read(new StringReader(text), "f.csv");
  }

  @Test
  void quotedFieldsKeepCommasQuotesAndTheirStartLine() {
    List<Csv.Row> rows = read("a,b\r\n\n\"x, \"\"y\"\"\",2\n3,\n");
    assertThat(rows).containsExactly(
        new Csv.Row(1, List.of("a", "b")),
        new Csv.Row(3, List.of("x, \"y\"", "2")),
        new Csv.Row(4, List.of("3", "")));
  }

  @Test
  void lineNumbersFollowAMultiLineField() {
    List<Csv.Row> rows = read("a,b\n\"1\n2\",3\n4,5");
    assertThat(rows).extracting(Csv.Row::line).containsExactly(1, 2, 4);
  }

  @Test
  void textAfterAClosingQuoteIsRefusedWithItsLine() {
    assertThatThrownBy(() -> read("a,b\n1,2\n\"x\"y,3\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("f.csv:3").hasMessageContaining("text after a closing quote");
  }

  @Test
  void anUnterminatedQuoteIsRefusedWithTheLineItOpensOn() {
    assertThatThrownBy(() -> read("a,b\n1,2\n3,\"open\n4,5\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("f.csv:3").hasMessageContaining("unterminated quoted field");
  }

  @Test
  void aDuplicatedHeaderColumnIsRefused() {
    Csv.Row header = read("device,tokens_per_s,Tokens_Per_S\n").get(0);
    assertThatThrownBy(() -> Csv.header(header, "f.csv"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("f.csv:1 header").hasMessageContaining("tokens_per_s twice (columns 2 and 3)");
  }

  /** The case: a stray quote in notes swallowed the next lines into one field, 13 lines read as 8 rows. */
  @Test
  void aStrayQuoteSwallowingLinesIsRefusedInMeasurements() {
    String csv = """
        device,model,quant,batch,context,phase,tokens_per_s,notes
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,120,"17" screen
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,121,ok
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,122,closing"
        """;
    assertThatThrownBy(() -> MeasurementCsv.read(new StringReader(csv), "m.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("m.csv:2")
        .hasMessageContaining("text after a closing quote");
    String merged = """
        device,model,quant,batch,context,phase,tokens_per_s,notes
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,120,"opened
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,121,ok
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,122,closed"
        """;
    assertThatThrownBy(() -> MeasurementCsv.read(new StringReader(merged), "m.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("m.csv:2")
        .hasMessageContaining("lines 2-4").hasMessageContaining("look like whole records");
  }

  @Test
  void aRowWithAnExtraFieldIsRefusedInMeasurements() {
    String csv = """
        device,model,quant,batch,context,phase,tokens_per_s
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,120,5
        """;
    assertThatThrownBy(() -> MeasurementCsv.read(new StringReader(csv), "m.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("m.csv:2 = 8 fields is invalid: expected at most 7");
  }

  @Test
  void aSecondTokensColumnIsRefusedInMeasurements() {
    String csv = """
        device,model,quant,batch,context,phase,tokens_per_s,tokens_per_s
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,120,5
        """;
    assertThatThrownBy(() -> MeasurementCsv.read(new StringReader(csv), "m.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("tokens_per_s twice");
  }
}
