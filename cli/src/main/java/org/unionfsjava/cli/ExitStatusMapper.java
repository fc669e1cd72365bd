package org.unionfsjava.cli;

import java.util.Locale;
import org.unionfsjava.model.Errno;
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
   * The status for an exception: a {@link CommandFailure} carries its own; a {@link
   * UnionException} from the mount is a format mismatch if it is EINVAL and its reason mentions the
   * format, else a failed mount; a usage error is 2; anything else is unexpected.
   */
  static ExitStatus statusOf(Throwable exception) {
    if (exception instanceof CommandFailure) {
      return ((CommandFailure) exception).status();
    }
    if (exception instanceof UnionException) {
      UnionException union = (UnionException) exception;
      boolean aboutFormat = reason(union).toLowerCase(Locale.ROOT).contains("format");
      return union.errno() == Errno.EINVAL && aboutFormat
          ? ExitStatus.FORMAT_MISMATCH : ExitStatus.MOUNT_FAILED;
    }
    if (exception instanceof ParameterException) {
      return ExitStatus.USAGE;
    }
    return ExitStatus.UNEXPECTED;
  }

  /** The line printed on stderr for an exception, starting with {@code unionfs-java:}. */
  static String errorLine(Throwable exception) {
    if (exception instanceof CommandFailure) {
      return "unionfs-java: " + exception.getMessage();
    }
    if (exception instanceof UnionException) {
      UnionException union = (UnionException) exception;
      String path = union.path() == null || union.path().isEmpty() ? "" : ": " + union.path();
      return "unionfs-java: " + reason(union) + " (" + union.errno() + ")" + path;
    }
    return "unionfs-java: unexpected error: " + exception
        + " (run with -vv for the stack trace)";
  }

  /** The reason a {@link UnionException} was created with, without its errno and path prefix. */
  static String reason(UnionException exception) {
    String message = exception.getMessage() == null ? "" : exception.getMessage();
    String prefix = exception.errno() + " " + exception.path() + ": ";
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }
}
