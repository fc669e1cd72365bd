package org.unionfsjava.fs.nativeio;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.unionfsjava.model.UnionException;

/**
 * Branch paths longer than PATH_MAX. A union path may be up to 4095 bytes long, but in a branch
 * it gets the branch's own path in front, and the kernel refuses any path argument of 4096 bytes
 * or more (ENAMETOOLONG) where a plain directory would have worked. Such a path is cut at a slash:
 * the head is opened with O_PATH (a descriptor that only names the directory) and the call gets
 * {@code /proc/self/fd/N/tail}, which the kernel resolves from that directory; a tail still too
 * long is cut again from there. Shorter paths, nearly all of them, pass unchanged at no cost.
 *
 * <p>The descriptors stay open until the FUSE request that made them ends ({@link #releaseHeld},
 * called by the request barrier), so a path can be passed to several calls of one request. Each
 * call opens its own descriptor: a directory renamed between two calls is not followed.
 */
public final class LongPaths {
  /** Linux PATH_MAX, counting the NUL. */
  static final int PATH_MAX = 4096;

  private static final ThreadLocal<List<Integer>> HELD = ThreadLocal.withInitial(ArrayList::new);

  private LongPaths() {}

  /** The NUL-terminated bytes to pass for {@code path}: itself, or a /proc/self/fd form if too long. */
  public static byte[] encode(Path path) throws UnionException {
    byte[] c = NativeNames.encode(path);
    return c.length <= PATH_MAX ? c : shorten(c, path);
  }

  /** Closes the descriptors this thread opened for long paths. */
  public static void releaseHeld() {
    List<Integer> held = HELD.get();
    if (held.isEmpty()) {
      return;
    }
    for (int fd : held) {
      LinuxAbi.LIBC.close(fd);
    }
    held.clear();
  }

  /** How many descriptors this thread holds for long paths (tests). */
  static int heldCount() {
    return HELD.get().size();
  }

  private static byte[] shorten(byte[] c, Path path) throws UnionException {
    int len = c.length - 1; // without the NUL
    byte[] base = new byte[0];
    int start = 0;
    int dirFd = -1;
    while (base.length + (len - start) + 1 > PATH_MAX) {
      // the last slash that keeps base + head within PATH_MAX (the head keeps its slash off)
      int limit = Math.min(len, start + PATH_MAX - 1 - base.length);
      int cut = -1;
      for (int i = limit - 1; i > start; i--) {
        if (c[i] == '/') {
          cut = i;
          break;
        }
      }
      if (cut < 0) {
        throw Errnos.exception(Errnos.ENAMETOOLONG, "open", path.toString());
      }
      byte[] head = cString(base, c, start, cut);
      int fd = NativeFile.openRaw(head, LinuxAbi.O_PATH | LinuxAbi.O_DIRECTORY | LinuxAbi.O_CLOEXEC, 0);
      if (dirFd >= 0) {
        LinuxAbi.LIBC.close(dirFd); // the new one was opened through it; it is not needed any more
        HELD.get().remove((Integer) dirFd);
      }
      if (fd < 0) {
        throw Errnos.exception(-fd, "open", path.toString());
      }
      dirFd = fd;
      HELD.get().add(fd);
      base = ("/proc/self/fd/" + fd + "/").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      start = cut + 1;
    }
    return cString(base, c, start, len);
  }

  /** base + c[from, to) + NUL. */
  private static byte[] cString(byte[] base, byte[] c, int from, int to) {
    byte[] out = Arrays.copyOf(base, base.length + (to - from) + 1);
    System.arraycopy(c, from, out, base.length, to - from);
    return out; // the last byte is already 0
  }
}
