package dev.tuner.core.ingest;

import dev.tuner.api.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One input file as UTF-8 text split into lines (1-based, terminators removed), read within a size limit. */
final class SourceText {
  /** Benchmark outputs are kilobytes; anything this large is the wrong file, and reading it would only cost memory. */
  static final int MAX_BYTES = 64 << 20;

  private final String name;
  private final String text;
  private final List<String> lines;

  SourceText(String name, String text) {
    this.name = name;
    this.text = text;
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '\n') {
        int end = i > start && text.charAt(i - 1) == '\r' ? i - 1 : i;
        if (i < text.length() || start < text.length()) {
          out.add(text.substring(start, end));
        }
        start = i + 1;
      }
    }
    this.lines = List.copyOf(out);
  }

  /** The name used in origins ({@code name:line}). */
  String name() {
    return name;
  }

  String text() {
    return text;
  }

  List<String> lines() {
    return lines;
  }

  /** Line {@code n} (1-based). */
  String line(int n) {
    return lines.get(n - 1);
  }

  String origin(int line) {
    return name + ":" + line;
  }

  /**
   * Reads {@code file}. A missing or unreadable file is a usage error; content that cannot be text (too large, NUL
   * bytes, invalid UTF-8, nothing but blanks) becomes one rejection and an empty result.
   */
  static Optional<SourceText> read(Path file, Sink sink) {
    String name = file.toString();
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("file", name, "an existing regular file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new InvalidInputException("file", name + " (" + dev.tuner.core.io.FileChecks.reason(e) + ")",
          "a readable file");
    }
    if (bytes.length > MAX_BYTES) {
      sink.reject(name, RejectReason.TOO_LARGE, "more than " + (MAX_BYTES >> 20) + " MB; benchmark outputs are far"
          + " smaller, so this is not one");
      return Optional.empty();
    }
    return decode(name, bytes, sink);
  }

  static Optional<SourceText> decode(String name, byte[] bytes, Sink sink) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        sink.reject(name, RejectReason.NOT_TEXT, "NUL byte at offset " + i + " (binary data)");
        return Optional.empty();
      }
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      sink.reject(name, RejectReason.NOT_TEXT, "invalid UTF-8 at byte offset " + in.position());
      return Optional.empty();
    }
    try {
      CoderResult flushed = decoder.flush(out);
      if (flushed.isError()) {
        flushed.throwException();
      }
    } catch (CharacterCodingException e) {
      sink.reject(name, RejectReason.NOT_TEXT, "invalid UTF-8 at the end of the file");
      return Optional.empty();
    }
    out.flip();
    String text = out.toString();
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    if (text.isBlank()) {
      sink.reject(name, RejectReason.NO_RECORDS, bytes.length == 0 ? "0 bytes" : "only blank lines");
      return Optional.empty();
    }
    return Optional.of(new SourceText(name, text));
  }
}
