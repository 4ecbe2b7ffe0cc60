package dev.tuner.core.io;

import dev.tuner.api.TunerException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that a reader sees either the old content or the new, never a torn file: the bytes go to a
 * temporary file in the same directory, are forced to disk, then moved over the target in one step. An existing
 * target is replaced only when the caller says so.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes the whole new content. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  public static void write(Path target, boolean overwrite, Writer writer) {
    FileChecks.requireWritable("output file", target, overwrite);
    target = throughLink(target);
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
      readableByAll(tmp);
      try (OutputStream out = Files.newOutputStream(tmp)) {
        writer.write(out);
        out.flush();
      }
      try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      if (overwrite) {
        move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      } else {
        moveNoReplace(tmp, target);
      }
      tmp = null;
    } catch (FileAlreadyExistsException e) {
      throw new TunerException(
          "refusing to overwrite existing file " + target + " (to replace it: overwrite true, --force in the CLI)", e);
    } catch (IOException e) {
      throw new TunerException("cannot write " + target + ": " + FileChecks.reason(e), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the temporary file is hidden and named after the target; leaving it is harmless
        }
      }
    }
  }

  public static void write(Path target, boolean overwrite, byte[] content) {
    write(target, overwrite, out -> out.write(content));
  }

  /**
   * The file a link points to, so that writing through a link replaces the linked file and keeps the link, as
   * {@code cp} and editors do; the path itself when it is no link.
   */
  private static Path throughLink(Path target) {
    if (!Files.isSymbolicLink(target) || !Files.exists(target)) {
      return target;
    }
    try {
      return target.toRealPath();
    } catch (IOException e) {
      throw new TunerException("cannot write " + target + ": " + FileChecks.reason(e), e);
    }
  }

  /** Temporary files are created owner-only; the file a user asked for should be as readable as any other. */
  private static void readableByAll(Path tmp) throws IOException {
    if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }
  }

  private static void move(Path tmp, Path target, StandardCopyOption replace) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, replace);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, replace);
    }
  }

  private static void moveNoReplace(Path tmp, Path target) throws IOException {
    // A hard link fails if the target appeared meanwhile, so a concurrent writer's file is never clobbered.
    try {
      Files.createLink(target, tmp);
      Files.delete(tmp);
    } catch (UnsupportedOperationException | IOException e) {
      if (e instanceof FileAlreadyExistsException) {
        throw (FileAlreadyExistsException) e;
      }
      Files.move(tmp, target);
    }
  }
}
