package dev.tuner.core.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/**
 * A JSON parse error as a person reads it. Jackson's messages can quote a location of their own ("expected close
 * marker for Object (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled);
 * line: 95, column: 25])"), which names a parser setting instead of the place in the file; that part becomes "line 95,
 * column 25".
 */
public final class JsonErrors {
  private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

  private JsonErrors() {}

  /** {@code message} (a Jackson exception's original message) with its quoted locations as lines and columns. */
  public static String clean(String message) {
    if (message == null) {
      return "";
    }
    return SOURCE.matcher(message).replaceAll("line $1, column $2").replaceAll("\\s+", " ").trim();
  }

  /**
   * What went wrong and where: for a JSON error its cleaned message and the line and column it stopped at, for
   * anything else the first line of its message.
   */
  public static String describe(Throwable e) {
    if (e instanceof JsonProcessingException j) {
      JsonLocation at = j.getLocation();
      String where = at != null && at.getLineNr() > 0
          ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "";
      return clean(j.getOriginalMessage()) + where;
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
