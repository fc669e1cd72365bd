package org.unionfsjava.fs;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * File names are bytes, not text. A lower branch may hold names that are not valid UTF-8, and a
 * user may create them; jnr-fuse hands paths over as Strings decoded with the JVM's default
 * charset, so with UTF-8 such names would turn into U+FFFD and reach the wrong file.
 *
 * <p>The daemon runs with {@code -Dfile.encoding=ISO-8859-1} (the launcher {@code bin/unionfs-java}
 * passes it): every byte is one char and back, so every name survives any trip through jnr-fuse,
 * and the union's core keeps names as such strings ({@link org.unionfsjava.model.NameCharset}).
 * NIO still maps paths with UTF-8 ({@code sun.jnu.encoding} cannot change in a running JVM), so
 * the core turns paths into syscalls only through the native {@code BranchIo}, and the command
 * line, which is text, converts its paths once on the way in.
 *
 * <p>Without {@code file.encoding=ISO-8859-1} names are UTF-8 everywhere and names that are not
 * valid UTF-8 are mangled, as in most Java programs.
 */
public final class LosslessNames {
  private LosslessNames() {
  }

  /**
   * Sets up what depends on the mode, before logging starts: log lines then carry a name's own
   * bytes. Returns whether names are lossless in this JVM.
   */
  public static boolean adopt() {
    if (!StandardCharsets.ISO_8859_1.equals(Charset.defaultCharset())) {
      return false;
    }
    System.setProperty("unionfs.log.charset", StandardCharsets.ISO_8859_1.name());
    return true;
  }
}
