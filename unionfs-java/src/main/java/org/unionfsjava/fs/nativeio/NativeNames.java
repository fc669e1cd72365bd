package org.unionfsjava.fs.nativeio;

import java.nio.file.Path;
import java.util.Arrays;
import org.unionfsjava.model.NameCharset;

/**
 * The one place where file names and paths turn into the bytes the kernel sees, and back.
 *
 * <p>The scheme is the JVM's name charset ({@link NameCharset}): ISO-8859-1 in the daemon, where
 * every byte is one char and any name round-trips ({@code org.unionfsjava.fs.LosslessNames}).
 */
public final class NativeNames {

  private NativeNames() {}

  /** The NUL-terminated bytes of a name or path string, ready for a C call. */
  public static byte[] encode(String name) {
    // Fast path for ASCII, the overwhelmingly common case: one pass, one allocation.
    int length = name.length();
    byte[] out = new byte[length + 1];
    for (int i = 0; i < length; i++) {
      char c = name.charAt(i);
      if (c >= 0x80 || c == 0) {
        return encodeSlow(name);
      }
      out[i] = (byte) c;
    }
    return out;
  }

  /** The NUL-terminated bytes of a path of the default filesystem. */
  public static byte[] encode(Path path) {
    return encode(path.toString());
  }

  /** The string of {@code length} name bytes (no NUL) starting at {@code offset}. */
  public static String decode(byte[] bytes, int offset, int length) {
    return NameCharset.string(bytes, offset, length);
  }

  /** The string of a whole byte array of name bytes (no NUL). */
  public static String decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length);
  }

  private static byte[] encodeSlow(String name) {
    if (name.indexOf('\0') >= 0) {
      // A C string cannot hold NUL; passing a truncated name would touch another object.
      throw new IllegalArgumentException("NUL in a file name: " + name.replace('\0', '?'));
    }
    byte[] raw = NameCharset.bytes(name);
    return Arrays.copyOf(raw, raw.length + 1);
  }
}
