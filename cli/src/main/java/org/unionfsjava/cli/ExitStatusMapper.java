package org.unionfsjava.cli;

import org.unionfsjava.fs.MountFailure;
import org.unionfsjava.model.UnionException;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.ParameterException;

/**
 * Maps what a command threw to a documented exit code ({@link ExitStatus}) and to the one line a
 * person reads on stderr.
 */
final class ExitStatusMapper implements IExitCodeExceptionMapper {

  @Override
  public int getExitCode(Throwable exception) {
    return statusOf(exception).code();
  }

  /**
   * The status for an exception: a {@link CommandFailure} carries its own; a {@link MountFailure}
   * is mapped from its reason ({@link #statusOf(MountFailure.Reason)}); any other {@link
   * UnionException} is a failed mount; a usage error is 2; anything else is unexpected. No
   * message is read.
   */
  static ExitStatus statusOf(Throwable exception) {
    if (exception instanceof CommandFailure) {
      return ((CommandFailure) exception).status();
    }
    if (exception instanceof MountFailure) {
      return statusOf(((MountFailure) exception).reason());
    }
    if (exception instanceof UnionException) {
      return ExitStatus.MOUNT_FAILED;
    }
    if (exception instanceof ParameterException) {
      return ExitStatus.USAGE;
    }
    return ExitStatus.UNEXPECTED;
  }

  /** The exit status of each reason a mount fails for (documented in {@link ExitStatus}). */
  static ExitStatus statusOf(MountFailure.Reason reason) {
    switch (reason) {
      case FORMAT_MISMATCH: return ExitStatus.FORMAT_MISMATCH;
      case UPPER_IN_USE: return ExitStatus.BAD_PATH;
      case FUSE_REFUSED: case FAILED: return ExitStatus.MOUNT_FAILED;
      default: throw new AssertionError(reason);
    }
  }

  /** The line printed on stderr for an exception, starting with {@code unionfs-java:}. */
  static String errorLine(Throwable exception) {
    if (exception instanceof CommandFailure || exception instanceof MountFailure) {
      return "unionfs-java: " + exception.getMessage();
    }
    if (exception instanceof UnionException) {
      UnionException union = (UnionException) exception;
      String path = union.path() == null || union.path().isEmpty() ? "" : ": " + union.path();
      return "unionfs-java: " + union.reason() + " (" + union.errno() + ")" + path;
    }
    return "unionfs-java: unexpected error: " + exception
        + " (run with -vv for the stack trace)";
  }
}
