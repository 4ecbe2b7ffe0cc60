package dev.tuner.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tuner.api.InvalidInputException;
import dev.tuner.core.io.Csv;
import dev.tuner.core.io.FileChecks;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Quantization;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * A user's own devices, models and quantizations, layered over a catalog. A file is a CSV with the shipped table's
 * columns (data/devices.csv, data/models.csv or data/quantizations.csv; its header's first column, device, model or
 * quant, says which) or a YAML file with lists under {@code devices}, {@code models} and {@code quants}, each item
 * a mapping with those column names. Entries are read and validated by the same code as the shipped tables, which
 * require only what an entry cannot do without (device and mem_bw_gbs; model and params_b; quant, bits_per_weight,
 * class and activation): any other column may be left out, as if blank, and a column the shipped tables do not
 * have is refused (a misspelt one would read as a figure left out). A user entry named like a catalog entry (by
 * name or alias) replaces it; an alias that names a different entry is an error.
 */
public final class UserCatalogs {
  private UserCatalogs() {}

  /** {@code base} with the entries of {@code files} layered over it, later files over earlier ones. */
  public static Catalog layer(Catalog base, List<Path> files) {
    List<DeviceSpec> devices = new ArrayList<>(base.devices().entries());
    List<ModelSpec> models = new ArrayList<>(base.models().entries());
    List<Quantization> quants = new ArrayList<>(base.quants().entries());
    for (Path f : files) {
      FileChecks.requireReadableFile("catalog file", f);
      String text;
      try {
        text = Files.readString(f, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new InvalidInputException("catalog file", f + " (" + FileChecks.reason(e) + ")", "a readable file");
      }
      String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
      String source = f.toString();
      if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        JsonNode root = yaml(text, source);
        Iterator<String> keys = root.fieldNames();
        while (keys.hasNext()) {
          String key = keys.next();
          String csv = asCsv(root.get(key), source + " " + key);
          switch (key) {
            case "devices" -> over(devices, Catalog.readDevices(new StringReader(csv), source + " devices"),
                DeviceSpec::name, DeviceSpec::aliases, "device", source);
            case "models" -> over(models, Catalog.readModels(new StringReader(csv), source + " models"),
                ModelSpec::name, ModelSpec::aliases, "model", source);
            case "quants" -> over(quants, Catalog.readQuants(new StringReader(csv), source + " quants"),
                Quantization::name, Quantization::aliases, "quant", source);
            default -> throw new InvalidInputException(source, "top-level key " + key, "devices, models or quants");
          }
        }
      } else if (name.endsWith(".csv")) {
        List<Csv.Row> rows = Csv.read(new StringReader(text), source);
        String first = rows.isEmpty() || rows.get(0).fields().isEmpty() ? ""
            : rows.get(0).fields().get(0).trim().toLowerCase(Locale.ROOT);
        switch (first) {
          case "device" -> over(devices, Catalog.readDevices(new StringReader(text), source), DeviceSpec::name,
              DeviceSpec::aliases, "device", source);
          case "model" -> over(models, Catalog.readModels(new StringReader(text), source), ModelSpec::name,
              ModelSpec::aliases, "model", source);
          case "quant" -> over(quants, Catalog.readQuants(new StringReader(text), source), Quantization::name,
              Quantization::aliases, "quant", source);
          default -> throw new InvalidInputException(source + ":1 header", "first column \"" + first + "\"",
              "device, model or quant, as in the shipped data/devices.csv, data/models.csv or data/quantizations.csv");
        }
      } else {
        throw new InvalidInputException("catalog file", source, "a .csv, .yaml or .yml file");
      }
    }
    return new Catalog(devices, models, quants);
  }

  /** {@code base} with these models and quantizations layered over it, as a catalog file's would be. */
  public static Catalog with(Catalog base, List<ModelSpec> models, List<Quantization> quants, String source) {
    return with(base, List.of(), models, quants, source);
  }

