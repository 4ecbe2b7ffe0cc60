package dev.tuner.core.ingest;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns benchmark tool output into measurements (the mapping per tool is on {@link IngestFormat}). Every record in
 * the files is either accepted or rejected with its location and reason (see {@link IngestReport}); malformed content
 * never escapes as an exception. Checks shared by all formats: a row must resolve against the catalog to a valid
 * scenario, and its tokens/s must not exceed 4× that scenario's roofline (a timing bug or a wrong device or model).
 *
 * <p>Thrown: {@link InvalidInputException} for what the caller got wrong — a {@code --device}, {@code --model} or
 * {@code --quant} that is not in the catalog, a blank source id, a file that does not exist or cannot be read.
 */
public final class Ingestor {
  private final Catalog catalog;
  private final CatalogLookup lookup;
  private final Roofline roofline;

  public Ingestor(Catalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.lookup = new CatalogLookup(catalog);
    this.roofline = new Roofline(catalog);
  }

  public IngestReport ingest(IngestFormat format, List<Path> files, IngestOptions options) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(files, "files");
    Objects.requireNonNull(options, "options");
    Stated stated = new Stated(
        options.device().map(n -> resolve("--device", n, d -> catalog.devices().resolve("--device", d))),
        options.model().map(n -> resolve("--model", n, m -> catalog.models().resolve("--model", m))),
        options.quant().map(n -> resolve("--quant", n, q -> catalog.quants().resolve("--quant", q))));
    Optional<String> sourceId = options.sourceId().map(String::strip);
    if (sourceId.isPresent() && sourceId.get().isEmpty()) {
      throw new InvalidInputException("--source-id", "\"\"", "a non-empty id");
    }
    Sink sink = new Sink();
    for (Path file : files) {
      Optional<SourceText> text = SourceText.read(file, sink);
      if (text.isEmpty()) {
        continue;
      }
      String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
      Emitter out = new Emitter(sink, catalog, roofline, sourceId.orElse("ingest:" + fileName));
      int before = sink.size();
      switch (format) {
        case LLAMA_BENCH -> new LlamaBench(lookup, stated).parse(text.get(), out);
        case VLLM_SERVE -> new VllmServe(lookup, stated).parse(text.get(), out);
        case OLLAMA -> new OllamaVerbose(stated).parse(text.get(), out);
      }
      if (sink.size() == before) {
        sink.reject(text.get().name(), RejectReason.NO_RECORDS, "a header or an empty array, but no record");
      }
    }
    return sink.report();
  }

  private static <T> T resolve(String flag, String name, Function<String, T> lookup) {
    if (name == null || name.isBlank()) {
      throw new InvalidInputException(flag, "\"" + name + "\"", "a catalog name");
    }
    return lookup.apply(name.strip());
  }
}
