package dev.tuner.core.plugin;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.TunerApi;
import dev.tuner.core.ensemble.EnsembleProvider;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The model providers available to this process, found with {@link ServiceLoader}. A provider that cannot be
 * instantiated, whose class is missing, that repeats an id or needs a newer API is skipped and reported; it never
 * takes the others down.
 */
public final class ProviderRegistry {
  private final Map<String, ModelProvider> providers;
  private final List<PluginProblem> problems;

  /**
   * Adds tuner's built-in providers to the discovered ones: the {@link EnsembleProvider}, which finds its members
   * in this registry. A discovered provider that takes a built-in's id is reported and left out.
   */
  private ProviderRegistry(Map<String, ModelProvider> discovered, List<PluginProblem> problems) {
    // sorted by id, so that listings and error messages come out the same on every run
    Map<String, ModelProvider> all = new TreeMap<>();
    List<PluginProblem> allProblems = new ArrayList<>(problems);
    ModelProvider ensemble = new EnsembleProvider(this::find);
    all.put(ensemble.id(), ensemble);
    for (Map.Entry<String, ModelProvider> e : discovered.entrySet()) {
      if (all.containsKey(e.getKey())) {
        allProblems.add(new PluginProblem(e.getKey(), PluginProblem.Code.DUPLICATE_ID, "("
            + e.getValue().getClass().getName() + ") has the id of tuner's built-in provider, which is used"));
      } else {
        all.put(e.getKey(), e.getValue());
      }
    }
    this.providers = Collections.unmodifiableMap(all);
    this.problems = List.copyOf(allProblems);
  }

  /** Discovers providers visible to {@code loader}. */
  public static ProviderRegistry discover(ClassLoader loader) {
    return discover(loader, List.of());
  }

  private static ProviderRegistry discover(ClassLoader loader, List<PluginProblem> jarProblems) {
    Map<String, ModelProvider> found = new LinkedHashMap<>();
    List<PluginProblem> problems = new ArrayList<>(jarProblems);
    Iterator<ModelProvider> it = ServiceLoader.load(ModelProvider.class, loader).iterator();
    while (true) {
      ModelProvider p;
      try {
        if (!it.hasNext()) {
          break;
        }
        p = it.next();
      } catch (ServiceConfigurationError e) {
        problems.add(classify(e));
        continue;
      } catch (LinkageError e) {
        problems.add(new PluginProblem(String.valueOf(e.getMessage()), PluginProblem.Code.MISSING_CLASS,
            "a class it needs is missing: " + e));
        continue;
      }
      admit(p, found, problems);
    }
    return new ProviderRegistry(found, problems);
  }

