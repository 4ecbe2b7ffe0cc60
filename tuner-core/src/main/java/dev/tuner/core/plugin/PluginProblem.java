package dev.tuner.core.plugin;

/** Why a provider found on the class path was not made available. {@code code} is stable for scripts and docs. */
public record PluginProblem(String provider, Code code, String message) {
  public enum Code {
    /** Its constructor threw, or its class could not be instantiated. */
    BROKEN,
    /** Its class, or a class it needs, is missing from the class path. */
    MISSING_CLASS,
    /** Another provider already has this id. */
    DUPLICATE_ID,
    /** It needs an API version this host does not implement. */
    INCOMPATIBLE_API,
    /** It reports no id, version or API version. */
    INVALID_DESCRIPTOR,
    /** A file in the plugin directory that is not a readable jar (the provider field names the file). */
    UNREADABLE_JAR,
    /** A jar in the plugin directory that declares no provider (the provider field names the file). */
    NO_PROVIDER
  }
}
