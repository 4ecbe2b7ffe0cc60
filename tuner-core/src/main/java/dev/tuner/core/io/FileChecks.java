package dev.tuner.core.io;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.TunerException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checks every command makes on the files it reads and writes before it does any work, so that a bad path fails
 * in a second with its reason rather than after minutes of training, and no input or device is ever overwritten.
 */
public final class FileChecks {
  private FileChecks() {}

  /** A file a command reads or writes, named by the option that gave it (e.g. {@code --out}). */
  public record Role(String option, Path path) {}

  /**
   * Refuses, with exit-2 errors naming both options, an output that is the same file as an input or as another
   * output (after following links, and hard links of one file), and an input given twice.
   */
  public static void requireDistinct(List<Role> inputs, List<Role> outputs) {
    Map<Object, Role> seen = new LinkedHashMap<>();
    for (Role in : inputs) {
      Role before = seen.putIfAbsent(identity(in.path()), in);
      if (before != null) {
        throw new InvalidInputException(in.option(), in.path().toString(),
            "each input file once (it is the same file as " + before.option() + " " + before.path()
                + "; reading it twice would count every row twice)");
      }
    }
    for (Role out : outputs) {
      Role before = seen.putIfAbsent(identity(out.path()), out);
      if (before != null) {
        throw new InvalidInputException(out.option(), out.path().toString(),
            "a file that is not also " + before.option() + " " + before.path()
                + " (writing it would destroy that " + (inputs.contains(before) ? "input" : "output") + ")");
      }
    }
  }

  /**
   * Checks that {@code target} can be written: an existing target must be a regular file (never a directory, device
   * or FIFO, which a replacing write would destroy) and may be replaced only with {@code overwrite}; the directory it
   * goes in must exist or be creatable, and be writable.
   */
  public static void requireWritable(String option, Path target, boolean overwrite) {
    Optional<BasicFileAttributes> attrs = attributes(target);
    if (attrs.isPresent()) {
      if (!attrs.get().isRegularFile()) {
        throw new InvalidInputException(option, target.toString(),
            "a regular file or a new file name (it is " + kind(target, attrs.get()) + ", which tuner never replaces)");
      }
      if (!overwrite) {
        throw new TunerException("refusing to overwrite existing file " + target
            + " (to replace it: overwrite true, --force in the CLI)");
      }
    }
    Path dir = target.toAbsolutePath().getParent();
    while (dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new TunerException("cannot write " + target + ": no existing directory above it");
    }
    if (!Files.isDirectory(dir)) {
      throw new TunerException("cannot write " + target + ": " + dir + " is not a directory");
    }
    if (!Files.isWritable(dir)) {
      throw new TunerException("cannot write " + target + ": permission denied in directory " + dir);
    }
  }

  /**
   * Checks that {@code file} is an existing regular file this process may read; exit 2 naming the reason and
   * {@code field}, the setting the file came from (a CLI option, or a library parameter and its option).
   */
  public static void requireReadableFile(String field, Path file) {
    Optional<BasicFileAttributes> attrs = attributes(file);
    if (attrs.isEmpty()) {
      throw new InvalidInputException(field, file.toString(), "an existing file (no such file)");
    }
    if (!attrs.get().isRegularFile()) {
      throw new InvalidInputException(field, file.toString(),
          "a regular file (it is " + kind(file, attrs.get()) + ")");
    }
    if (!Files.isReadable(file)) {
      throw new InvalidInputException(field, file.toString(), "a readable file (permission denied)");
    }
  }

  /** Why an I/O operation failed, in the words a user expects: "no such file", "permission denied"... */
  public static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason().toLowerCase(java.util.Locale.ROOT);
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.toLowerCase(java.util.Locale.ROOT);
  }

  /** The attributes of what {@code p} points to after following links; empty when nothing is there. */
  private static Optional<BasicFileAttributes> attributes(Path p) {
    try {
      return Optional.of(Files.readAttributes(p, BasicFileAttributes.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String kind(Path p, BasicFileAttributes a) {
    if (a.isDirectory()) {
      return "a directory";
    }
    try {
      int mode = (Integer) Files.getAttribute(p, "unix:mode") & 0170000;
      return switch (mode) {
        case 0010000 -> "a FIFO (named pipe)";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        case 0140000 -> "a socket";
        default -> "not a regular file";
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "not a regular file";
    }
  }

  /**
   * What makes two paths the same file: the file system's key (device and inode) when the file exists, so links and
   * hard links match; otherwise the absolute path through the real path of its nearest existing directory.
   */
  private static Object identity(Path p) {
    Optional<BasicFileAttributes> attrs = attributes(p);
    if (attrs.isPresent() && attrs.get().fileKey() != null) {
      return attrs.get().fileKey();
    }
    Path abs = p.toAbsolutePath().normalize();
    Path existing = abs;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return abs;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
    } catch (IOException e) {
      return abs;
    }
  }
}
