package org.unionfsjava.model;

import java.nio.charset.Charset;

/**
 * The charset that maps file-name bytes to the Java strings of the union's core. Every conversion
 * between a name or path and bytes (native calls, xattr values, FUSE buffers, marker files) goes
 * through it, so a name read from one place and written to another keeps its bytes.
 *
 * <p>It is ISO-8859-1 when the JVM's default charset is (the daemon runs so, see {@code
 * org.unionfsjava.fs.LosslessNames}): one char per byte, so names that are not valid UTF-8 pass
 * through the union unchanged. Then the union's paths are <em>name strings</em>, which only the
 * native {@code BranchIo} may turn into syscalls: NIO would encode them as UTF-8. Paths from the
 * outside (the command line) are converted once with {@link #fromPlatform}. Otherwise (unit tests,
 * other JVMs) names are UTF-8, as NIO has them.
 */
public final class NameCharset {
  private NameCharset() {
  }

  private static final class Holder {
    static final boolean BYTES = java.nio.charset.StandardCharsets.ISO_8859_1.equals(Charset.defaultCharset());
    static final Charset CHARSET = BYTES ? java.nio.charset.StandardCharsets.ISO_8859_1
        : java.nio.charset.StandardCharsets.UTF_8;
  }

  /** True when each char of a name is one byte (ISO-8859-1); otherwise names are UTF-8. */
  public static boolean isBytes() {
    return Holder.BYTES;
  }

  /** The charset of file names in this JVM. */
  public static Charset get() {
    return Holder.CHARSET;
  }

  /** The bytes of a name or path as the kernel sees them. */
  public static byte[] bytes(String name) {
    return name.getBytes(Holder.CHARSET);
  }

  /** A name or path from the bytes the kernel gave. */
  public static String string(byte[] bytes, int offset, int length) {
    return new String(bytes, offset, length, Holder.CHARSET);
  }

  /** A name or path from the bytes the kernel gave. */
  public static String string(byte[] bytes) {
    return string(bytes, 0, bytes.length);
  }

  /**
   * The command line of a child process, from text: ProcessBuilder encodes its arguments with the
   * default charset, so in the bytes mode each argument becomes the name string of its UTF-8 bytes.
   */
  public static java.util.List<String> processCommand(java.util.List<String> text) {
    if (!Holder.BYTES) {
      return text;
    }
    java.util.List<String> out = new java.util.ArrayList<>(text.size());
    for (String s : text) {
      out.add(new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  /** A name path for a path NIO made from text (a command-line argument): the same bytes. */
  public static java.nio.file.Path fromPlatform(java.nio.file.Path platform) {
    if (!Holder.BYTES) {
      return platform;
    }
    String s = new String(platform.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    return platform.getFileSystem().getPath(s);
  }
}
