package dev.tuner.core.catalog;

import dev.tuner.api.InvalidInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Looks entries up by name or alias, ignoring case, spaces, hyphens and underscores, so that
 * {@code rtx4090}, {@code RTX 4090} and {@code NVIDIA GeForce RTX 4090} can all name one device. An unknown name
 * fails with the closest known names. Dots and parentheses are kept: {@code LLaMA(-2) 7B} and {@code Llama 2 7B} are
 * different catalog entries.
 */
public final class NameIndex<T> {
  private final String kind;
  private final Map<String, T> byKey;
  private final List<T> entries;
  private final Function<T, String> nameOf;
  private final Function<T, List<String>> aliasesOf;

  public NameIndex(String kind, List<T> entries, Function<T, String> nameOf, Function<T, List<String>> aliasesOf) {
    this.kind = kind;
    this.entries = List.copyOf(entries);
    this.nameOf = nameOf;
    this.aliasesOf = aliasesOf;
    Map<String, T> map = new LinkedHashMap<>();
    for (T e : entries) {
      put(map, nameOf.apply(e), e, nameOf);
      for (String alias : aliasesOf.apply(e)) {
        put(map, alias, e, nameOf);
      }
    }
    this.byKey = Map.copyOf(map);
  }

  private void put(Map<String, T> map, String name, T e, Function<T, String> nameOf) {
    String key = normalise(name);
    if (key.isEmpty()) {
      return;
    }
    T previous = map.putIfAbsent(key, e);
    if (previous != null && previous != e) {
      throw new IllegalStateException(
          kind + " catalog: \"" + name + "\" names both " + nameOf.apply(previous) + " and " + nameOf.apply(e));
    }
  }

  /** Lower case with spaces, tabs, hyphens and underscores removed. */
  public static String normalise(String name) {
    StringBuilder b = new StringBuilder(name.length());
    for (char c : name.toLowerCase(Locale.ROOT).toCharArray()) {
      if (c != ' ' && c != '-' && c != '_' && c != '\t') {
        b.append(c);
      }
    }
    return b.toString();
  }

  public Optional<T> find(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(byKey.get(normalise(name)));
  }

  /** The entry for {@code name}; otherwise an error listing the closest names. */
  public T resolve(String field, String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidInputException(field, name == null ? "missing" : "blank", "the name of a known " + kind
          + " (see `tuner catalog " + kind + "s`)");
    }
    return find(name).orElseThrow(() -> new InvalidInputException(
        field, "\"" + name + "\"", "a known " + kind + "; closest: " + String.join(", ", closest(name, 5))
            + " (see `tuner catalog " + kind + "s`, or give its figures explicitly)"));
  }

  public List<T> entries() {
    return entries;
  }

  /**
   * Up to {@code n} entry names closest to {@code name}: first those whose name or an alias has every word of it
   * ({@link #search}: {@code RTX 3060} finds "RTX 3060 12GB", which an edit distance ranks behind "RTX 3070"), then by
   * edit distance over names and aliases.
   */
  public List<String> closest(String name, int n) {
    String q = normalise(name == null ? "" : name);
    Map<T, Integer> best = new LinkedHashMap<>();
    if (!q.isEmpty()) {
      search(name).forEach(e -> best.put(e, -1));
    }
    for (var e : byKey.entrySet()) {
      int d = distance(q, e.getKey());
      if (!q.isEmpty() && (e.getKey().contains(q) || q.contains(e.getKey()))) {
        d = Math.min(d, Math.abs(e.getKey().length() - q.length()) / 2);
      }
      best.merge(e.getValue(), d, Math::min);
    }
    List<Map.Entry<T, Integer>> sorted = new ArrayList<>(best.entrySet());
    sorted.sort(Comparator.comparingInt((Map.Entry<T, Integer> e) -> e.getValue())
        .thenComparing(e -> nameOf.apply(e.getKey())));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < Math.min(n, sorted.size()); i++) {
      out.add(nameOf.apply(sorted.get(i).getKey()));
    }
    return out;
  }

  /**
   * Entries whose name or one alias matches every word of {@code text}; all entries for an empty text. Words are runs
   * of letters and digits, compared without case. A query word matches whole words of the name, or several adjacent
   * ones written together ({@code rtx4090}, {@code h100sxm5}); a word of letters only may also begin a word
   * ({@code gefo}). So {@code M5} finds "Apple M5" but not "H100 SXM5".
   */
  public List<T> search(String text) {
    List<String> query = words(text == null ? "" : text);
    List<T> out = new ArrayList<>();
    for (T e : entries) {
      if (query.isEmpty() || matches(query, nameOf.apply(e)) || aliasesOf.apply(e).stream()
          .anyMatch(a -> matches(query, a))) {
        out.add(e);
      }
    }
    return out;
  }

  private static boolean matches(List<String> query, String name) {
    List<String> words = words(name);
    for (String q : query) {
      if (!matchesWord(q, words)) {
        return false;
      }
    }
    return true;
  }

  private static boolean matchesWord(String q, List<String> words) {
    boolean lettersOnly = q.chars().allMatch(Character::isLetter);
    for (int i = 0; i < words.size(); i++) {
      if (lettersOnly && words.get(i).startsWith(q)) {
        return true;
      }
      StringBuilder joined = new StringBuilder();
      for (int j = i; j < words.size() && joined.length() < q.length(); j++) {
        joined.append(words.get(j));
        if (joined.toString().equals(q)) {
          return true;
        }
      }
    }
    return false;
  }

  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