  /** {@code base} with these devices, models and quantizations layered over it, as a catalog file's would be. */
  public static Catalog with(Catalog base, List<DeviceSpec> devices, List<ModelSpec> models, List<Quantization> quants,
      String source) {
    List<DeviceSpec> d = new ArrayList<>(base.devices().entries());
    List<ModelSpec> m = new ArrayList<>(base.models().entries());
    List<Quantization> q = new ArrayList<>(base.quants().entries());
    over(d, devices, DeviceSpec::name, DeviceSpec::aliases, "device", source);
    over(m, models, ModelSpec::name, ModelSpec::aliases, "model", source);
    over(q, quants, Quantization::name, Quantization::aliases, "quant", source);
    return new Catalog(d, m, q);
  }

  private static JsonNode yaml(String text, String source) {
    try {
      JsonNode root = new ObjectMapper(YAMLFactory.builder()
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()).readTree(text);
      if (root == null || !root.isObject()) {
        throw new InvalidInputException(source, root == null ? "an empty file" : root.getNodeType().toString(),
            "a YAML mapping with devices, models and/or quants");
      }
      return root;
    } catch (IOException e) {
      throw new InvalidInputException(source, String.valueOf(e.getMessage()).split("\n")[0], "well-formed YAML");
    }
  }

  /** A YAML list of mappings as the CSV table the shipped readers take; list values become |-separated aliases. */
  private static String asCsv(JsonNode list, String where) {
    if (list == null || !list.isArray()) {
      throw new InvalidInputException(where, list == null ? "nothing" : list.getNodeType().toString(),
          "a list of entries");
    }
    Set<String> columns = new LinkedHashSet<>();
    list.forEach(item -> {
      if (!item.isObject()) {
        throw new InvalidInputException(where, item.getNodeType().toString(), "each entry a mapping of columns");
      }
      item.fieldNames().forEachRemaining(columns::add);
    });
    StringBuilder b = new StringBuilder(Csv.line(new ArrayList<>(columns))).append('\n');
    for (JsonNode item : list) {
      List<String> cells = new ArrayList<>();
      for (String c : columns) {
        JsonNode v = item.get(c);
        if (v == null || v.isNull()) {
          cells.add("");
        } else if (v.isArray()) {
          List<String> parts = new ArrayList<>();
          v.forEach(x -> parts.add(x.asText()));
          cells.add(String.join("|", parts));
        } else if (v.isValueNode()) {
          cells.add(v.asText());
        } else {
          throw new InvalidInputException(where + " " + c, v.getNodeType().toString(), "a single value or a list");
        }
      }
      b.append(Csv.line(cells)).append('\n');
    }
    return b.toString();
  }

  /** Puts each user entry in {@code list}: in place of the entry its name or an alias names, else at the end. */
  private static <T> void over(List<T> list, List<T> user, Function<T, String> name,
      Function<T, List<String>> aliases, String kind, String source) {
    for (T u : user) {
      int replaced = -1;
      for (int i = 0; i < list.size(); i++) {
        if (names(list.get(i), name, aliases).contains(NameIndex.normalise(name.apply(u)))) {
          replaced = i;
          break;
        }
      }
      if (replaced >= 0) {
        list.set(replaced, u);
      } else {
        list.add(u);
      }
      for (String alias : aliases.apply(u)) {
        for (T other : list) {
          if (other != u && names(other, name, aliases).contains(NameIndex.normalise(alias))) {
            throw new InvalidInputException(source + " " + kind + " " + name.apply(u) + " alias", alias,
                "an alias no other " + kind + " has (" + name.apply(other) + " has it)");
          }
        }
      }
    }
  }

  private static <T> Set<String> names(T e, Function<T, String> name, Function<T, List<String>> aliases) {
    Set<String> out = new LinkedHashSet<>();
    out.add(NameIndex.normalise(name.apply(e)));
    aliases.apply(e).forEach(a -> out.add(NameIndex.normalise(a)));
    return out;
  }
}
