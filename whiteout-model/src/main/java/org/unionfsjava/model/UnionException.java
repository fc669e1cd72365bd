package org.unionfsjava.model;

import java.io.IOException;

/**
 * An error the union answers with: an {@link Errno}, the union path it concerns and a reason.
 *
 * <p>It is an {@link IOException} so it passes through code that also does NIO I/O; the FUSE
 * barrier turns it into a negative errno and nothing else.
 *
 * <p>Most of these are answers, not failures (ENOENT for a lookup, ENODATA for an xattr a program
 * probes for), and a union answers them on every request: they carry no stack trace, which would
 * cost more than the answer. EIO, the one that means something went wrong, keeps its trace.
 */
public final class UnionException extends IOException {
  private static final long serialVersionUID = 1L;

  private final Errno errno;
  private final String path;

  public UnionException(Errno errno, String path, String reason) {
    super(reason);
    this.errno = errno;
    this.path = path;
    traceIfFailure();
  }

  public UnionException(Errno errno, String path, String reason, Throwable cause) {
    super(reason, cause);
    this.errno = errno;
    this.path = path;
    traceIfFailure();
  }

  /** Takes the stack trace now, for EIO only (the constructor of Throwable left it empty). */
  private void traceIfFailure() {
    if (errno == Errno.EIO) {
      super.fillInStackTrace();
    }
  }

  /** Empty until {@link #traceIfFailure} decides: an expected answer needs no trace. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }

  /** The error name that reaches the caller. */
  public Errno errno() {
    return errno;
  }

  /** The path the error concerns, as the union or a branch names it; may be empty. */
  public String path() {
    return path;
  }

  /** The reason it was created with, without the errno and the path. */
  public String reason() {
    return super.getMessage();
  }

  @Override
  public String getMessage() {
    return errno + " " + path + ": " + super.getMessage();
  }
}
