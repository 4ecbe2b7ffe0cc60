package dev.tuner.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
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

  @Test
  void aQuoteInsideAnUnquotedFieldIsRefusedWithItsLineAndColumn() {
    assertThatThrownBy(() -> read("device,notes\nA,ok\nB,5\" screen\nC,fine\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("f.csv:3 column notes (field 2)")
        .hasMessageContaining("5\" screen")
        .hasMessageContaining("quotes only around a whole field, doubled inside it (RFC 4180)");
  }

  /** A quote after a space opens nothing in RFC 4180: Commons would keep both quotes as text. */
  @Test
  void aQuoteAfterASpaceIsRefusedToo() {
    assertThatThrownBy(() -> read("a,b\n1, \"x, y\"\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("f.csv:2 column b (field 2)");
  }

  /** The reader runs ahead of the parser; the quote is reported with its own line, not the line parsed last. */
  @Test
  void aStrayQuoteFarDownALongFileKeepsItsLine() {
    StringBuilder text = new StringBuilder("a,b\n");
    for (int i = 0; i < 5000; i++) {
      text.append(i).append(",\"quoted \"\"fine\"\"\"\n");
    }
    text.append("x,y\"z");
    assertThatThrownBy(() -> read(text.toString()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("f.csv:5002 column b (field 2)")
        .hasMessageContaining("y\"z");
  }

  @Test
  void aStrayQuoteInTheHeaderNamesItsFieldNumber() {
    assertThatThrownBy(() -> read("a,b\"\n1,2\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("f.csv:1 field 2");
  }

  /** What tuner writes it reads back: a quote in a value is written inside a quoted field, doubled. */
  @Test
  void writtenFieldsWithQuotesReadBackEqual() {
    List<String> fields = List.of("5\" screen", "a \"b\", c", "plain", "");
    assertThat(read(Csv.line(fields) + "\n")).containsExactly(new Csv.Row(1, fields));
  }
}
