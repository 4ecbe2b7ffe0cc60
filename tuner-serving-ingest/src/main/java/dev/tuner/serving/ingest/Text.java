package dev.tuner.serving.ingest;

import dev.tuner.core.ingest.RecordRejected;
import dev.tuner.api.InvalidInputException;
import dev.tuner.core.io.FileChecks;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** One input file as UTF-8 text and its lines (1-based in origins, terminators removed). */
record Text(String name, List<String> lines) {
  /** Benchmark reports are kilobytes; anything this large is the wrong file. */
  static final int MAX_BYTES = 16 << 20;

  Text {
    lines = List.copyOf(lines);
  }

  String line(int n) {
    return lines.get(n - 1);
  }

  String origin(int line) {
    return name + ":" + line;
  }

  String whole() {
    return String.join("\n", lines);
  }

  /** The text of {@code file}; content that cannot be a benchmark report is a rejection. */
  static Text read(Path file) throws RecordRejected {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new InvalidInputException("FILE", file + " (" + FileChecks.reason(e) + ")", "a readable file");
    }
    return decode(file.toString(), bytes);
  }

  static Text decode(String name, byte[] bytes) throws RecordRejected {
    if (bytes.length > MAX_BYTES) {
      throw new RecordRejected(dev.tuner.core.ingest.RejectReason.TOO_LARGE, "more than " + (MAX_BYTES >> 20)
          + " MB; benchmark reports are far smaller");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new RecordRejected(dev.tuner.core.ingest.RejectReason.NOT_TEXT, "invalid UTF-8");
    }
    if (text.indexOf('\0') >= 0) {
      throw new RecordRejected(dev.tuner.core.ingest.RejectReason.NOT_TEXT, "NUL bytes (binary data)");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    if (text.isBlank()) {
      throw new RecordRejected(dev.tuner.core.ingest.RejectReason.NO_RECORDS, bytes.length == 0 ? "0 bytes"
          : "only blank lines");
    }
    return new Text(name, List.of(text.split("\r?\n", -1)));
  }
}
