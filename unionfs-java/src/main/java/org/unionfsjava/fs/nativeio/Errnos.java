package org.unionfsjava.fs.nativeio;

import java.util.EnumMap;
import java.util.Map;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;

/**
 * The one table between Linux errno numbers and the model's {@link Errno} names, both ways.
 *
 * <p>EOPNOTSUPP (95) is the model's {@link Errno#ENOTSUP} (on Linux ENOTSUP and EOPNOTSUPP are the
 * same number). Numbers the model has no name for become {@link Errno#EIO}.
 */
public final class Errnos {

  private static final Map<Errno, Integer> TO_LINUX = new EnumMap<>(Errno.class);
  private static final Errno[] TO_UNION = new Errno[256];

  static {
    put(Errno.EPERM, 1);
    put(Errno.EINTR, 4);
    put(Errno.ENOENT, 2);
    put(Errno.EIO, 5);
    put(Errno.E2BIG, 7);
    put(Errno.EBADF, 9);
    put(Errno.EAGAIN, 11);
    put(Errno.EACCES, 13);
    put(Errno.EBUSY, 16);
    put(Errno.EEXIST, 17);
    put(Errno.EXDEV, 18);
    put(Errno.ENODEV, 19);
    put(Errno.ENOTDIR, 20);
    put(Errno.EISDIR, 21);
    put(Errno.EINVAL, 22);
    put(Errno.ETXTBSY, 26);
    put(Errno.EFBIG, 27);
    put(Errno.ENOSPC, 28);
    put(Errno.EROFS, 30);
    put(Errno.EMLINK, 31);
    put(Errno.ERANGE, 34);
    put(Errno.ENAMETOOLONG, 36);
    put(Errno.ENOSYS, 38);
    put(Errno.ENOTEMPTY, 39);
    put(Errno.ELOOP, 40);
    put(Errno.ENODATA, 61);
    put(Errno.EOVERFLOW, 75);
    put(Errno.ENOTSUP, 95);
    put(Errno.ESTALE, 116);
    put(Errno.EDQUOT, 122);
  }

  // Raw numbers the native layer tests for (no model name needed to read the code).
  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int EINTR = 4;
  static final int EIO = 5;
  static final int ENXIO = 6;
  static final int EAGAIN = 11;
  static final int EEXIST = 17;
  static final int EXDEV = 18;
  static final int ENOTDIR = 20;
  static final int EINVAL = 22;
  static final int ENOTTY = 25;
  static final int ERANGE = 34;
  static final int ENAMETOOLONG = 36;
  static final int ENOSYS = 38;
  static final int ENODATA = 61;
  static final int EOPNOTSUPP = 95;
  static final int ENOTCONN = 107;

  private Errnos() {}

  private static void put(Errno errno, int number) {
    TO_LINUX.put(errno, number);
    TO_UNION[number] = errno;
  }

  /** The model name of a Linux errno number; unknown numbers are {@link Errno#EIO}. */
  public static Errno toUnion(int errnoNumber) {
    if (errnoNumber > 0 && errnoNumber < TO_UNION.length) {
      Errno errno = TO_UNION[errnoNumber];
      if (errno != null) {
        return errno;
      }
    }
    return Errno.EIO;
  }

  /** The Linux errno number (positive) of a model name. */
  public static int toLinux(Errno errno) {
    return TO_LINUX.get(errno);
  }

  /** The C library's description of an errno number, as strerror(3) gives it. */
  public static String describe(int errnoNumber) {
    jnr.constants.platform.Errno constant = jnr.constants.platform.Errno.valueOf(errnoNumber);
    return constant.defined() ? constant.description() : "errno " + errnoNumber;
  }

  /** The exception for a failed system call: "syscall: strerror" with the mapped errno. */
  public static UnionException exception(int errnoNumber, String syscall, String path) {
    Errno errno = toUnion(errnoNumber);
    String reason = syscall + ": " + describe(errnoNumber);
    if (errno == Errno.EIO && errnoNumber != 5) {
      reason += " (errno " + errnoNumber + ")"; // unmapped: keep the real number in the log
    }
    return new UnionException(errno, path, reason);
  }
}