  /** Discovers providers on the class path of this library plus every jar in {@code pluginDir}. */
  public static ProviderRegistry discover(ClassLoader parent, Optional<Path> pluginDir) {
    if (pluginDir.isEmpty()) {
      return discover(parent);
    }
    Path dir = pluginDir.get();
    if (!Files.isDirectory(dir)) {
      throw new InvalidInputException("plugin directory", dir.toString(), "an existing directory of plugin jars");
    }
    List<URL> jars = new ArrayList<>();
    List<PluginProblem> jarProblems = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".jar")).sorted()::iterator) {
        Optional<PluginProblem> problem = jarProblem(p);
        if (problem.isPresent()) {
          jarProblems.add(problem.get());
        } else {
          jars.add(p.toUri().toURL());
        }
      }
    } catch (MalformedURLException e) {
      throw new InvalidInputException("plugin jar", e.getMessage(), "a readable jar file");
    } catch (IOException e) {
      throw new InvalidInputException("plugin directory", dir + " (" + dev.tuner.core.io.FileChecks.reason(e) + ")",
          "a readable directory");
    }
    // Plugin jars see tuner's API through the parent; they live as long as the registry does.
    return discover(new URLClassLoader(jars.toArray(URL[]::new), parent), jarProblems);
  }

  /**
   * Why a file of the plugin directory cannot add a provider, checked before it joins the class path, where a file
   * that is no jar, or a jar without a provider, would be passed over without a word.
   */
  private static Optional<PluginProblem> jarProblem(Path file) {
    String name = file.getFileName().toString();
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(file.toFile())) {
      if (jar.getEntry("META-INF/services/" + ModelProvider.class.getName()) == null) {
        return Optional.of(new PluginProblem(name, PluginProblem.Code.NO_PROVIDER, "the jar declares no provider (no"
            + " META-INF/services/" + ModelProvider.class.getName() + " entry): not a tuner plugin"));
      }
      return Optional.empty();
    } catch (IOException | SecurityException e) {
      String why = e instanceof java.nio.file.AccessDeniedException || !Files.isReadable(file) ? "permission denied"
          : e instanceof java.util.zip.ZipException ? "not a jar (zip) file" : String.valueOf(e.getMessage());
      return Optional.of(new PluginProblem(name, PluginProblem.Code.UNREADABLE_JAR, "cannot be read as a jar: "
          + why));
    }
  }

  /** A registry of exactly these providers, checked the same way discovery checks them. */
  public static ProviderRegistry of(List<ModelProvider> list) {
    Map<String, ModelProvider> found = new LinkedHashMap<>();
    List<PluginProblem> problems = new ArrayList<>();
    for (ModelProvider p : list) {
      admit(p, found, problems);
    }
    return new ProviderRegistry(found, problems);
  }

  private static void admit(ModelProvider p, Map<String, ModelProvider> found, List<PluginProblem> problems) {
    String id;
    String required;
    try {
      id = p.id();
      required = p.requiredApiVersion();
      if (id == null || id.isBlank() || p.version() == null || p.version().isBlank()) {
        problems.add(new PluginProblem(described(p), PluginProblem.Code.INVALID_DESCRIPTOR,
            "it reports no id or no version; both are required"));
        return;
      }
    } catch (RuntimeException | LinkageError e) {
      problems.add(new PluginProblem(described(p), PluginProblem.Code.BROKEN, "describing itself failed: " + e));
      return;
    }
    if (!TunerApi.isValidProviderId(id)) {
      problems.add(new PluginProblem(described(p), PluginProblem.Code.INVALID_DESCRIPTOR, "its id \"" + id
          + "\" is not lower case letters, digits, '.', '_' or '-' starting with a letter or digit ("
          + TunerApi.PROVIDER_ID_PATTERN + ")"));
      return;
    }
    boolean compatible;
    try {
      compatible = TunerApi.isCompatible(required);
    } catch (InvalidInputException e) {
      problems.add(new PluginProblem(id, PluginProblem.Code.INVALID_DESCRIPTOR,
          "(" + described(p) + ") requires API version \"" + required + "\", which is not of the form major.minor"));
      return;
    }
    if (!compatible) {
      problems.add(new PluginProblem(id, PluginProblem.Code.INCOMPATIBLE_API,
          "(" + described(p) + ") requires tuner API " + required + " but this host implements " + TunerApi.VERSION));
      return;
    }
    ModelProvider previous = found.get(id);
    if (previous != null) {
      problems.add(new PluginProblem(id, PluginProblem.Code.DUPLICATE_ID,
          "(" + described(p) + ") has the same id as " + previous.getClass().getName()
              + ", which was found first and is used"));
      return;
    }
    found.put(id, p);
  }

  /**
   * "x.Acme in acme.jar": a refused provider's class and the file name of the jar (or directory) it was loaded from,
   * which in a directory of plugins is what a user removes; the class alone when that is unknown. Only a refusal
   * asks, so admitting a provider does not look its code source up.
   */
  private static String described(ModelProvider p) {
    String cls = p.getClass().getName();
    try {
      CodeSource source = p.getClass().getProtectionDomain().getCodeSource();
      if (source == null || source.getLocation() == null) {
        return cls;
      }
      Path path = Path.of(source.getLocation().toURI()).getFileName();
      return path == null ? cls : cls + " in " + path;
    } catch (URISyntaxException | RuntimeException e) {
      return cls;
    }
  }

  private static PluginProblem classify(ServiceConfigurationError e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = String.valueOf(e.getMessage());
    String provider = msg.replaceFirst("^dev\\.tuner\\.api\\.ModelProvider: (Provider )?", "")
        .replaceFirst(" (could not be instantiated|not found).*$", "");
    if (root instanceof ClassNotFoundException || root instanceof NoClassDefFoundError || msg.contains("not found")) {
      return new PluginProblem(provider, PluginProblem.Code.MISSING_CLASS,
          "its class or a class it needs is missing: " + (root == e ? msg : root.toString()));
    }
    return new PluginProblem(provider, PluginProblem.Code.BROKEN,
        "it could not be instantiated: " + (root == e ? msg : root.toString()));
  }

  public Map<String, ModelProvider> providers() {
    return providers;
  }

  public List<PluginProblem> problems() {
    return problems;
  }

  public Optional<ModelProvider> find(String id) {
    return Optional.ofNullable(providers.get(id));
  }

  /** The provider with this id, or an error that lists what is available and what failed to load. */
  public ModelProvider require(String id) {
    ModelProvider p = providers.get(id);
    if (p != null) {
      return p;
    }
    StringBuilder allowed = new StringBuilder("one of the discovered providers ").append(providers.keySet());
    for (PluginProblem problem : problems) {
      if (problem.provider().equals(id) || problem.provider().contains(id)) {
        allowed.append("; provider ").append(problem.provider()).append(" was found but skipped: ")
            .append(problem.message());
      }
    }
    throw new InvalidInputException("model provider", id, allowed.toString());
  }
}
