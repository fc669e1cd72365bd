package org.unionfsjava.fs;

import org.unionfsjava.model.Errno;

/**
 * Why {@link UnionMount#mount} did not mount: a {@link Reason} that a caller can act on (the CLI
 * maps it to its exit code, never reading the message), one clear sentence for a person, the path
 * it concerns and, where a system call answered, its errno. A refused mount has changed nothing
 * in the branches.
 */
public final class MountFailure extends Exception {
  private static final long serialVersionUID = 1L;

  /** What kind of problem stopped the mount. */
  public enum Reason {
    /** The upper is in another whiteout format than the one asked for. */
    FORMAT_MISMATCH,
    /** Another union, an offline tool or a kernel overlay uses the upper or the work directory. */
    UPPER_IN_USE,
    /** libfuse or its mount helper refused the mount, or it did not appear in time. */
    FUSE_REFUSED,
    /** Anything else on the way: preparing the upper or the work directory, reading a branch. */
    FAILED
  }

  private final transient Reason reason;
  private final String problem;
  private final String path;
  private final transient Errno errno;

  /**
   * @param problem one sentence, without the path
   * @param path the path it concerns, or null
   * @param errno the system call's answer, or null
   */
  public MountFailure(Reason reason, String problem, String path, Errno errno, Throwable cause) {
    super(problem + (errno == null ? "" : " (" + errno + ")")
        + (path == null || path.isEmpty() ? "" : ": " + path), cause);
    this.reason = reason;
    this.problem = problem;
    this.path = path;
    this.errno = errno;
  }

  /** What kind of problem it is. */
  public Reason reason() {
    return reason;
  }

  /** The sentence for a person, without the errno and the path. */
  public String problem() {
    return problem;
  }

  /** The path it concerns, or null. */
  public String path() {
    return path;
  }

  /** The errno a system call answered, or null. */
  public Errno errno() {
    return errno;
  }
}
