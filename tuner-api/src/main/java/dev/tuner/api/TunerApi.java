package dev.tuner.api;

/** Version of this plugin contract. A provider states the version it was built against. */
public final class TunerApi {
  /**
   * The API version this host implements, as {@code major.minor}. A provider requiring the same major
   * version and a minor version not above this one is compatible.
   */
  public static final String VERSION = "1.2";

  /**
   * What a provider id may be: lower case letters, digits, '.', '_' and '-', starting with a letter or digit. Ids
   * name providers in artifacts, configuration and file names, where case and spaces would make one id two.
   */
  public static final String PROVIDER_ID_PATTERN = "[a-z0-9][a-z0-9._-]*";

  private TunerApi() {}

  /** Whether {@code id} is a valid provider id ({@link #PROVIDER_ID_PATTERN}). */
  public static boolean isValidProviderId(String id) {
    return id != null && id.matches(PROVIDER_ID_PATTERN);
  }

  /**
   * Whether a provider that requires {@code required} can run on this host.
   *
   * @throws InvalidInputException if {@code required} is not of the form {@code major.minor}
   */
  public static boolean isCompatible(String required) {
    int[] host = parse("host API version", VERSION);
    int[] wanted = parse("required API version", required);
    return host[0] == wanted[0] && wanted[1] <= host[1];
  }

  static int[] parse(String field, String version) {
    if (version == null || !version.matches("\\d{1,4}\\.\\d{1,4}")) {
      throw new InvalidInputException(field, String.valueOf(version), "major.minor, e.g. 1.0");
    }
    String[] parts = version.split("\\.");
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
  }
}
